"""The monthly estimate: every billable resource of each size priced, from the dated price table."""

from __future__ import annotations

from typing import Any

import pytest

from movieagg.deploy import costs, intrinsics
from movieagg.deploy.bundles import read_template
from movieagg.deploy.sizes import SIZES, size_parameters
from movieagg.deploy.templates import APP_TEMPLATE, BOOTSTRAP_TEMPLATE

REGIONS = ("us-east-1", "eu-west-1")


def _estimate(size: str, region: str = "us-east-1", **overrides: str) -> costs.Estimate:
    return costs.estimate(
        [
            ("bootstrap", read_template(BOOTSTRAP_TEMPLATE), {"Stage": "t"}),
            ("app", read_template(APP_TEMPLATE), {"Stage": "t", **size_parameters(size, overrides)}),
        ],
        region=region,
        size=size,
    )


def _template_types() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name in (BOOTSTRAP_TEMPLATE, APP_TEMPLATE):
        for logical_id, resource in intrinsics.load(read_template(name))["Resources"].items():
            out.setdefault(str(resource["Type"]), set()).add(f"{name}:{logical_id}")
    return out


def test_every_resource_type_of_the_templates_is_in_the_price_table() -> None:
    """A new resource type must be priced, or declared usage-priced or free, with a reason."""
    table = costs.price_table()["types"]
    missing = {t: ids for t, ids in _template_types().items() if t not in table}
    assert missing == {}, f"add these types to movieagg/deploy/prices.json: {missing}"
    for rtype, entry in table.items():
        assert len(entry) == 1 and set(entry) <= {"rule", "usage", "free"}, rtype
        if "rule" in entry:
            assert callable(getattr(costs._Rules, entry["rule"], None)), rtype
        else:
            assert len(next(iter(entry.values()))) > 5, f"{rtype}: say why"


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("size", SIZES)
def test_the_estimate_lists_every_billable_resource(size: str, region: str) -> None:
    estimate = _estimate(size, region)
    assert estimate.unpriced == []
    priced_types = {t for t, e in costs.price_table()["types"].items() if "rule" in e}
    expected: set[tuple[str, str]] = set()
    for stack, name, params in (
        ("bootstrap", BOOTSTRAP_TEMPLATE, {"Stage": "t"}),
        ("app", APP_TEMPLATE, {"Stage": "t", **size_parameters(size, {})}),
    ):
        ev = intrinsics.Evaluation(intrinsics.load(read_template(name)), params, region)
        expected |= {(stack, lid) for lid, r in ev.resources().items() if r["Type"] in priced_types}
    assert {(line.stack, line.logical_id) for line in estimate.lines} == expected
    assert all(line.monthly > 0 for line in estimate.lines)
    assert estimate.total == round(sum(line.monthly for line in estimate.lines), 2)
    assert estimate.price_region == region and estimate.as_of
    assert any("Lambda" in u for u in estimate.usage) and any("API Gateway" in u for u in estimate.usage)
    assert not [u for u in estimate.usage if "{" in u]  # every {price} filled in from this region's table
    logs = costs.price_table()["regions"][region]["prices"]["cloudwatch_logs_ingest_gb"]["usd"]
    assert any(f"{costs.money(logs)} per GB ingested" in u for u in estimate.usage)


def _by_id(estimate: costs.Estimate) -> dict[str, costs.CostLine]:
    return {line.logical_id: line for line in estimate.lines}


def test_full_and_small_differ_where_the_money_is() -> None:
    full, small = _by_id(_estimate("full")), _by_id(_estimate("small"))
    assert {"NatGateway1", "NatGateway2", "NatEip1", "NatEip2", "Cache", "CacheEvictionsAlarm"} <= set(full)
    assert not {"NatGateway1", "NatGateway2", "NatEip1", "NatEip2", "Cache", "CacheEvictionsAlarm"} & set(
        small
    )
    assert {"NatInstance", "NatEip", "NatInstanceRecoveryAlarm"} <= set(small)  # instead of NAT gateways
    assert small["NatInstance"].detail == "t3.nano + 8 GiB gp3 + detailed monitoring"
    assert "Multi-AZ" in full["Database"].detail and "single-AZ" in small["Database"].detail
    assert full["WebGroup"].detail.startswith("2 × (t3.micro") and small["WebGroup"].detail.startswith(
        "1 × (t3.nano"
    )
    assert "Redis 2 × cache.t4g.micro" in full["Cache"].detail
    # us-east-1 list prices: a NAT gateway is $0.045/h, a Multi-AZ db.t4g.micro $0.032/h + 20 GiB × $0.23.
    assert full["NatGateway1"].monthly == pytest.approx(0.045 * 730)
    assert full["Database"].monthly == pytest.approx(2 * (0.016 * 730 + 20 * 0.115))
    assert small["Database"].monthly == pytest.approx(0.016 * 730 + 20 * 0.115)
    assert _estimate("small").total < _estimate("full").total / 2


def test_a_region_without_its_own_prices_says_whose_it_uses() -> None:
    estimate = _estimate("small", "ap-southeast-2")
    assert estimate.price_region == "us-east-1"
    assert "us-east-1 prices for ap-southeast-2" in estimate.label()
    assert "before traffic" in estimate.label()


def test_an_instance_class_without_a_recorded_price_is_reported_not_dropped() -> None:
    estimate = _estimate("full", DbInstanceClass="db.x2iedn.32xlarge")
    assert any("Database" in u and "no list price" in u for u in estimate.unpriced)
    assert "Database" not in _by_id(estimate)


def test_every_price_names_its_source_and_every_region_its_date() -> None:
    table: dict[str, Any] = costs.price_table()
    assert table["recorded"] and table["currency"] == "USD"
    for region, block in table["regions"].items():
        assert block["as_of"], region
        for key, price in block["prices"].items():
            assert price["source"] in table["sources"], (region, key)
            assert isinstance(price["usd"], float | int | dict), (region, key)
    assert set(table["regions"]["us-east-1"]["prices"]) == set(table["regions"]["eu-west-1"]["prices"])
