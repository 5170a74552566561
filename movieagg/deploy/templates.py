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
    }
)


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
    "MANAGED_PARAMETERS",
    "TEMPLATE_BODY_LIMIT",
    "lint_templates",
    "overridable_parameters",
]
