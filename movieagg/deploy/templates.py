"""The CloudFormation templates: their names, the parameters a user may override, cfn-lint."""

from __future__ import annotations

import re

from movieagg.deploy.bundles import read_template

DEFAULT_RESERVED_CONCURRENCY = 20  # infra/app.yaml LambdaReservedConcurrency default
BOOTSTRAP_TEMPLATE = "bootstrap.yaml"
APP_TEMPLATE = "app.yaml"
TEMPLATE_BODY_LIMIT = 51_200  # bytes CloudFormation takes inline; larger ones go by S3 URL

# App-stack parameters the pipeline sets itself (the rest can be overridden with --parameter).
MANAGED_PARAMETERS = frozenset(
    {
        "Stage",
        "ArtifactBucket",
        "ArtifactKeyArn",
        "LogsBucket",
        "LambdaCodeKey",
        "SiteKey",
        "NginxKey",
        "DomainName",
        "HostedZoneId",
        "Size",  # --size
        "AlarmEmail",  # --alarm-email
        *(f"{name}Cidr" for name in ("PublicSubnet1", "PublicSubnet2", "PrivateSubnet1", "PrivateSubnet2")),
    }
)
DEFAULT_VPC_CIDR = "10.40.0.0/16"  # infra/app.yaml VpcCidr default


def subnet_cidrs(vpc_cidr: str) -> dict[str, str]:
    """The subnets' CIDR parameters: the first four /20 slices of the /16 ``vpc_cidr``.

    Computed here rather than with ``Fn::Cidr`` in the template, which emulators such as
    moto_server do not implement.
    """
    import ipaddress

    from movieagg.deploy.errors import UsageError

    try:
        network = ipaddress.ip_network(vpc_cidr, strict=True)
    except ValueError:
        raise UsageError(f"VpcCidr {vpc_cidr!r} is not a network address (e.g. 10.40.0.0/16)") from None
    if network.version != 4 or network.prefixlen != 16:
        raise UsageError(f"VpcCidr {vpc_cidr!r} must be an IPv4 /16 (e.g. 10.40.0.0/16)")
    slices = [str(s) for s in list(network.subnets(new_prefix=20))[:4]]
    names = ("PublicSubnet1Cidr", "PublicSubnet2Cidr", "PrivateSubnet1Cidr", "PrivateSubnet2Cidr")
    return dict(zip(names, slices, strict=True))


def overridable_parameters() -> frozenset[str]:
    """Names of the app template's parameters a user may override."""
    text = read_template(APP_TEMPLATE)
    block = text.split("\nParameters:\n", 1)[1].split("\nConditions:\n", 1)[0]
    names = re.findall(r"^  ([A-Za-z0-9]+):\s*$", block, re.M)
    return frozenset(names) - MANAGED_PARAMETERS


def lint_templates(
    names: tuple[str, ...] = (BOOTSTRAP_TEMPLATE, APP_TEMPLATE), region: str = "us-east-1"
) -> list[str] | None:
    """cfn-lint findings (errors and warnings) on the shipped templates; None without cfn-lint."""
    try:
        from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped]
    except ImportError:
        return None
    findings: list[str] = []
    for name in names:
        for match in lint(read_template(name), config=ManualArgs(regions=[region])):
            if str(match.rule.id)[0] in "EW":
                findings.append(f"{name}:{match.linenumber}: {match.rule.id} {match.message}")
    return findings


__all__ = [
    "APP_TEMPLATE",
    "BOOTSTRAP_TEMPLATE",
    "DEFAULT_RESERVED_CONCURRENCY",
    "DEFAULT_VPC_CIDR",
    "MANAGED_PARAMETERS",
    "TEMPLATE_BODY_LIMIT",
    "lint_templates",
    "overridable_parameters",
    "subnet_cidrs",
]
