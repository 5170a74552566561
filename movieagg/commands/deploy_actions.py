"""What `movieagg deploy`, `deploy status`, `deploy destroy` and `deploy cost` do once parsed.

The command definitions and their options are :mod:`movieagg.commands.deploy`; this module
turns them into a run of the deploy tooling (:mod:`movieagg.deploy`) and prints the result.
Every error becomes one line and its exit code (:func:`movieagg.commands.common.guard`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.deploy.options import DeployOptions


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def home() -> Path:
    from movieagg.commands.common import load_settings

    return load_settings().dir("data")


def environment() -> Settings:
    """The environment as settings, no config file: deploy takes secrets from it or a prompt."""
    from movieagg.commands.common import fail
    from movieagg.core.config import Settings
    from movieagg.core.errors import MovieAggError

    try:
        return Settings.from_env(read_file=False)
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)


def deploy_options(env: Settings, stage: str | None, endpoint_url: str | None, **more: Any) -> DeployOptions:
    """The run's options; the stage and endpoint default to MOVIEAGG_STAGE and AWS_ENDPOINT_URL."""
    from movieagg.deploy.options import DeployOptions

    return DeployOptions(
        stage=stage or env.stage or "prod", endpoint_url=endpoint_url or env.aws_endpoint_url, **more
    )


def guarded(action: Any) -> Any:
    """Run a deploy action, mapping every error to one line and its exit code."""
    from movieagg.commands.common import guard

    return guard(
        action,
        interrupted="interrupted (a stack operation already started goes on in AWS: see "
        "`movieagg deploy status`)",
    )


def print_outputs(result: Any, reporter: Any) -> None:
    outputs = result.outputs
    for label, key in (("Site URL", "SiteUrl"), ("API URL", "ApiUrl"), ("ALB DNS", "AlbDnsName")):
        if outputs.get(key):
            typer.echo(f"{label}: {outputs[key]}")
    if result.health:
        typer.echo(f"Health: {result.health}")
    if result.estimate is not None:
        typer.echo(
            f"Estimated monthly cost: ${result.estimate.total:,.2f} (size {result.size}; "
            f"{result.estimate.label()})"
        )
    if result.state_file is not None:
        reporter.console.print(f"[dim]state: {result.state_file}[/dim]")


def deploy(
    stage: str | None,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    **more: Any,
) -> None:
    from movieagg.commands.deploy_reporter import RichReporter
    from movieagg.deploy.deployer import Deployer

    env = environment()
    options = deploy_options(env, stage, endpoint_url, region=region, profile=profile, **more)
    reporter = RichReporter(interactive())
    try:
        result = guarded(
            lambda: Deployer(options, reporter, home=home(), settings=env, interactive=interactive()).deploy()
        )
    finally:
        reporter.stop()
    if result.package_dir is not None:
        typer.echo(str(result.package_dir))
        return
    if options.dry_run:
        typer.echo("dry run: no changes executed" if result.changed else "no changes")
        if result.estimate is not None:
            typer.echo(f"Estimated monthly cost: ${result.estimate.total:,.2f} (size {result.size})")
        return
    if not result.changed:
        typer.echo("no changes")
    print_outputs(result, reporter)


def status(
    stage: str | None, region: str | None, endpoint_url: str | None, profile: str | None, as_json: bool
) -> None:
    from movieagg.commands.deploy_reporter import RichReporter, esc, style
    from movieagg.deploy.teardown import Teardown

    env = environment()
    options = deploy_options(env, stage, endpoint_url, region=region, profile=profile)
    reporter = RichReporter(False, quiet=True)
    info = guarded(lambda: Teardown(options, reporter, home=home(), settings=env).status())
    deployed = any(s["status"] != "NOT_DEPLOYED" for s in info["stacks"])
    if as_json:
        typer.echo(json.dumps(info, indent=2, default=str))
        raise typer.Exit(0 if deployed else 1)
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    size = f", size {info['size']}" if info.get("size") else ""
    table = Table(title=f"movieagg {esc(options.stage)} ({esc(info['region'])}{size})", title_justify="left")
    table.add_column("Stack")
    table.add_column("Status")
    table.add_column("Updated")
    for s in info["stacks"]:
        table.add_row(esc(s["name"]), f"[{style(s['status'])}]{esc(s['status'])}[/]", esc(s["updated"][:19]))
    console.print(table)
    for s in info["stacks"]:
        for key, value in sorted(s["outputs"].items()):
            console.print(f"  {esc(key)}: {esc(value)}")
    if not deployed:
        raise typer.Exit(1)


def destroy(
    stage: str | None,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    yes: bool,
    purge_artifacts: bool,
) -> None:
    from movieagg.commands.deploy_reporter import RichReporter
    from movieagg.deploy.teardown import Teardown

    env = environment()
    options = deploy_options(env, stage, endpoint_url, region=region, profile=profile, yes=yes)
    reporter = RichReporter(interactive())
    try:
        removed = guarded(
            lambda: Teardown(options, reporter, home=home(), settings=env, interactive=interactive()).destroy(
                purge_artifacts=purge_artifacts
            )
        )
    finally:
        reporter.stop()
    typer.echo(f"destroyed: {', '.join(removed)}" if removed else "nothing to destroy")


def alias_note(old: str, new: str) -> None:
    from movieagg.commands.common import stderr

    stderr().print(f"[dim]note: `movieagg {old}` is now `movieagg {new}`[/dim]")


def cost(
    size: str | None,
    region: str | None,
    stage: str | None,
    alarm_email: str | None,
    parameters: dict[str, str],
    as_json: bool,
) -> None:
    from movieagg.commands.deploy_reporter import estimate_notes, estimate_table
    from movieagg.deploy import plan

    env = environment()
    options = deploy_options(
        env, stage, None, size=size, alarm_email=alarm_email, parameters=parameters
    )
    where = region or env.aws_region or "us-east-1"

    def run() -> Any:
        options.validate()
        return plan.estimate(options, options.size or "full", where)

    estimate = guarded(run)
    if as_json:
        typer.echo(json.dumps(estimate.to_dict(), indent=2))
        return
    from rich.console import Console

    console = Console(highlight=False)
    console.print(estimate_table(estimate))
    for note in estimate_notes(estimate):
        console.print(f"  {note}")
