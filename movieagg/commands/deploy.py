"""`movieagg deploy` and its sub-commands `status`, `destroy` and `cost`: the AWS stacks of a stage.

`movieagg deploy [options]` deploys (a Typer callback that runs when no sub-command is given);
`movieagg deploy status | destroy | cost` look at, remove or price a stage. The top-level
`movieagg status` and `movieagg destroy` of earlier releases stay as hidden aliases.

Exit codes (besides the root command's): 2 bad options or cancelled; 3 configuration (no
front-end build, template lint failed, stage not deployed for --code-only); 5 AWS credentials
missing or rejected; 6 no region, unknown region or endpoint unreachable; 7 a stack operation or
packaging step failed (what failed and CloudFormation's reason are printed; nothing is left that
blocks the next deploy). boto3 is imported only inside these commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    typer.Option(
        "--region", help="AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's)."
    ),
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
    str | None,
    typer.Option(
        "--profile", help="AWS credentials profile, as the AWS CLI means it (default: AWS_PROFILE)."
    ),
]
SizeOpt = Annotated[
    str | None,
    typer.Option(
        "--size",
        help="full: the architecture as specified (two AZs, NAT gateways, Multi-AZ RDS, ElastiCache); "
        "small: a personal install (one AZ, a NAT instance, single-AZ RDS, no ElastiCache). "
        "Default: the deployed stage's size, else full.",
        show_default=False,
    ),
]
PurgeOpt = Annotated[
    bool, typer.Option("--purge-artifacts", help="Also empty and delete the artifact and log buckets.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
ParameterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--parameter",
        "-P",
        help="Override an app-stack parameter, KEY=VALUE (repeatable), e.g. "
        "LambdaReservedConcurrency=5, DbInstanceClass=db.t4g.small, WebMaxSize=6.",
    ),
]
EXIT_CODES = (
    "Exit codes: 0 deployed or no changes; 2 bad options/cancelled; 3 configuration; "
    "5 AWS credentials; 6 region/endpoint; 7 stack or packaging failure (the failed change set "
    "and any empty stack are removed)."
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


def _size(value: str | None) -> str | None:
    if value is not None and value not in ("full", "small"):
        raise typer.BadParameter(f"{value!r}: full or small", param_hint="--size")
    return value


def register(app: typer.Typer) -> None:
    from movieagg.commands import deploy_actions as actions

    deploy_app = typer.Typer(
        name="deploy",
        help="Deploy the whole AWS architecture for a stage; `deploy status | destroy | cost` for the rest.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(deploy_app, name="deploy")

    @deploy_app.callback(
        invoke_without_command=True,
        epilog="Examples:\n\n"
        "  movieagg deploy --stage prod --region eu-west-1\n\n"
        "  movieagg deploy --size small --alarm-email me@example.com\n\n"
        "  movieagg deploy --domain movies.example.com --hosted-zone-id Z0123456789ABC --yes\n\n"
        "  movieagg deploy --dry-run            (change sets and the cost estimate, nothing executed)\n\n"
        "  movieagg deploy --code-only\n\n"
        "  movieagg deploy --package-only build/deploy\n\n"
        "  movieagg deploy status | destroy | cost   (see `movieagg deploy COMMAND --help`)\n\n"
        "Secrets (TMDB_API_KEY, OMDB_API_KEY, MOVIEAGG_DATABASE_PASSWORD, MOVIEAGG_REDIS_TOKEN) are "
        "read from the environment or a hidden prompt and stored as SSM SecureStrings under "
        "/movieagg/STAGE/; the database password and Redis token are generated when unset. " + EXIT_CODES,
    )
    def deploy(
        ctx: typer.Context,
        stage: StageOpt = None,
        region: RegionOpt = None,
        size: SizeOpt = None,
        domain: Annotated[
            str | None,
            typer.Option("--domain", help="Site domain for HTTPS (ACM, DNS-validated) and DNS alias."),
        ] = None,
        hosted_zone_id: Annotated[
            str | None, typer.Option("--hosted-zone-id", help="Route 53 hosted zone of --domain.")
        ] = None,
        alarm_email: Annotated[
            str | None,
            typer.Option("--alarm-email", help="E-mail the CloudWatch alarms here (SNS asks to confirm)."),
        ] = None,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="Show the cost estimate and the change sets; execute nothing."),
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
        parameter: ParameterOpt = None,
    ) -> None:
        """Deploy the whole AWS architecture for a stage (CloudFormation change sets)."""
        if ctx.invoked_subcommand is not None:
            return
        actions.deploy(
            stage,
            region,
            endpoint_url,
            profile,
            size=_size(size),
            domain=domain,
            hosted_zone_id=hosted_zone_id,
            alarm_email=alarm_email,
            dry_run=dry_run,
            package_only=package_only,
            code_only=code_only,
            yes=yes,
            frontend=frontend,
            lint=not no_lint,
            parameters=_parameters(parameter or []),
        )

    status_epilog = (
        "Examples:\n\n  movieagg deploy status\n\n  movieagg deploy status --stage staging --json\n\n"
        "Exit codes: 0 deployed; 1 nothing deployed for this stage; 5 credentials; 6 region/endpoint."
    )

    @deploy_app.command("status", epilog=status_epilog)
    def status(
        stage: StageOpt = None,
        region: RegionOpt = None,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Show a stage's stacks, their status, size and outputs."""
        actions.status(stage, region, endpoint_url, profile, json_output)

    destroy_epilog = (
        "Examples:\n\n  movieagg deploy destroy --stage staging\n\n"
        "  movieagg deploy destroy --yes --purge-artifacts\n\n"
        "The database's deletion protection is lifted and a final snapshot is kept (with the KMS key "
        "that encrypts it). The artifact bucket stays unless --purge-artifacts."
    )

    @deploy_app.command("destroy", epilog=destroy_epilog)
    def destroy(
        stage: StageOpt = None,
        region: RegionOpt = None,
        yes: YesOpt = False,
        purge_artifacts: PurgeOpt = False,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
    ) -> None:
        """Delete a stage's stacks in reverse order (the final DB snapshot is kept)."""
        actions.destroy(stage, region, endpoint_url, profile, yes, purge_artifacts)

    @deploy_app.command(
        "cost",
        epilog="Examples:\n\n  movieagg deploy cost\n\n"
        "  movieagg deploy cost --size small --region eu-west-1\n\n"
        "  movieagg deploy cost --json -P DbInstanceClass=db.t4g.small\n\n"
        "No AWS call and no credentials needed: the estimate comes from the templates and the list "
        "prices shipped with movieagg (movieagg/deploy/prices.json, dated, with their sources).",
    )
    def cost(
        size: SizeOpt = None,
        region: RegionOpt = None,
        stage: StageOpt = None,
        alarm_email: Annotated[str | None, typer.Option("--alarm-email", help="As for deploy.")] = None,
        parameter: ParameterOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        """Estimate what a stage costs per month at list prices, before traffic."""
        actions.cost(_size(size), region, stage, alarm_email, _parameters(parameter or []), json_output)

    # The top-level commands of earlier releases, kept as hidden aliases.
    @app.command("status", hidden=True, help="Alias of `movieagg deploy status`.")
    def status_alias(
        stage: StageOpt = None,
        region: RegionOpt = None,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
        json_output: JsonOpt = False,
    ) -> None:
        actions.alias_note("status", "deploy status")
        actions.status(stage, region, endpoint_url, profile, json_output)

    @app.command("destroy", hidden=True, help="Alias of `movieagg deploy destroy`.")
    def destroy_alias(
        stage: StageOpt = None,
        region: RegionOpt = None,
        yes: YesOpt = False,
        purge_artifacts: PurgeOpt = False,
        endpoint_url: EndpointOpt = None,
        profile: ProfileOpt = None,
    ) -> None:
        actions.alias_note("destroy", "deploy destroy")
        actions.destroy(stage, region, endpoint_url, profile, yes, purge_artifacts)
