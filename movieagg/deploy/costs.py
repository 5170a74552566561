"""What a stage costs per month before traffic, from the templates and a dated list-price table.

Every resource the templates create under the run's parameters (conditions evaluated locally,
:mod:`movieagg.deploy.intrinsics`) is looked up by type in ``prices.json``: a priced type gets a
line (instance classes, counts and storage read from its properties), a usage-priced type
(Lambda, API Gateway, logs …) is listed with its unit price and costs nothing before traffic, a
free type is skipped. A type missing from the table is reported, never silently left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from movieagg.deploy.intrinsics import Evaluation, load

FALLBACK_REGION = "us-east-1"


@dataclass(frozen=True)
class CostLine:
    stack: str
    logical_id: str
    resource_type: str
    detail: str
    monthly: float  # USD


@dataclass
class Estimate:
    region: str
    price_region: str  # whose list prices were used (a region without its own: us-east-1)
    as_of: str
    size: str
    lines: list[CostLine] = field(default_factory=list)
    usage: list[str] = field(default_factory=list)  # what traffic adds, per unit
    unpriced: list[str] = field(default_factory=list)  # resources the table has no price for

    @property
    def total(self) -> float:
        return round(sum(line.monthly for line in self.lines), 2)

    def label(self) -> str:
        where = (
            self.region
            if self.price_region == self.region
            else f"{self.price_region} prices for {self.region}"
        )
        return f"estimate at AWS list prices ({where}, as of {self.as_of}), before traffic"

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "region": self.region,
            "price_region": self.price_region,
            "as_of": self.as_of,
            "label": self.label(),
            "total_monthly_usd": self.total,
            "lines": [
                {
                    "stack": line.stack,
                    "logical_id": line.logical_id,
                    "type": line.resource_type,
                    "detail": line.detail,
                    "monthly_usd": round(line.monthly, 2),
                }
                for line in self.lines
            ],
            "usage_priced": self.usage,
            "unpriced": self.unpriced,
        }


def money(value: float) -> str:
    """$3.50, $0.045, $0.0000166667: cents for amounts, every digit a unit price has."""
    return f"${value:,.2f}" if value >= 0.1 else "$" + f"{value:.10f}".rstrip("0")


@cache
def price_table() -> dict[str, Any]:
    """prices.json, shipped beside this module."""
    data: dict[str, Any] = json.loads(
        resources.files("movieagg.deploy").joinpath("prices.json").read_text(encoding="utf-8")
    )
    return data


class _Pricer:
    """The rules of one estimate: a method per ``rule`` name in prices.json."""

    def __init__(self, region: str) -> None:
        table = price_table()
        self.price_region = region if region in table["regions"] else FALLBACK_REGION
        block = table["regions"][self.price_region]
        self.as_of = str(block["as_of"])
        self.prices: dict[str, Any] = block["prices"]
        self.hours = float(table["hours_per_month"])

    def unit(self, key: str, item: str | None = None) -> float | None:
        usd = self.prices[key]["usd"]
        if item is None:
            return float(usd)
        value = usd.get(item) if isinstance(usd, dict) else None
        return None if value is None else float(value)

    def fill(self, text: str) -> str:
        """``text`` with each ``{price_key}`` replaced by that price in this region, e.g. ``$0.50``."""

        def price(match: re.Match[str]) -> str:
            value = self.unit(match.group(1))
            return match.group(0) if value is None else money(value)

        return re.sub(r"\{([a-z0-9_]+)\}", price, text)

    def hourly(self, key: str, item: str | None = None) -> float | None:
        value = self.unit(key, item)
        return None if value is None else value * self.hours


def _launch_template(ev: Evaluation, resources_: Mapping[str, Any], spec: Any) -> dict[str, Any]:
    """The LaunchTemplateData of the launch template a group or instance names by Ref."""
    ref = (spec or {}).get("LaunchTemplateId") if isinstance(spec, dict) else None
    name = ref.get("Ref") if isinstance(ref, dict) else None
    template = resources_.get(str(name)) if name else None
    data = ev.prop(template, "LaunchTemplateData") if template else None
    return data if isinstance(data, dict) else {}


def _volumes_gib(ev: Evaluation, data: Mapping[str, Any]) -> int:
    total = 0
    for mapping in ev.value(data.get("BlockDeviceMappings")) or []:
        ebs = ev.value((mapping or {}).get("Ebs")) if isinstance(mapping, dict) else None
        size = ev.value(ebs.get("VolumeSize")) if isinstance(ebs, dict) else None
        total += int(size or 0)
    return total


class _Rules:
    """One method per priced rule: (detail, monthly USD or None when the table lacks the item)."""

    def __init__(self, pricer: _Pricer, ev: Evaluation, resources_: Mapping[str, Any]) -> None:
        self.p = pricer
        self.ev = ev
        self.resources = resources_

    def nat_gateway(self, _r: Any) -> tuple[str, float | None]:
        per_gb = self.p.unit("nat_gateway_gb")
        return f"NAT gateway (+ ${per_gb:.3f} per GB processed)", self.p.hourly("nat_gateway_hour")

    def public_ipv4(self, _r: Any) -> tuple[str, float | None]:
        return "Elastic IP (public IPv4 address)", self.p.hourly("public_ipv4_hour")

    def load_balancer(self, r: Any) -> tuple[str, float | None]:
        subnets = len(self.ev.prop(r, "Subnets") or []) or 2
        alb = self.p.hourly("alb_hour") or 0.0
        ips = subnets * (self.p.hourly("public_ipv4_hour") or 0.0)
        return f"Application Load Balancer + {subnets} public IPv4 addresses (+ LCUs with traffic)", alb + ips

    def _ec2(self, instance_type: Any, data: Mapping[str, Any], monitored: bool) -> tuple[str, float | None]:
        hourly = self.p.hourly("ec2_instance_hour", str(instance_type))
        gib = _volumes_gib(self.ev, data)
        parts = [f"{instance_type}", f"{gib} GiB gp3"] if gib else [f"{instance_type}"]
        monthly = None if hourly is None else hourly + gib * (self.p.unit("ebs_gp3_gb_month") or 0.0)
        if monitored:
            parts.append("detailed monitoring")
            monthly = (
                None if monthly is None else monthly + (self.p.unit("ec2_detailed_monitoring_month") or 0.0)
            )
        return " + ".join(parts), monthly

    def instance(self, r: Any) -> tuple[str, float | None]:
        data = _launch_template(self.ev, self.resources, self.ev.prop(r, "LaunchTemplate"))
        monitored = bool(self.ev.prop(r, "Monitoring")) or bool(
            (self.ev.value(data.get("Monitoring")) or {}).get("Enabled")
        )
        return self._ec2(self.ev.prop(r, "InstanceType") or data.get("InstanceType"), data, monitored)

    def auto_scaling_group(self, r: Any) -> tuple[str, float | None]:
        count = int(self.ev.prop(r, "DesiredCapacity") or self.ev.prop(r, "MinSize") or 1)
        data = _launch_template(self.ev, self.resources, self.ev.prop(r, "LaunchTemplate"))
        monitored = bool((self.ev.value(data.get("Monitoring")) or {}).get("Enabled"))
        detail, each = self._ec2(self.ev.value(data.get("InstanceType")), data, monitored)
        return f"{count} × ({detail})", None if each is None else count * each

    def database(self, r: Any) -> tuple[str, float | None]:
        klass = str(self.ev.prop(r, "DBInstanceClass"))
        gib = int(self.ev.prop(r, "AllocatedStorage") or 20)
        multi_az = bool(self.ev.prop(r, "MultiAZ"))
        hourly = self.p.hourly("rds_postgres_hour", klass)
        factor = 2 if multi_az else 1
        monthly = (
            None if hourly is None else factor * (hourly + gib * (self.p.unit("rds_gp3_gb_month") or 0.0))
        )
        return f"PostgreSQL {klass}{' Multi-AZ' if multi_az else ' single-AZ'} + {gib} GiB gp3", monthly

    def cache(self, r: Any) -> tuple[str, float | None]:
        node = str(self.ev.prop(r, "CacheNodeType"))
        nodes = int(self.ev.prop(r, "NumCacheClusters") or 1)
        hourly = self.p.hourly("elasticache_node_hour", node)
        return f"Redis {nodes} × {node}", None if hourly is None else nodes * hourly

    def kms_key(self, _r: Any) -> tuple[str, float | None]:
        return "customer managed key", self.p.unit("kms_key_month")

    def web_acl(self, r: Any) -> tuple[str, float | None]:
        rules = len(self.ev.prop(r, "Rules") or [])
        acl = self.p.unit("waf_web_acl_month") or 0.0
        per_million = self.p.unit("waf_requests_million")
        detail = f"web ACL + {rules} rules (+ ${per_million:.2f} per million requests)"
        return detail, acl + rules * (self.p.unit("waf_rule_month") or 0.0)

    def alarm(self, r: Any) -> tuple[str, float | None]:
        metrics = [m for m in self.ev.prop(r, "Metrics") or [] if isinstance(m, dict) and "MetricStat" in m]
        count = len(metrics) or 1
        return f"alarm on {count} metric{'s' if count > 1 else ''}", count * (
            self.p.unit("cloudwatch_alarm_metric_month") or 0.0
        )

    def dashboard(self, _r: Any) -> tuple[str, float | None]:
        return "dashboard (the first 3 of an account are free)", self.p.unit("cloudwatch_dashboard_month")


def estimate(stacks: Sequence[tuple[str, str, Mapping[str, str]]], *, region: str, size: str) -> Estimate:
    """The monthly estimate of ``(stack name, template text, parameters)`` in ``region``."""
    pricer = _Pricer(region)
    out = Estimate(region=region, price_region=pricer.price_region, as_of=pricer.as_of, size=size)
    types: dict[str, dict[str, str]] = price_table()["types"]
    for stack, text, parameters in stacks:
        ev = Evaluation(load(text), parameters, region)
        present = ev.resources()
        rules = _Rules(pricer, ev, present)
        for logical_id, resource in present.items():
            rtype = str(resource["Type"])
            entry = types.get(rtype)
            if entry is None:
                out.unpriced.append(f"{stack}/{logical_id} ({rtype}): not in the price table")
                continue
            if "usage" in entry:
                note = pricer.fill(entry["usage"])
                if note not in out.usage:
                    out.usage.append(note)
                continue
            if "rule" not in entry:
                continue  # free
            rule: Callable[[Any], tuple[str, float | None]] = getattr(rules, entry["rule"])
            detail, monthly = rule(resource)
            if monthly is None:
                out.unpriced.append(f"{stack}/{logical_id} ({detail}): no list price recorded")
                continue
            out.lines.append(CostLine(stack, logical_id, rtype, detail, round(monthly, 2)))
    return out


__all__ = ["CostLine", "Estimate", "estimate", "money", "price_table"]
