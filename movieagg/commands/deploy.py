"""`movieagg deploy`, `movieagg status`, `movieagg destroy`: the AWS stacks of a stage.

Exit codes (besides the root command's): 2 bad options or cancelled; 3 configuration (no
front-end build, template lint failed, stage not deployed for --code-only); 5 AWS credentials
missing or rejected; 6 no region, unknown region or endpoint unreachable; 7 a stack operation or
packaging step failed (the failing resource and its reason are printed; CloudFormation rolls back).

boto3 is imported only inside these commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.deploy.options import DeployOptions
    from movieagg.deploy.stacks import ChangeSet, StackEvent

StageOpt = Annotated[
    str | None,
    typer.Option(
        "--stage",
        help="Stage name: stacks are movieagg-STAGE-bootstrap and movieagg-STAGE-app "
        "(default: MOVIEAGG_STAGE, else prod).",
        show_default=False,
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / profile)."),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        help="Talk to this endpoint instead of AWS (a local emulator such as moto_server; "
        "default: AWS_ENDPOINT_URL).",
    ),
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="AWS profile (default: AWS_PROFILE, as boto3 reads it).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

_STATUS_STYLE = {"COMPLETE": "green", "FAILED": "bold red", "IN_PROGRESS": "yellow", "ROLLBACK": "red"}


def _style(status: str) -> str:
    if "ROLLBACK" in status or "FAILED" in status:
        return "red"
    for key, style in _STATUS_STYLE.items():
        if status.endswith(key):
            return style
    return "white"


class RichReporter:
    """Renders the pipeline's progress on stderr (tables and events) with rich."""

    def __init__(self, interactive: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.interactive = interactive
        self._done = 0
        self._total = 0
        self._status: Any = None

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def step(self, message: str) -> None:
        self._stop()
        self.console.print(f"[bold cyan]==>[/] [bold]{_esc(message)}[/]")

    def info(self, message: str) -> None:
        self.console.print(f"    {_esc(message)}")

    def warn(self, message: str) -> None:
        self.console.print(f"    [yellow]warning:[/] {_esc(message)}")

    def change_set(self, change_set: ChangeSet) -> None:
        from rich.table import Table

        self._stop()
        self._done, self._total = 0, len(change_set.changes)
        if change_set.empty:
            self.console.print(f"    [green]no changes[/] to {change_set.stack_name}")
            return
        verb = "update" if change_set.stack_exists else "create"
        table = Table(title=f"Change set: {verb} {change_set.stack_name}", title_justify="left")
        table.add_column("Action")
        table.add_column("Logical ID")
        table.add_column("Type")
        table.add_column("Replacement")
        colour = {"Add": "green", "Modify": "yellow", "Remove": "red"}
        for c in change_set.changes:
            style = colour.get(c.action, "white")
            repl = "[bold red]True[/]" if c.replacement == "True" else _esc(c.replacement or "-")
            table.add_row(f"[{style}]{c.action}[/]", _esc(c.logical_id), _esc(c.resource_type), repl)
        self.console.print(table)
        self.console.print(f"    {len(change_set.changes)} change(s)")

    def event(self, event: StackEvent) -> None:
        when = event.timestamp.strftime("%H:%M:%S") if hasattr(event.timestamp, "strftime") else ""
        reason = f" [dim]{_esc(event.reason[:200])}[/]" if event.reason else ""
        self.console.print(
            f"    {when} [{_style(event.status)}]{event.status:<28}[/] {_esc(event.logical_id)} "
            f"[dim]{_esc(event.resource_type)}[/]{reason}"
        )
        is_stack = event.resource_type == "AWS::CloudFormation::Stack"
        if not is_stack and event.status.endswith("_COMPLETE") and "ROLLBACK" not in event.status:
            self._done += 1
        if not self.interactive:
            return
        if is_stack and not event.status.endswith("_IN_PROGRESS"):
            self._stop()
            return
        if self._status is None:
            self._status = self.console.status("", spinner="dots")
            self._status.start()
        total = f"/{self._total}" if self._total else ""
        self._status.update(f"{self._done}{total} resources done — last: {_esc(event.logical_id)}")

    def confirm(self, question: str) -> bool:
        self._stop()
        return bool(typer.confirm(question, default=False, err=True))

    def ask_secret(self, name: str, description: str) -> str | None:
        self._stop()
        value = typer.prompt(
            f"{name} ({description}; empty to skip)",
            default="",
            hide_input=True,
            show_default=False,
            err=True,
        )
        return str(value).strip() or None


class _QuietReporter(RichReporter):
    def info(self, message: str) -> None:
        return None


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(str(text))


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _home() -> Path:
    from movieagg.commands.common import load_settings

    return load_settings().dir("data")


def _environment() -> Settings:
    """The environment as settings, no config file: deploy takes secrets from it or a prompt."""
    from movieagg.commands.common import fail
    from movieagg.core.config import Settings
    from movieagg.core.errors import MovieAggError

    try:
        return Settings.from_env(read_file=False)
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)


def _options(env: Settings, stage: str | None, endpoint_url: str | None, **more: Any) -> DeployOptions:
    """The run's options; the stage and endpoint default to MOVIEAGG_STAGE and AWS_ENDPOINT_URL."""
    from movieagg.deploy.options import DeployOptions

    return DeployOptions(
        stage=stage or env.stage or "prod", endpoint_url=endpoint_url or env.aws_endpoint_url, **more
    )


def _run(action: Any) -> Any:
    """Run a deploy action, mapping every error to one line and its exit code."""
    from movieagg.commands.common import guard

    return guard(
        action,
        interrupted="interrupted (a stack operation already started goes on in AWS: see `movieagg status`)",
    )


def _parameters(items: list[str]) -> dict[str, str]:
    from movieagg.deploy.templates import overridable_parameters

    allowed = overridable_parameters()
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in allowed:
            raise typer.BadParameter(
                f"{item!r}: expected KEY=VALUE with KEY one of {', '.join(sorted(allowed))}",
                param_hint="--parameter",
            )
        out[key] = value
    return out


def _deployer(options: DeployOptions, reporter: Any, env: Settings) -> Any:
    from movieagg.deploy.deployer import Deployer

    return Deployer(options, reporter, home=_home(), settings=env, interactive=_interactive())


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n"
        "  movieagg deploy --stage prod --region eu-west-1\n\n"
        "  movieagg deploy --domain movies.example.com --hosted-zone-id Z0123456789ABC --yes\n\n"
        "  movieagg deploy --dry-run\n\n"
        "  movieagg deploy --code-only\n\n"
        "  movieagg deploy --package-only build/deploy\n\n"
        "Secrets (TMDB_API_KEY, OMDB_API_KEY, MOVIEAGG_DATABASE_PASSWORD, MOVIEAGG_REDIS_TOKEN) are "
        "read from the environment or a hidden prompt and stored as SSM SecureStrings under "
        "/movieagg/STAGE/; the database password and Redis token are generated when unset. "
        "Exit codes: 0 deployed or no changes; 2 bad options/cancelled; 3 configuration; "
        "5 AWS credentials; 6 region/endpoint; 7 stack or packaging failure."
    )
    def deploy(
        stage: StageOpt = None,
        region: RegionOpt = None,
        domain: Annotated[
            str | None,
            typer.Option("--domain", help="Site domain for HTTPS (ACM, DNS-validated) and DNS alias."),
        ] = None,
        hosted_zone_id: Annotated[
            str | None, typer.Option("--hosted-zone-id", help="Route 53 hosted zone of --domain.")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Create and show the change sets, execute nothing.")
        ] = False,
        package_only: Annotated[
            Path | None,
            typer.Option(
                "--package-only",
                help="Write the packaged templates and artifacts to DIR (with manifest.json); no AWS calls.",
                file_okay=False,
            ),
        ] = None,
        code_only: Annotated[
            bool, typer.Option("--code-only", help="Only rebuild and update the Lambda function's code.")
        ] = False,
        yes: YesOpt = False,
        frontend: Annotated[
            Path | None,
            typer.Option(
                "--frontend",
                help="The built front end (default: ./frontend/dist, built with npm when missing).",
                file_okay=False,
            ),
        ] = None,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
        no_lint: Annotated[bool, typer.Option("--no-lint", help="Skip the cfn-lint pre-flight.")] = False,
        parameter: Annotated[
            list[str] | None,
            typer.Option(
                "--parameter",
                "-P",
                help="Override an app-stack parameter, KEY=VALUE (repeatable), e.g. "
                "LambdaReservedConcurrency=5, DbInstanceClass=db.t4g.small, WebMaxSize=6.",
            ),
        ] = None,
    ) -> None:
        """Deploy the whole AWS architecture for a stage (CloudFormation change sets)."""
        env = _environment()
        options = _options(
            env,
            stage,
            endpoint_url,
            region=region,
            profile=profile,
            domain=domain,
            hosted_zone_id=hosted_zone_id,
            dry_run=dry_run,
            package_only=package_only,
            code_only=code_only,
            yes=yes,
            frontend=frontend,
            lint=not no_lint,
            parameters=_parameters(parameter or []),
        )
        reporter = RichReporter(_interactive())
        try:
            result = _run(lambda: _deployer(options, reporter, env).deploy())
        finally:
            reporter._stop()
        out = reporter.console
        if result.package_dir is not None:
            typer.echo(str(result.package_dir))
            return
        if options.dry_run:
            typer.echo("dry run: no changes executed" if result.changed else "no changes")
            return
        if not result.changed:
            typer.echo("no changes")
        outputs = result.outputs
        for label, key in (("Site URL", "SiteUrl"), ("API URL", "ApiUrl"), ("ALB DNS", "AlbDnsName")):
            if outputs.get(key):
                typer.echo(f"{label}: {outputs[key]}")
        if result.state_file is not None:
            out.print(f"[dim]state: {result.state_file}[/dim]")

    @app.command(
        epilog="Examples:\n\n  movieagg status\n\n  movieagg status --stage staging --json\n\n"
        "Exit codes: 0 deployed; 1 nothing deployed for this stage; 5 credentials; 6 region/endpoint."
    )
    def status(
        stage: StageOpt = None,
        region: RegionOpt = None,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show a stage's stacks, their status and outputs."""
        env = _environment()
        options = _options(env, stage, endpoint_url, region=region, profile=profile)
        reporter = _QuietReporter(False)
        info = _run(lambda: _deployer(options, reporter, env).status())
        deployed = any(s["status"] != "NOT_DEPLOYED" for s in info["stacks"])
        if json_output:
            import json

            typer.echo(json.dumps(info, indent=2, default=str))
            raise typer.Exit(0 if deployed else 1)
        from rich.console import Console
        from rich.table import Table

        console = Console(highlight=False)
        table = Table(title=f"movieagg {options.stage} ({info['region']})", title_justify="left")
        table.add_column("Stack")
        table.add_column("Status")
        table.add_column("Updated")
        for s in info["stacks"]:
            table.add_row(s["name"], f"[{_style(s['status'])}]{s['status']}[/]", s["updated"][:19])
        console.print(table)
        for s in info["stacks"]:
            for key, value in sorted(s["outputs"].items()):
                console.print(f"  {key}: {_esc(value)}")
        if not deployed:
            raise typer.Exit(1)

    @app.command(
        epilog="Examples:\n\n  movieagg destroy --stage staging\n\n"
        "  movieagg destroy --yes --purge-artifacts\n\n"
        "The database's deletion protection is lifted and a final snapshot is kept (with the KMS key "
        "that encrypts it). The artifact bucket stays unless --purge-artifacts."
    )
    def destroy(
        stage: StageOpt = None,
        region: RegionOpt = None,
        yes: YesOpt = False,
        purge_artifacts: Annotated[
            bool,
            typer.Option("--purge-artifacts", help="Also empty and delete the artifact and log buckets."),
        ] = False,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
    ) -> None:
        """Delete a stage's stacks in reverse order (the final DB snapshot is kept)."""
        env = _environment()
        options = _options(env, stage, endpoint_url, region=region, profile=profile, yes=yes)
        reporter = RichReporter(_interactive())
        try:
            removed = _run(lambda: _deployer(options, reporter, env).destroy(purge_artifacts=purge_artifacts))
        finally:
            reporter._stop()
        typer.echo(f"destroyed: {', '.join(removed)}" if removed else "nothing to destroy")
