"""A small typed facade over the boto3 calls `movieagg deploy/status/destroy` make.

Every AWS error is mapped here, where it enters, onto the deploy error tree
(:mod:`movieagg.deploy.errors`: bad credentials, unknown region, failed stack operation …), so
the rest of the deploy code and the CLI deal in one kind of exception. Waiting is done by
polling with an injectable ``sleep`` (tests pass a no-op), and every client has connect/read
timeouts and standard retries.

boto3 is imported only when an :class:`AWSClient` is built: `movieagg rate` never pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from movieagg.deploy.errors import CredentialsError, DeployError, RegionError

_CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
    }
)
_REGION_RE = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$"


def known_regions() -> frozenset[str]:
    """Regions botocore knows for CloudFormation (shipped data, no network)."""
    import boto3

    return frozenset(boto3.session.Session().get_available_regions("cloudformation"))


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    timestamp: Any
    logical_id: str
    resource_type: str
    status: str
    reason: str


@dataclass(frozen=True)
class Change:
    action: str  # Add | Modify | Remove | Dynamic
    logical_id: str
    resource_type: str
    replacement: str  # True | False | Conditional | ""


@dataclass
class ChangeSet:
    stack_name: str
    name: str
    arn: str
    stack_exists: bool
    changes: list[Change] = field(default_factory=list)
    empty: bool = False
    status_reason: str = ""


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "")) or type(exc).__name__
    return type(exc).__name__


class AWSClient:
    """The AWS calls of the deploy pipeline; one instance per command run."""

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = 5.0,
        session: Any = None,
    ) -> None:
        import re

        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ProfileNotFound

        try:
            self._session = session or boto3.session.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as exc:
            raise CredentialsError(f"AWS profile not found: {exc.kwargs.get('profile', profile)}") from None
        except BotoCoreError as exc:
            raise CredentialsError(f"cannot load the AWS configuration ({type(exc).__name__})") from None
        self.region = region or self._session.region_name
        if not self.region:
            raise RegionError("no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION")
        if not re.match(_REGION_RE, self.region):
            raise RegionError(f"not an AWS region name: {self.region!r}")
        self.endpoint_url = endpoint_url or None
        if self.endpoint_url is None and self.region not in known_regions():
            raise RegionError(
                f"unknown AWS region: {self.region!r} (if it is new, upgrade boto3/botocore to a release "
                "that knows it)"
            )
        self._config = Config(
            region_name=self.region,
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 5, "mode": "standard"},
            user_agent_extra="movieagg-deploy",
        )
        self._clients: dict[str, Any] = {}
        self.sleep = sleep
        self.poll_interval = poll_interval

    # ------------------------------------------------------------------ plumbing
    def client(self, service: str) -> Any:
        if service not in self._clients:
            kwargs: dict[str, Any] = {"config": self._config, "region_name": self.region}
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            self._clients[service] = self._session.client(service, **kwargs)
        return self._clients[service]

    def _call(self, what: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one API call, mapping AWS errors onto the deploy error tree."""
        try:
            return fn(**kwargs)
        except Exception as exc:
            self._translate(what, exc)

    def _translate(self, what: str, exc: Exception) -> NoReturn:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            raise CredentialsError(
                "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            ) from None
        if isinstance(exc, EndpointConnectionError):
            where = self.endpoint_url or f"region {self.region}"
            raise RegionError(f"cannot reach AWS ({what}) at {where}: unknown region or no network") from None
        if isinstance(exc, ClientError):
            code = _error_code(exc)
            if code in _CREDENTIAL_CODES:
                raise CredentialsError(f"AWS rejected the credentials ({what}: {code})") from None
            raise DeployError(f"{what} failed: {code or 'error'}: {_error_message(exc)[:300]}") from None
        if isinstance(exc, BotoCoreError):
            raise DeployError(f"{what} failed ({type(exc).__name__})") from None
        raise exc

    # ------------------------------------------------------------------ identity
    def whoami(self) -> dict[str, str]:
        out = self._call("sts:GetCallerIdentity", self.client("sts").get_caller_identity)
        return {"account": str(out.get("Account", "")), "arn": str(out.get("Arn", ""))}

    # ------------------------------------------------------------------ CloudFormation
    def describe_stack(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            stacks = self.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
        except ClientError as exc:
            if "does not exist" in _error_message(exc):
                return None
            self._translate("cloudformation:DescribeStacks", exc)
        if not stacks or stacks[0].get("StackStatus") == "DELETE_COMPLETE":
            return None
        return dict(stacks[0])

    def stack_outputs(self, name: str) -> dict[str, str]:
        stack = self.describe_stack(name)
        if stack is None:
            return {}
        return {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs", [])}

    def stack_resources(self, name: str) -> list[dict[str, Any]]:
        out = self._call(
            "cloudformation:DescribeStackResources",
            self.client("cloudformation").describe_stack_resources,
            StackName=name,
        )
        return list(out.get("StackResources", []))

    def create_change_set(
        self,
        stack_name: str,
        *,
        template_body: str | None = None,
        template_url: str | None = None,
        parameters: dict[str, str],
        tags: dict[str, str],
        description: str,
    ) -> ChangeSet:
        """Create a change set and wait until it is ready (or known to be empty)."""
        existing = self.describe_stack(stack_name)
        if existing is not None and existing["StackStatus"] == "ROLLBACK_COMPLETE":
            # A stack whose creation failed cannot be updated; it holds nothing: remove it first.
            before = self.event_ids(stack_name)
            self.delete_stack(stack_name)
            if self.wait_stack(stack_name, lambda _e: None, deleting=True, since=before) != "DELETE_COMPLETE":
                raise DeployError(f"could not remove the failed stack {stack_name}: delete it and retry")
            existing = None
        if existing is not None and existing["StackStatus"].endswith("_IN_PROGRESS"):
            raise DeployError(
                f"stack {stack_name} is busy ({existing['StackStatus']}); wait for it to finish and retry"
            )
        change_type = "UPDATE" if existing is not None else "CREATE"
        name = f"movieagg-{int(time.time() * 1000)}"
        kwargs: dict[str, Any] = {
            "StackName": stack_name,
            "ChangeSetName": name,
            "ChangeSetType": change_type,
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
            "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            "Description": description[:1024],
        }
        if template_url:
            kwargs["TemplateURL"] = template_url
        else:
            kwargs["TemplateBody"] = template_body
        from botocore.exceptions import ClientError

        try:
            out = self.client("cloudformation").create_change_set(**kwargs)
        except ClientError as exc:
            if _no_changes(_error_message(exc)):
                # Some endpoints answer "No updates are to be performed" at once instead of a
                # FAILED change set: the same outcome.
                return ChangeSet(stack_name, name, name, True, empty=True, status_reason=_error_message(exc))
            self._translate("cloudformation:CreateChangeSet", exc)
        except Exception as exc:
            self._translate("cloudformation:CreateChangeSet", exc)
        change_set = ChangeSet(stack_name, name, str(out.get("Id", name)), existing is not None)
        self._wait_change_set(change_set)
        return change_set

    def _wait_change_set(self, change_set: ChangeSet) -> None:
        cfn = self.client("cloudformation")
        deadline = time.monotonic() + 600
        while True:
            desc = self._call(
                "cloudformation:DescribeChangeSet",
                cfn.describe_change_set,
                ChangeSetName=change_set.arn,
                StackName=change_set.stack_name,
            )
            status = str(desc.get("Status", ""))
            reason = str(desc.get("StatusReason", ""))
            if status == "CREATE_COMPLETE":
                change_set.changes = _changes(desc)
                change_set.empty = not change_set.changes
                return
            if status == "FAILED":
                if _no_changes(reason):
                    change_set.empty = True
                    change_set.status_reason = reason
                    self.delete_change_set(change_set)
                    return
                raise DeployError(f"change set for {change_set.stack_name} failed: {reason[:400]}")
            if time.monotonic() > deadline:
                raise DeployError(f"change set for {change_set.stack_name} not ready after 10 minutes")
            self.sleep(min(self.poll_interval, 2.0))

    def delete_change_set(self, change_set: ChangeSet) -> None:
        from contextlib import suppress

        with suppress(DeployError):
            self._call(
                "cloudformation:DeleteChangeSet",
                self.client("cloudformation").delete_change_set,
                ChangeSetName=change_set.arn,
                StackName=change_set.stack_name,
            )
        if not change_set.stack_exists:
            # A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack behind: remove it.
            stack = self.describe_stack(change_set.stack_name)
            if stack is not None and stack.get("StackStatus") == "REVIEW_IN_PROGRESS":
                self.delete_stack(change_set.stack_name)

    def execute_change_set(self, change_set: ChangeSet) -> None:
        self._call(
            "cloudformation:ExecuteChangeSet",
            self.client("cloudformation").execute_change_set,
            ChangeSetName=change_set.arn,
            StackName=change_set.stack_name,
        )

    def delete_stack(self, name: str) -> None:
        self._call("cloudformation:DeleteStack", self.client("cloudformation").delete_stack, StackName=name)

    def events(self, stack_name: str) -> list[StackEvent]:
        """The stack's events, oldest first (first page: the most recent 100 is plenty per poll)."""
        out = self._call(
            "cloudformation:DescribeStackEvents",
            self.client("cloudformation").describe_stack_events,
            StackName=stack_name,
        )
        events = [
            StackEvent(
                event_id=str(e.get("EventId", "")),
                timestamp=e.get("Timestamp"),
                logical_id=str(e.get("LogicalResourceId", "")),
                resource_type=str(e.get("ResourceType", "")),
                status=str(e.get("ResourceStatus", "")),
                reason=str(e.get("ResourceStatusReason", "") or ""),
            )
            for e in out.get("StackEvents", [])
        ]
        return list(reversed(events))

    def wait_stack(
        self,
        stack_name: str,
        on_event: Callable[[StackEvent], None],
        *,
        deleting: bool = False,
        timeout: float = 3 * 3600,
        since: set[str] | None = None,
    ) -> str:
        """Poll the stack until it settles, reporting each new event; returns the final status.

        With ``since`` (the event ids before an operation started), a settled status only counts
        once a new event shows the operation began: ExecuteChangeSet and DeleteStack are
        asynchronous, and the status can lag behind for a moment (``REVIEW_IN_PROGRESS``, or the
        previous ``*_COMPLETE``).
        """
        seen: set[str] = set(since or ())
        began = since is None
        grace = time.monotonic() + 120
        deadline = time.monotonic() + timeout
        stack_id = stack_name
        stack = self.describe_stack(stack_name)
        if stack is not None:
            stack_id = str(stack.get("StackId", stack_name))  # events survive deletion by id
        while True:
            from botocore.exceptions import ClientError

            try:
                stack = self._describe_by_id(stack_id)
            except ClientError:
                stack = None
            if stack is not None:
                try:
                    for event in self.events(stack_id):
                        if event.event_id not in seen:
                            seen.add(event.event_id)
                            began = True
                            on_event(event)
                except DeployError:
                    pass
            status = str(stack.get("StackStatus", "")) if stack is not None else "DELETE_COMPLETE"
            if deleting and stack is None:
                return "DELETE_COMPLETE"
            settled = not status.endswith("_IN_PROGRESS")
            if settled and (began or time.monotonic() > grace):
                return status
            if status == "REVIEW_IN_PROGRESS" and time.monotonic() > grace:
                return status
            if time.monotonic() > deadline:
                raise DeployError(f"stack {stack_name} still {status} after {int(timeout)} s")
            self.sleep(self.poll_interval)

    def _describe_by_id(self, stack_id: str) -> dict[str, Any] | None:
        stacks = self.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
        return dict(stacks[0]) if stacks else None

    def event_ids(self, stack_name: str) -> set[str]:
        if self.describe_stack(stack_name) is None:
            return set()
        try:
            return {e.event_id for e in self.events(stack_name)}
        except DeployError:
            return set()

    def validate_template(self, *, template_body: str | None = None, template_url: str | None = None) -> None:
        kwargs = {"TemplateURL": template_url} if template_url else {"TemplateBody": template_body}
        self._call(
            "cloudformation:ValidateTemplate", self.client("cloudformation").validate_template, **kwargs
        )

    # ------------------------------------------------------------------ S3
    def object_exists(self, bucket: str, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client("s3").head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                return False
            self._translate("s3:HeadObject", exc)
        return True

    def upload(
        self, bucket: str, key: str, path: Path, content_type: str = "application/octet-stream"
    ) -> bool:
        """Upload unless the content-addressed key is already there; returns True if uploaded."""
        if self.object_exists(bucket, key):
            return False
        with path.open("rb") as fh:
            self._call(
                "s3:PutObject",
                self.client("s3").put_object,
                Bucket=bucket,
                Key=key,
                Body=fh,
                ContentType=content_type,
            )
        return True

    def template_url(self, bucket: str, key: str) -> str:
        return f"https://{bucket}.s3.{self.region}.amazonaws.com/{key}"

    def empty_bucket(self, bucket: str) -> int:
        """Delete every object version and delete marker; returns how many were removed."""
        s3 = self.client("s3")
        removed = 0
        for page in self._pages(s3, "list_object_versions", Bucket=bucket):
            batch = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            for i in range(0, len(batch), 1000):
                chunk = batch[i : i + 1000]
                self._call(
                    "s3:DeleteObjects",
                    s3.delete_objects,
                    Bucket=bucket,
                    Delete={"Objects": chunk, "Quiet": True},
                )
                removed += len(chunk)
        return removed

    def delete_bucket(self, bucket: str) -> None:
        self._call("s3:DeleteBucket", self.client("s3").delete_bucket, Bucket=bucket)

    def _pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            yield from client.get_paginator(operation).paginate(**kwargs)
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket":
                return
            self._translate(operation, exc)

    # ------------------------------------------------------------------ SSM Parameter Store
    def get_secure_parameter(self, name: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            out = self.client("ssm").get_parameter(Name=name, WithDecryption=True)
        except ClientError as exc:
            if _error_code(exc) == "ParameterNotFound":
                return None
            self._translate("ssm:GetParameter", exc)
        return str(out["Parameter"]["Value"])

    def put_secure_parameter(self, name: str, value: str, description: str) -> None:
        """Create or overwrite a SecureString (the value never appears in an error message)."""
        self._call(
            f"ssm:PutParameter {name}",
            self.client("ssm").put_parameter,
            Name=name,
            Value=value,
            Type="SecureString",
            Overwrite=True,
            Description=description,
            Tier="Standard",
        )

    # ------------------------------------------------------------------ Lambda / RDS
    def update_function_code(self, function_name: str, bucket: str, key: str) -> str:
        out = self._call(
            "lambda:UpdateFunctionCode",
            self.client("lambda").update_function_code,
            FunctionName=function_name,
            S3Bucket=bucket,
            S3Key=key,
            Publish=True,
        )
        return str(out.get("CodeSha256", ""))

    def wait_function_updated(self, function_name: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            out = self._call(
                "lambda:GetFunctionConfiguration",
                self.client("lambda").get_function_configuration,
                FunctionName=function_name,
            )
            status = str(out.get("LastUpdateStatus", "Successful") or "Successful")
            if status == "Successful":
                return
            if status == "Failed":
                reason = str(out.get("LastUpdateStatusReason", ""))[:300]
                raise DeployError(f"Lambda code update failed: {reason}")
            if time.monotonic() > deadline:
                raise DeployError("Lambda code update still in progress after 5 minutes")
            self.sleep(min(self.poll_interval, 2.0))

    def lambda_concurrency_limit(self) -> int | None:
        """The account's Lambda concurrency limit in this region (None if it cannot be read)."""
        try:
            out = self._call("lambda:GetAccountSettings", self.client("lambda").get_account_settings)
        except DeployError:
            return None
        value = out.get("AccountLimit", {}).get("ConcurrentExecutions")
        return int(value) if value is not None else None

    def disable_db_deletion_protection(self, instance_id: str) -> None:
        self._call(
            "rds:ModifyDBInstance",
            self.client("rds").modify_db_instance,
            DBInstanceIdentifier=instance_id,
            DeletionProtection=False,
            ApplyImmediately=True,
        )


def _no_changes(reason: str) -> bool:
    text = reason.lower()
    return (
        "didn't contain changes" in text or "no updates are to be performed" in text or "no changes" in text
    )


def _changes(desc: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    for item in desc.get("Changes", []):
        rc = item.get("ResourceChange", {})
        out.append(
            Change(
                action=str(rc.get("Action", "")),
                logical_id=str(rc.get("LogicalResourceId", "")),
                resource_type=str(rc.get("ResourceType", "")),
                replacement=str(rc.get("Replacement", "") or ""),
            )
        )
    return out
