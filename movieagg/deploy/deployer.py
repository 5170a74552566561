"""`movieagg deploy`: the CloudFormation pipeline, plan → show (with its cost) → execute → check.

Two stacks per stage: ``movieagg-<stage>-bootstrap`` (artifact and log buckets) and
``movieagg-<stage>-app`` (everything else, see ``infra/app.yaml``). A deploy:

1. pre-flight: credentials and region, the size, options, templates lint, the front-end build;
2. plan: the Lambda zip, the site and nginx bundles, the templates (content-addressed), and the
   monthly cost estimate at list prices (:mod:`movieagg.deploy.plan`);
3. bootstrap stack (change set, shown, executed), artifacts uploaded, secrets put;
4. app stack: change set shown as a table, confirmed with the estimate, executed, events followed;
5. outputs printed with a one-line health check of the API, and recorded in a state file.

Nothing here prints: progress goes to a :class:`~movieagg.deploy.options.Reporter`. Status and
destroy are :mod:`movieagg.deploy.teardown`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from movieagg.core.errors import ConfigurationError
from movieagg.deploy import plan
from movieagg.deploy.errors import UsageError
from movieagg.deploy.options import DeployOptions, DeployResult, Reporter
from movieagg.deploy.outputs import APP_OUTPUTS, BOOTSTRAP_OUTPUTS, read_outputs
from movieagg.deploy.secrets import put_secrets, ssm_prefix
from movieagg.deploy.sizes import DEFAULT_SIZE, SIZES, UNUSED_SECRETS
from movieagg.deploy.stage import StageRun
from movieagg.deploy.state import write_state
from movieagg.deploy.templates import DEFAULT_RESERVED_CONCURRENCY, TEMPLATE_BODY_LIMIT

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.deploy.archives import Artifact
    from movieagg.deploy.awsclient import AWSClient
    from movieagg.deploy.stacks import ChangeSet


class Deployer(StageRun):
    """One `movieagg deploy` run for one stage."""

    def __init__(
        self,
        options: DeployOptions,
        reporter: Reporter,
        *,
        home: Path,
        settings: Settings | None = None,
        aws_factory: Callable[[DeployOptions], AWSClient] | None = None,
        lambda_builder: Callable[[Path], Artifact] | None = None,
        interactive: bool = False,
    ) -> None:
        super().__init__(
            options, reporter, home=home, settings=settings, aws_factory=aws_factory, interactive=interactive
        )
        self._lambda_builder = lambda_builder
        self.size = options.size or DEFAULT_SIZE

    # ------------------------------------------------------------------ deploy
    def deploy(self) -> DeployResult:
        opts = self.options
        result = DeployResult(stage=opts.stage)
        with tempfile.TemporaryDirectory(prefix="movieagg-deploy-") as tmp:
            workdir = Path(tmp)
            if opts.code_only:
                return self._code_only(workdir, result)
            offline = opts.package_only is not None
            if not offline:
                self.report.step("Pre-flight: AWS credentials and region")
                self.check_identity()
                self.size = self.resolve_size()
            result.size = self.size
            wanted = plan.app_parameters(
                opts, self.size, None, {}
            )  # bad parameters fail here, before anything
            if opts.lint:
                plan.lint(opts, self.settings, self.report)
            arts = plan.build_artifacts(opts, self.settings, self.report, workdir, self._lambda_builder)
            result.artifacts = dict(arts)
            region = (opts.region or self.settings.aws_region or "us-east-1") if offline else self.aws.region
            result.estimate = plan.estimate(opts, self.size, region)
            self.report.estimate(result.estimate)
            if opts.package_only is not None:
                result.package_dir = opts.package_only
                path = plan.write_package(opts, self.size, arts, opts.package_only, result.estimate)
                self.report.info(f"Wrote {len(arts)} artifacts and {path}")
                return result
            if not opts.domain:
                self.report.warn(
                    "no --domain: the site is served over plain HTTP at the load balancer's name "
                    "(ACM cannot issue a certificate for amazonaws.com names). Pass --domain and "
                    "--hosted-zone-id for HTTPS with an HTTP→HTTPS redirect."
                )
            self._check_lambda_concurrency(
                int(wanted.get("LambdaReservedConcurrency", DEFAULT_RESERVED_CONCURRENCY))
            )
            bootstrap = self._bootstrap(arts, result)
            self._app(arts, bootstrap, result)
            if opts.dry_run:
                self.report.info("Dry run: change sets shown and deleted, nothing executed")
                return result
            if not result.changed:
                self.report.info("No changes: the deployment is up to date")
            result.outputs = self._outputs(self.app_stack, APP_OUTPUTS)
            result.health = self._health(result.outputs.get("ApiUrl", ""))
            result.state_file = self._record(result, bootstrap, arts)
        return result

    def resolve_size(self) -> str:
        """--size, else the size the stage was deployed with, else full."""
        if self.options.size:
            return self.options.size
        stack = self.aws.describe_stack(self.app_stack) or {}
        deployed = {
            str(p.get("ParameterKey")): str(p.get("ParameterValue")) for p in stack.get("Parameters", [])
        }
        if deployed.get("Size") in SIZES:
            self.report.info(f"size {deployed['Size']}, as deployed (--size changes it)")
            return deployed["Size"]
        return DEFAULT_SIZE

    def _bootstrap(self, arts: dict[str, Artifact], result: DeployResult) -> dict[str, str]:
        opts = self.options
        self.report.step(f"Stack {self.bootstrap_stack}")
        change_set = self.aws.create_change_set(
            self.bootstrap_stack,
            template_body=arts["bootstrap_template"].path.read_text(encoding="utf-8"),
            parameters={"Stage": opts.stage},
            tags=self._tags(),
            description=f"movieagg deploy ({opts.stage}): bootstrap",
        )
        self._apply(change_set, result)
        if self.aws.describe_stack(self.bootstrap_stack) is None:
            return {}  # a dry run of a new stage
        bootstrap = self._outputs(self.bootstrap_stack, BOOTSTRAP_OUTPUTS)
        if not opts.dry_run:
            self.report.step("Uploading artifacts")
            bucket = bootstrap["ArtifactBucketName"]
            for name in ("lambda", "site", "nginx", "app_template"):
                art = arts[name]
                uploaded = self.aws.upload(bucket, art.key, art.path, art.content_type)
                self.report.info(f"{'uploaded' if uploaded else 'unchanged'}: s3://{bucket}/{art.key}")
        return bootstrap

    def _app(self, arts: dict[str, Artifact], bootstrap: dict[str, str], result: DeployResult) -> None:
        opts = self.options
        self.report.step(f"Secrets in SSM Parameter Store under {ssm_prefix(opts.stage)}")
        self.put_secrets(dry_run=opts.dry_run)
        self.report.step(f"Stack {self.app_stack} (size {self.size})")
        body = arts["app_template"].path.read_text(encoding="utf-8")
        use_url = bool(bootstrap) and not opts.dry_run and len(body.encode()) > TEMPLATE_BODY_LIMIT
        url = (
            self.aws.template_url(bootstrap["ArtifactBucketName"], arts["app_template"].key)
            if use_url
            else None
        )
        change_set = self.aws.create_change_set(
            self.app_stack,
            template_body=None if use_url else body,
            template_url=url,
            parameters=plan.app_parameters(opts, self.size, arts, bootstrap),
            tags=self._tags(),
            description=f"movieagg deploy ({opts.stage}, {self.size}): app {arts['lambda'].key}",
        )
        cost = result.estimate
        self._apply(
            change_set, result, f" (estimated ${cost.total:,.2f}/month before traffic)" if cost else ""
        )

    def _apply(self, change_set: ChangeSet, result: DeployResult, cost: str = "") -> None:
        for note in change_set.notes:
            self.report.info(note)
        self.report.change_set(change_set)
        if change_set.empty:
            return
        result.changed = True
        if self.options.dry_run:
            self.aws.delete_change_set(change_set)
            return
        self._confirm_and_execute(change_set, cost)
        result.executed = True

    def _confirm_and_execute(self, change_set: ChangeSet, cost: str = "") -> None:
        if not self.options.yes:
            if not self.interactive:
                self.aws.delete_change_set(change_set)
                raise UsageError("not a terminal: pass --yes to execute the change set without asking")
            if not self.report.confirm(f"Execute these changes on {change_set.stack_name}{cost}?"):
                self.aws.delete_change_set(change_set)
                raise UsageError("cancelled: change set deleted, nothing changed")
        before = self.aws.event_ids(change_set.stack_name)
        self.aws.execute_change_set(change_set)
        status = self.aws.wait_stack(change_set.stack_name, self.report.event, since=before)
        if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            self.fail(change_set.stack_name, status, before)

    def _outputs(self, stack: str, wanted: tuple[str, ...]) -> dict[str, str]:
        return read_outputs(
            self.aws,
            stack,
            wanted,
            account=self.check_identity()["account"],
            stage=self.options.stage,
            domain=self.options.domain,
        )

    def _health(self, api_url: str) -> str:
        if self.options.endpoint_url or self.settings.aws_endpoint_url:
            return "not checked (with --endpoint-url the API URL is AWS's, not the endpoint's)"
        from movieagg.deploy.health import check_health

        return check_health(api_url)

    def _record(self, result: DeployResult, bootstrap: dict[str, str], arts: dict[str, Artifact]) -> Path:
        return write_state(
            self.home,
            self.options.stage,
            {
                "stage": self.options.stage,
                "size": self.size,
                "region": self.aws.region,
                "account": self.check_identity()["account"],
                "endpoint_url": self.options.endpoint_url,
                "stacks": [self.bootstrap_stack, self.app_stack],
                "site_url": result.outputs.get("SiteUrl", ""),
                "api_url": result.outputs.get("ApiUrl", ""),
                "alb_dns_name": result.outputs.get("AlbDnsName", ""),
                "health": result.health,
                "estimate_monthly_usd": result.estimate.total if result.estimate else None,
                "outputs": result.outputs,
                "bootstrap_outputs": bootstrap,
                "artifacts": {k: a.key for k, a in arts.items()},
                "deployed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )

    def _check_lambda_concurrency(self, wanted: int) -> None:
        """Reserved concurrency must leave the account 10 unreserved executions (new accounts: 10 in all)."""
        limit = self.aws.lambda_concurrency_limit()
        if limit is None:
            self.report.warn("could not read the account's Lambda concurrency limit; not checked")
            return
        if limit - 10 < wanted:
            raise ConfigurationError(
                f"this account's Lambda concurrency limit in {self.aws.region} is {limit}: reserve at most "
                f"{max(limit - 10, 0)} with --parameter LambdaReservedConcurrency=N, or ask AWS for a higher "
                "limit (Service Quotas)"
            )

    def _tags(self) -> dict[str, str]:
        return {"project": "movieagg", "stage": self.options.stage}

    # ------------------------------------------------------------------ secrets
    def put_secrets(self, *, dry_run: bool) -> None:
        put_secrets(
            self.aws,
            self.report,
            self.settings,
            stage=self.options.stage,
            app_exists=self.aws.describe_stack(self.app_stack) is not None,
            ask=self.interactive and not self.options.yes,
            dry_run=dry_run,
            unused=UNUSED_SECRETS.get(self.size, frozenset()),
        )

    # ------------------------------------------------------------------ --code-only
    def _code_only(self, workdir: Path, result: DeployResult) -> DeployResult:
        self.report.step("Pre-flight: AWS credentials and region")
        self.check_identity()
        if (
            self.aws.describe_stack(self.app_stack) is None
            or self.aws.describe_stack(self.bootstrap_stack) is None
        ):
            raise ConfigurationError(
                f"stage {self.options.stage!r} is not deployed: "
                "run `movieagg deploy` without --code-only first"
            )
        outputs = self._outputs(self.app_stack, ("FunctionName",))
        bootstrap = self._outputs(self.bootstrap_stack, ("ArtifactBucketName",))
        self.report.step("Packaging the Lambda")
        art = (
            self._lambda_builder(workdir)
            if self._lambda_builder
            else plan.build_lambda(self.settings, self.report, workdir)
        )
        self.report.info(f"Lambda zip: {art.size / 1e6:.1f} MB ({art.key})")
        bucket = bootstrap["ArtifactBucketName"]
        self.aws.upload(bucket, art.key, art.path, art.content_type)
        self.report.step(f"Updating {outputs['FunctionName']}")
        sha = self.aws.update_function_code(outputs["FunctionName"], bucket, art.key)
        self.aws.wait_function_updated(outputs["FunctionName"])
        self.report.info(f"code updated (CodeSha256 {sha[:12]}…)")
        result.changed = result.executed = True
        result.outputs = outputs
        result.artifacts = {"lambda": art}
        return result


__all__ = ["Deployer"]
