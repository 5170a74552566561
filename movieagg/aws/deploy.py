"""`movieagg deploy / status / destroy`: the CloudFormation pipeline, plan → show → execute.

Two stacks per stage: ``movieagg-<stage>-bootstrap`` (artifact and log buckets) and
``movieagg-<stage>-app`` (everything else, see ``infra/app.yaml``). A deploy:

1. pre-flight: options, templates lint (cfn-lint when installed), the front-end build;
2. package: the Lambda zip, the site and nginx bundles, the templates (content-addressed);
3. AWS: credentials and region; bootstrap stack (change set, shown, executed);
4. upload the artifacts (skipped when the key is already there), put the secrets;
5. app stack: change set, shown as a table, confirmed, executed, stack events followed live;
6. outputs printed and recorded in a state file per stage.

Nothing here prints: progress goes to a :class:`Reporter` (the CLI's renders with rich), and
errors are :class:`~movieagg.aws.awsclient.DeployError` and friends with documented exit codes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from movieagg.core.errors import ConfigurationError, MovieAggError

if TYPE_CHECKING:
    from movieagg.aws.awsclient import AWSClient, ChangeSet, StackEvent
    from movieagg.aws.package import Artifact

DEFAULT_RESERVED_CONCURRENCY = 20  # infra/app.yaml LambdaReservedConcurrency default
STAGE_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
BOOTSTRAP_TEMPLATE = "bootstrap.yaml"
APP_TEMPLATE = "app.yaml"
TEMPLATE_BODY_LIMIT = 51_200

# SSM SecureStrings under /movieagg/<stage>/: name → (description, required, generated)
SECRETS: dict[str, tuple[str, bool, bool]] = {
    "TMDB_API_KEY": ("TMDB API key (https://www.themoviedb.org/settings/api)", False, False),
    "OMDB_API_KEY": ("OMDb API key (https://www.omdbapi.com/apikey.aspx)", False, False),
    "MOVIEAGG_DATABASE_PASSWORD": ("RDS PostgreSQL master password", True, True),
    "MOVIEAGG_REDIS_TOKEN": ("ElastiCache Redis AUTH token", True, True),
}
# Changing these in SSM alone would lock the Lambda out: RDS/ElastiCache keep the old value.
FIXED_AFTER_CREATE = frozenset({"MOVIEAGG_DATABASE_PASSWORD", "MOVIEAGG_REDIS_TOKEN"})


class UsageError(MovieAggError):
    """Options that do not go together (exit code 2)."""

    exit_code = 2
    code = "usage"


class Reporter(Protocol):
    """Where the pipeline tells what it does (the CLI renders it; tests record it)."""

    def step(self, message: str) -> None: ...
    def info(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...
    def change_set(self, change_set: ChangeSet) -> None: ...
    def event(self, event: StackEvent) -> None: ...
    def confirm(self, question: str) -> bool: ...
    def ask_secret(self, name: str, description: str) -> str | None: ...


@dataclass
class DeployOptions:
    stage: str = "prod"
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    domain: str | None = None
    hosted_zone_id: str | None = None
    dry_run: bool = False
    package_only: Path | None = None
    code_only: bool = False
    yes: bool = False
    frontend: Path | None = None
    lint: bool = True
    parameters: dict[str, str] = field(default_factory=dict)  # extra app-stack parameter overrides

    def validate(self) -> None:
        if not STAGE_RE.match(self.stage):
            raise UsageError(
                f"invalid stage {self.stage!r}: lower-case letters, digits and '-', starting with a letter"
            )
        if bool(self.domain) != bool(self.hosted_zone_id):
            raise UsageError(
                "--domain and --hosted-zone-id go together (the certificate is validated in that zone)"
            )
        if self.domain and not re.match(
            r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$", self.domain.lower()
        ):
            raise UsageError(f"not a domain name: {self.domain!r}")
        if self.hosted_zone_id and not re.match(r"^[A-Z0-9]{5,32}$", self.hosted_zone_id):
            raise UsageError(f"not a Route 53 hosted zone id: {self.hosted_zone_id!r}")
        if self.package_only and (self.dry_run or self.code_only):
            raise UsageError("--package-only writes files and talks to no AWS: drop --dry-run/--code-only")
        if self.code_only and self.dry_run:
            raise UsageError("--code-only updates the function at once: it has no dry run")


@dataclass
class DeployResult:
    stage: str
    changed: bool = False
    executed: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    state_file: Path | None = None
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    package_dir: Path | None = None


def stack_names(stage: str) -> tuple[str, str]:
    return f"movieagg-{stage}-bootstrap", f"movieagg-{stage}-app"


def ssm_prefix(stage: str) -> str:
    return f"/movieagg/{stage}/"


def state_path(home: Path, stage: str) -> Path:
    return home / "deploy" / f"{stage}.json"


def read_state(home: Path, stage: str) -> dict[str, Any] | None:
    try:
        data = json.loads(state_path(home, stage).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(home: Path, stage: str, data: Mapping[str, Any]) -> Path:
    path = state_path(home, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


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
    from movieagg.aws.package import read_template

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
    from movieagg.aws.package import read_template

    findings: list[str] = []
    for name in names:
        for match in lint(read_template(name), config=ManualArgs(regions=[region])):
            if str(match.rule.id)[0] in "EW":
                findings.append(f"{name}:{match.linenumber}: {match.rule.id} {match.message}")
    return findings


class Deployer:
    """One deploy/status/destroy run for one stage."""

    def __init__(
        self,
        options: DeployOptions,
        reporter: Reporter,
        *,
        home: Path,
        environ: Mapping[str, str] | None = None,
        aws_factory: Callable[[DeployOptions], AWSClient] | None = None,
        lambda_builder: Callable[[Path], Artifact] | None = None,
        interactive: bool = False,
    ) -> None:
        options.validate()
        self.options = options
        self.report = reporter
        self.home = home
        self.environ = dict(os.environ if environ is None else environ)
        self._aws_factory = aws_factory or _default_aws
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

    def _build_cache(self) -> Path:
        """Where installed Lambda wheels and built zips are kept between deploys."""
        return Path(self.environ.get("MOVIEAGG_BUILD_CACHE") or self.home / "cache" / "lambda-build")

    def _check_identity(self) -> dict[str, str]:
        who = self.aws.whoami()
        self.report.info(f"AWS account {who['account']} in {self.aws.region}")
        return who

    # ------------------------------------------------------------------ packaging
    def package(self, workdir: Path) -> dict[str, Artifact]:
        from movieagg.aws import package

        opts = self.options
        if opts.lint:
            self.report.step("Linting the templates")
            findings = lint_templates(region=opts.region or os.environ.get("AWS_REGION") or "us-east-1")
            if findings is None:
                self.report.warn("cfn-lint is not installed: templates not linted (pip install cfn-lint)")
            elif findings:
                raise ConfigurationError("template lint failed: " + "; ".join(findings[:5]))
        self.report.step("Packaging")
        site_dir = package.find_frontend(opts.frontend, self.report.info)
        arts: dict[str, Artifact] = {}
        started = time.monotonic()
        if self._lambda_builder is not None:
            arts["lambda"] = self._lambda_builder(workdir)
        else:
            arts["lambda"] = package.build_lambda(
                workdir, deps_cache=self._build_cache(), log=self.report.info
            )
        lam = arts["lambda"]
        self.report.info(
            f"Lambda zip: {lam.size / 1e6:.1f} MB ({lam.key}, {time.monotonic() - started:.1f} s)"
            + "".join(f"; {n}" for n in lam.notes)
        )
        if any("no local Python" in n for n in lam.notes):
            self.report.warn(lam.notes[-1])
        arts["site"] = package.build_site(site_dir, workdir)
        arts["nginx"] = package.build_nginx(workdir)
        arts["bootstrap_template"] = package.template_artifact(BOOTSTRAP_TEMPLATE, workdir)
        arts["app_template"] = package.template_artifact(APP_TEMPLATE, workdir)
        for name in ("site", "nginx"):
            a = arts[name]
            self.report.info(f"{name}: {a.size / 1e3:.1f} kB ({a.key})")
        return arts

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
            self.report.change_set(bootstrap_cs)
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
            self.report.change_set(app_cs)
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
        from movieagg.aws.awsclient import DeployError

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
        prefix = ssm_prefix(self.options.stage)
        app_exists = self.aws.describe_stack(self.app_stack) is not None
        for name, (description, _required, generated) in SECRETS.items():
            path = prefix + name
            current = self.aws.get_secure_parameter(path)
            wanted = self.environ.get(name) or None
            if (
                wanted is None
                and current is None
                and not generated
                and self.interactive
                and not self.options.yes
            ):
                wanted = self.report.ask_secret(name, description)
            if wanted is not None and current is not None and wanted == current:
                self.report.info(f"{path}: unchanged")
                continue
            if wanted is not None and current is not None and name in FIXED_AFTER_CREATE and app_exists:
                self.report.warn(
                    f"{path} already set: keeping it ({name} in the environment differs; rotating it "
                    "needs the database/cache updated too, which deploy does not do)"
                )
                continue
            if wanted is None and current is not None:
                self.report.info(f"{path}: kept")
                continue
            if wanted is None and generated:
                wanted = secrets.token_urlsafe(32)
                note = "generated"
            elif wanted is None:
                self.report.warn(f"{path}: not set ({name} not in the environment): that source stays off")
                continue
            else:
                note = "from the environment" if self.environ.get(name) else "entered"
            if dry_run:
                self.report.info(f"{path}: would be {'updated' if current else 'created'} ({note})")
                continue
            self.aws.put_secure_parameter(path, wanted, f"movieagg {self.options.stage}: {description}")
            self.report.info(f"{path}: {'updated' if current else 'created'} ({note})")

    # ------------------------------------------------------------------ --code-only
    def _code_only(self, workdir: Path, result: DeployResult) -> DeployResult:
        from movieagg.aws import package

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
        if self._lambda_builder is not None:
            art = self._lambda_builder(workdir)
        else:
            art = package.build_lambda(workdir, deps_cache=self._build_cache(), log=self.report.info)
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


def _default_aws(options: DeployOptions) -> AWSClient:
    from movieagg.aws.awsclient import AWSClient

    endpoint = options.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    return AWSClient(options.region, endpoint_url=endpoint, profile=options.profile)
