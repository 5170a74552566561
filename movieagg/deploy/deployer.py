"""`movieagg deploy / status / destroy`: the CloudFormation pipeline, plan → show → execute.

Two stacks per stage: ``movieagg-<stage>-bootstrap`` (artifact and log buckets) and
``movieagg-<stage>-app`` (everything else, see ``infra/app.yaml``). A deploy:

1. pre-flight: options, templates lint (cfn-lint when installed), the front-end build;
2. package: the Lambda zip, the site and nginx bundles, the templates (content-addressed);
3. AWS: credentials and region; bootstrap stack (change set, shown, executed);
4. upload the artifacts (skipped when the key is already there), put the secrets;
5. app stack: change set, shown as a table, confirmed, executed, stack events followed live;
6. outputs printed and recorded in a state file per stage.

Nothing here prints: progress goes to a :class:`~movieagg.deploy.options.Reporter` (the CLI's
renders with rich), and errors are :mod:`movieagg.deploy.errors` with documented exit codes.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.deploy import bundles
from movieagg.deploy.errors import DeployError, UsageError
from movieagg.deploy.options import DeployOptions, DeployResult, Reporter, stack_names
from movieagg.deploy.secrets import put_secrets, ssm_prefix
from movieagg.deploy.state import read_state, state_path, write_state
from movieagg.deploy.templates import (
    APP_TEMPLATE,
    BOOTSTRAP_TEMPLATE,
    DEFAULT_RESERVED_CONCURRENCY,
    TEMPLATE_BODY_LIMIT,
    lint_templates,
)

if TYPE_CHECKING:
    from movieagg.deploy.archives import Artifact
    from movieagg.deploy.awsclient import AWSClient
    from movieagg.deploy.stacks import ChangeSet


class Deployer:
    """One deploy/status/destroy run for one stage."""

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
        """``home``: where the stage's state file goes; ``settings``: the environment (default:
        the process's, without the config file — secrets come from the environment or a prompt)."""
        options.validate()
        self.options = options
        self.report = reporter
        self.home = home
        self.settings = settings or Settings.from_env(read_file=False)
        self._aws_factory = aws_factory or (lambda o: _default_aws(o, self.settings))
        self._lambda_builder = lambda_builder
        self.interactive = interactive
        self.bootstrap_stack, self.app_stack = stack_names(options.stage)
        self._aws: AWSClient | None = None

    # ------------------------------------------------------------------ plumbing
    @property
    def aws(self) -> AWSClient:
        if self._aws is None:
            self._aws = self._aws_factory(self.options)
        return self._aws

    def _check_identity(self) -> dict[str, str]:
        who = self.aws.whoami()
        self.report.info(f"AWS account {who['account']} in {self.aws.region}")
        return who

    # ------------------------------------------------------------------ packaging
    def package(self, workdir: Path) -> dict[str, Artifact]:
        opts = self.options
        if opts.lint:
            self.report.step("Linting the templates")
            findings = lint_templates(region=opts.region or self.settings.aws_region or "us-east-1")
            if findings is None:
                self.report.warn("cfn-lint is not installed: templates not linted (pip install cfn-lint)")
            elif findings:
                raise ConfigurationError("template lint failed: " + "; ".join(findings[:5]))
        self.report.step("Packaging")
        site_dir = bundles.find_frontend(opts.frontend or self.settings.frontend_dir, self.report.info)
        arts: dict[str, Artifact] = {}
        started = time.monotonic()
        arts["lambda"] = self._build_lambda(workdir)
        lam = arts["lambda"]
        self.report.info(
            f"Lambda zip: {lam.size / 1e6:.1f} MB ({lam.key}, {time.monotonic() - started:.1f} s)"
            + "".join(f"; {n}" for n in lam.notes)
        )
        if any("no local Python" in n for n in lam.notes):
            self.report.warn(lam.notes[-1])
        arts["site"] = bundles.build_site(site_dir, workdir)
        arts["nginx"] = bundles.build_nginx(workdir)
        arts["bootstrap_template"] = bundles.template_artifact(BOOTSTRAP_TEMPLATE, workdir)
        arts["app_template"] = bundles.template_artifact(APP_TEMPLATE, workdir)
        for name in ("site", "nginx"):
            a = arts[name]
            self.report.info(f"{name}: {a.size / 1e3:.1f} kB ({a.key})")
        return arts

    def _build_lambda(self, workdir: Path) -> Artifact:
        """The Lambda zip; wheels and built zips are kept between deploys (MOVIEAGG_BUILD_CACHE)."""
        if self._lambda_builder is not None:
            return self._lambda_builder(workdir)
        from movieagg.deploy.package import build_lambda, find_python

        return build_lambda(
            workdir,
            deps_cache=self.settings.build_cache,
            python=find_python(settings=self.settings),
            log=self.report.info,
        )

    def app_parameters(self, arts: Mapping[str, Artifact], bootstrap: Mapping[str, str]) -> dict[str, str]:
        params = {
            "Stage": self.options.stage,
            "ArtifactBucket": bootstrap.get("ArtifactBucketName", "<artifact bucket>"),
            "ArtifactKeyArn": bootstrap.get("ArtifactKeyArn", "<artifact key>"),
            "LogsBucket": bootstrap.get("LogsBucketName", "<logs bucket>"),
            "LambdaCodeKey": arts["lambda"].key,
            "SiteKey": arts["site"].key,
            "NginxKey": arts["nginx"].key,
            "DomainName": self.options.domain or "",
            "HostedZoneId": self.options.hosted_zone_id or "",
        }
        params.update(self.options.parameters)
        return params

    def write_package(self, arts: Mapping[str, Artifact], dest: Path) -> Path:
        """--package-only: the artifacts under their S3 keys + parameters and a manifest."""
        import shutil

        dest.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, Any] = {"stage": self.options.stage, "stacks": {}, "artifacts": {}}
        for name, art in arts.items():
            out = dest / art.key
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(art.path, out)
            manifest["artifacts"][name] = {"key": art.key, "sha256": art.sha256, "size": art.size}
        manifest["stacks"][self.bootstrap_stack] = {
            "template": arts["bootstrap_template"].key,
            "parameters": {"Stage": self.options.stage},
        }
        manifest["stacks"][self.app_stack] = {
            "template": arts["app_template"].key,
            "parameters": self.app_parameters(arts, {}),
        }
        path = dest / "manifest.json"
        path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    # ------------------------------------------------------------------ deploy
    def deploy(self) -> DeployResult:
        opts = self.options
        result = DeployResult(stage=opts.stage)
        with tempfile.TemporaryDirectory(prefix="movieagg-deploy-") as tmp:
            workdir = Path(tmp)
            if opts.code_only:
                return self._code_only(workdir, result)
            if opts.package_only is None:
                self.report.step("Pre-flight: AWS credentials and region")
                who = self._check_identity()
            arts = self.package(workdir)
            result.artifacts = dict(arts)
            if opts.package_only is not None:
                result.package_dir = opts.package_only
                path = self.write_package(arts, opts.package_only)
                self.report.info(f"Wrote {len(arts)} artifacts and {path}")
                return result
            if not opts.domain:
                self.report.warn(
                    "no --domain: the site is served over plain HTTP at the load balancer's name "
                    "(ACM cannot issue a certificate for amazonaws.com names). Pass --domain and "
                    "--hosted-zone-id for HTTPS with an HTTP→HTTPS redirect."
                )

            self._check_lambda_concurrency()

            # -------- bootstrap stack
            self.report.step(f"Stack {self.bootstrap_stack}")
            bootstrap_cs = self.aws.create_change_set(
                self.bootstrap_stack,
                template_body=arts["bootstrap_template"].path.read_text(encoding="utf-8"),
                parameters={"Stage": opts.stage},
                tags=self._tags(),
                description=f"movieagg deploy ({opts.stage}): bootstrap",
            )
            self._show(bootstrap_cs)
            if not bootstrap_cs.empty:
                result.changed = True
                if opts.dry_run:
                    self.aws.delete_change_set(bootstrap_cs)
                else:
                    self._confirm_and_execute(bootstrap_cs)
                    result.executed = True
            bootstrap = self.aws.stack_outputs(self.bootstrap_stack)

            # -------- artifacts and secrets
            if bootstrap and not opts.dry_run:
                self.report.step("Uploading artifacts")
                bucket = bootstrap["ArtifactBucketName"]
                for name in ("lambda", "site", "nginx", "app_template"):
                    art = arts[name]
                    uploaded = self.aws.upload(bucket, art.key, art.path, art.content_type)
                    self.report.info(f"{'uploaded' if uploaded else 'unchanged'}: s3://{bucket}/{art.key}")
            self.report.step(f"Secrets in SSM Parameter Store under {ssm_prefix(opts.stage)}")
            self.put_secrets(dry_run=opts.dry_run)

            # -------- app stack
            self.report.step(f"Stack {self.app_stack}")
            params = self.app_parameters(arts, bootstrap)
            app_body = arts["app_template"].path.read_text(encoding="utf-8")
            use_url = bool(bootstrap) and not opts.dry_run and len(app_body.encode()) > TEMPLATE_BODY_LIMIT
            app_cs = self.aws.create_change_set(
                self.app_stack,
                template_body=None if use_url else app_body,
                template_url=self.aws.template_url(bootstrap["ArtifactBucketName"], arts["app_template"].key)
                if use_url
                else None,
                parameters=params,
                tags=self._tags(),
                description=f"movieagg deploy ({opts.stage}): app {arts['lambda'].key}",
            )
            self._show(app_cs)
            if not app_cs.empty:
                result.changed = True
                if opts.dry_run:
                    self.aws.delete_change_set(app_cs)
                else:
                    self._confirm_and_execute(app_cs)
                    result.executed = True

            if opts.dry_run:
                self.report.info("Dry run: change sets shown and deleted, nothing executed")
                return result
            if not result.changed:
                self.report.info("No changes: the deployment is up to date")
            result.outputs = self.aws.stack_outputs(self.app_stack)
            result.state_file = write_state(
                self.home,
                opts.stage,
                {
                    "stage": opts.stage,
                    "region": self.aws.region,
                    "account": who["account"],
                    "endpoint_url": opts.endpoint_url,
                    "stacks": [self.bootstrap_stack, self.app_stack],
                    "site_url": result.outputs.get("SiteUrl", ""),
                    "api_url": result.outputs.get("ApiUrl", ""),
                    "alb_dns_name": result.outputs.get("AlbDnsName", ""),
                    "outputs": result.outputs,
                    "bootstrap_outputs": bootstrap,
                    "artifacts": {k: a.key for k, a in arts.items()},
                    "deployed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )
        return result

    def _check_lambda_concurrency(self) -> None:
        """Reserved concurrency must leave the account 10 unreserved executions (new accounts: 10 in all)."""
        wanted = int(self.options.parameters.get("LambdaReservedConcurrency", DEFAULT_RESERVED_CONCURRENCY))
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

    def _show(self, change_set: ChangeSet) -> None:
        for note in change_set.notes:
            self.report.info(note)
        self.report.change_set(change_set)

    def _tags(self) -> dict[str, str]:
        return {"project": "movieagg", "stage": self.options.stage}

    def _confirm_and_execute(self, change_set: ChangeSet) -> None:
        opts = self.options
        if not opts.yes:
            if not self.interactive:
                self.aws.delete_change_set(change_set)
                raise UsageError("not a terminal: pass --yes to execute the change set without asking")
            if not self.report.confirm(f"Execute these changes on {change_set.stack_name}?"):
                self.aws.delete_change_set(change_set)
                raise UsageError("cancelled: change set deleted, nothing changed")
        before = self.aws.event_ids(change_set.stack_name)
        self.aws.execute_change_set(change_set)
        status = self.aws.wait_stack(change_set.stack_name, self.report.event, since=before)
        if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            self._fail(change_set.stack_name, status, before)

    def _fail(self, stack_name: str, status: str, before: set[str]) -> None:
        failures = [
            e
            for e in self.aws.events(stack_name)
            if e.event_id not in before
            and e.status.endswith("_FAILED")
            and e.reason
            and "cancelled" not in e.reason.lower()
        ]
        first = failures[0] if failures else None
        why = (
            f"{first.logical_id} ({first.resource_type}): {first.reason}" if first else "see the stack events"
        )
        rollback = {
            "ROLLBACK_COMPLETE": "the new stack was rolled back; the next deploy removes and recreates it",
            "UPDATE_ROLLBACK_COMPLETE": "rolled back to the previous deployment",
        }.get(status, f"stack left in {status}")
        raise DeployError(f"{stack_name} failed: {why}; {rollback}")

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
        )

    # ------------------------------------------------------------------ --code-only
    def _code_only(self, workdir: Path, result: DeployResult) -> DeployResult:
        self.report.step("Pre-flight: AWS credentials and region")
        self._check_identity()
        outputs = self.aws.stack_outputs(self.app_stack)
        bootstrap = self.aws.stack_outputs(self.bootstrap_stack)
        if not outputs.get("FunctionName") or not bootstrap.get("ArtifactBucketName"):
            raise ConfigurationError(
                f"stage {self.options.stage!r} is not deployed: "
                "run `movieagg deploy` without --code-only first"
            )
        self.report.step("Packaging the Lambda")
        art = self._build_lambda(workdir)
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

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        self._check_identity()
        stacks = []
        for name in (self.bootstrap_stack, self.app_stack):
            stack = self.aws.describe_stack(name)
            stacks.append(
                {
                    "name": name,
                    "status": stack.get("StackStatus") if stack else "NOT_DEPLOYED",
                    "updated": str(stack.get("LastUpdatedTime") or stack.get("CreationTime") or "")
                    if stack
                    else "",
                    "outputs": {
                        str(o["OutputKey"]): str(o.get("OutputValue", ""))
                        for o in (stack or {}).get("Outputs", [])
                    },
                }
            )
        return {
            "stage": self.options.stage,
            "region": self.aws.region,
            "stacks": stacks,
            "state_file": str(state_path(self.home, self.options.stage)),
            "state": read_state(self.home, self.options.stage),
        }

    # ------------------------------------------------------------------ destroy
    def destroy(self, *, purge_artifacts: bool = False) -> list[str]:
        """Delete the app stack (then the bootstrap stack with ``purge_artifacts``); returns what went."""
        self.report.step("Pre-flight: AWS credentials and region")
        self._check_identity()
        app = self.aws.describe_stack(self.app_stack)
        boot = self.aws.describe_stack(self.bootstrap_stack)
        if app is None and (boot is None or not purge_artifacts):
            self.report.info(f"stage {self.options.stage!r}: nothing to destroy")
            state_path(self.home, self.options.stage).unlink(missing_ok=True)
            return []
        what = [self.app_stack] if app is not None else []
        if purge_artifacts and boot is not None:
            what.append(f"{self.bootstrap_stack} and its buckets (all artifact versions and logs)")
        if not self.options.yes:
            if not self.interactive:
                raise UsageError("not a terminal: pass --yes to destroy without asking")
            if not self.report.confirm(f"Delete {', '.join(what)}? A final DB snapshot is kept."):
                raise UsageError("cancelled: nothing deleted")
        removed: list[str] = []
        if app is not None:
            outputs = {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in app.get("Outputs", [])}
            db = outputs.get("DatabaseInstance")
            if db:
                self.report.step(f"Lifting deletion protection on {db} (a final snapshot is taken on delete)")
                self.aws.disable_db_deletion_protection(db)
            self.report.step(f"Deleting {self.app_stack}")
            before = self.aws.event_ids(self.app_stack)
            self.aws.delete_stack(self.app_stack)
            status = self.aws.wait_stack(self.app_stack, self.report.event, deleting=True, since=before)
            if status != "DELETE_COMPLETE":
                self._fail(self.app_stack, status, before)
            removed.append(self.app_stack)
        if purge_artifacts and boot is not None:
            outputs = {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in boot.get("Outputs", [])}
            for key in ("ArtifactBucketName", "LogsBucketName"):
                bucket = outputs.get(key)
                if bucket:
                    n = self.aws.empty_bucket(bucket)
                    self.aws.delete_bucket(bucket)
                    self.report.info(f"emptied ({n} objects) and deleted s3://{bucket}")
            self.report.step(f"Deleting {self.bootstrap_stack}")
            before = self.aws.event_ids(self.bootstrap_stack)
            self.aws.delete_stack(self.bootstrap_stack)
            status = self.aws.wait_stack(self.bootstrap_stack, self.report.event, deleting=True, since=before)
            if status != "DELETE_COMPLETE":
                self._fail(self.bootstrap_stack, status, before)
            removed.append(self.bootstrap_stack)
        elif boot is not None:
            self.report.info(f"kept {self.bootstrap_stack} (artifact bucket): --purge-artifacts removes it")
        self.report.info(
            f"kept: the final DB snapshot, the KMS keys that encrypt it, and the SSM parameters under "
            f"{ssm_prefix(self.options.stage)}"
        )
        state_path(self.home, self.options.stage).unlink(missing_ok=True)
        return removed


def _default_aws(options: DeployOptions, settings: Settings) -> AWSClient:
    from movieagg.deploy.awsclient import AWSClient

    endpoint = options.endpoint_url or settings.aws_endpoint_url
    # --region, then AWS_REGION, then AWS_DEFAULT_REGION (Settings), then the profile's (boto3).
    region = options.region or settings.aws_region
    return AWSClient(region, endpoint_url=endpoint, profile=options.profile)


__all__ = ["Deployer"]
