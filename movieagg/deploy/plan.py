"""What a deploy would create, before any AWS call: lint, artifacts, parameters, cost estimate.

Also ``--package-only``: the same artifacts written under their S3 keys with a manifest.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movieagg.core.errors import ConfigurationError
from movieagg.deploy import bundles
from movieagg.deploy.sizes import size_parameters
from movieagg.deploy.templates import (
    APP_TEMPLATE,
    BOOTSTRAP_TEMPLATE,
    DEFAULT_VPC_CIDR,
    lint_templates,
    subnet_cidrs,
)

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.deploy.archives import Artifact
    from movieagg.deploy.costs import Estimate
    from movieagg.deploy.options import DeployOptions, Reporter


def lint(options: DeployOptions, settings: Settings, report: Reporter) -> None:
    report.step("Linting the templates")
    findings = lint_templates(region=options.region or settings.aws_region or "us-east-1")
    if findings is None:
        report.warn("cfn-lint is not installed: templates not linted (pip install cfn-lint)")
    elif findings:
        raise ConfigurationError("template lint failed: " + "; ".join(findings[:5]))


def build_lambda(settings: Settings, report: Reporter, workdir: Path) -> Artifact:
    """The Lambda zip; wheels and built zips are kept between deploys (MOVIEAGG_BUILD_CACHE)."""
    from movieagg.deploy.package import build_lambda as build
    from movieagg.deploy.package import find_python

    return build(
        workdir, deps_cache=settings.build_cache, python=find_python(settings=settings), log=report.info
    )


def build_artifacts(
    options: DeployOptions,
    settings: Settings,
    report: Reporter,
    workdir: Path,
    lambda_builder: Callable[[Path], Artifact] | None = None,
) -> dict[str, Artifact]:
    report.step("Packaging")
    site_dir = bundles.find_frontend(options.frontend or settings.frontend_dir, report.info)
    arts: dict[str, Artifact] = {}
    started = time.monotonic()
    arts["lambda"] = (lambda_builder or (lambda w: build_lambda(settings, report, w)))(workdir)
    lam = arts["lambda"]
    report.info(
        f"Lambda zip: {lam.size / 1e6:.1f} MB ({lam.key}, {time.monotonic() - started:.1f} s)"
        + "".join(f"; {n}" for n in lam.notes)
    )
    if any("no local Python" in n for n in lam.notes):
        report.warn(lam.notes[-1])
    arts["site"] = bundles.build_site(site_dir, workdir)
    arts["nginx"] = bundles.build_nginx(workdir)
    arts["bootstrap_template"] = bundles.template_artifact(BOOTSTRAP_TEMPLATE, workdir)
    arts["app_template"] = bundles.template_artifact(APP_TEMPLATE, workdir)
    for name in ("site", "nginx"):
        a = arts[name]
        report.info(f"{name}: {a.size / 1e3:.1f} kB ({a.key})")
    return arts


def app_parameters(
    options: DeployOptions,
    size: str,
    arts: Mapping[str, Artifact] | None,
    bootstrap: Mapping[str, str],
) -> dict[str, str]:
    """The app stack's parameters: the size's presets, the user's overrides, what deploy manages."""
    params = size_parameters(size, options.parameters)
    params.update(
        {
            "Stage": options.stage,
            "ArtifactBucket": bootstrap.get("ArtifactBucketName", "<artifact bucket>"),
            "ArtifactKeyArn": bootstrap.get("ArtifactKeyArn", "<artifact key>"),
            "LogsBucket": bootstrap.get("LogsBucketName", "<logs bucket>"),
            "LambdaCodeKey": arts["lambda"].key if arts else "<lambda key>",
            "SiteKey": arts["site"].key if arts else "<site key>",
            "NginxKey": arts["nginx"].key if arts else "<nginx key>",
            "DomainName": options.domain or "",
            "HostedZoneId": options.hosted_zone_id or "",
            "AlarmEmail": options.alarm_email or "",
        }
    )
    params.update(subnet_cidrs(params.get("VpcCidr", DEFAULT_VPC_CIDR)))
    return params


def estimate(options: DeployOptions, size: str, region: str) -> Estimate:
    """The stage's monthly cost at list prices, before traffic (no AWS call)."""
    from movieagg.deploy.costs import estimate as run

    return run(
        [
            ("bootstrap", bundles.read_template(BOOTSTRAP_TEMPLATE), {"Stage": options.stage}),
            ("app", bundles.read_template(APP_TEMPLATE), app_parameters(options, size, None, {})),
        ],
        region=region,
        size=size,
    )


def write_package(
    options: DeployOptions,
    size: str,
    arts: Mapping[str, Artifact],
    dest: Path,
    cost: Estimate | None,
) -> Path:
    """--package-only: the artifacts under their S3 keys + parameters, estimate and a manifest."""
    from movieagg.deploy.options import stack_names

    bootstrap_stack, app_stack = stack_names(options.stage)
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"stage": options.stage, "size": size, "stacks": {}, "artifacts": {}}
    for name, art in arts.items():
        out = dest / art.key
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(art.path, out)
        manifest["artifacts"][name] = {"key": art.key, "sha256": art.sha256, "size": art.size}
    manifest["stacks"][bootstrap_stack] = {
        "template": arts["bootstrap_template"].key,
        "parameters": {"Stage": options.stage},
    }
    manifest["stacks"][app_stack] = {
        "template": arts["app_template"].key,
        "parameters": app_parameters(options, size, arts, {}),
    }
    if cost is not None:
        manifest["estimate"] = cost.to_dict()
    path = dest / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


__all__ = ["app_parameters", "build_artifacts", "build_lambda", "estimate", "lint", "write_package"]
