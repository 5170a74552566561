"""The AWS calls of `movieagg deploy`: identity, S3, Parameter Store, Lambda, RDS — and the stacks.

:class:`AWSClient` is the one facade the pipeline talks to: CloudFormation comes from
:class:`~movieagg.deploy.stacks.StackOps`, the session and the error mapping from
:class:`~movieagg.deploy.awsbase.AWSBase`. Every call is mapped onto the deploy error tree.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from movieagg.deploy.errors import DeployError
from movieagg.deploy.stacks import Change, ChangeSet, StackEvent, StackOps

_DONE: dict[str, Any] = {}  # the end of a paginator


class AWSClient(StackOps):
    """Every AWS call of one deploy/status/destroy run."""

    # ------------------------------------------------------------------ identity
    def whoami(self) -> dict[str, str]:
        out = self.call("sts:GetCallerIdentity", self.client("sts").get_caller_identity)
        return {"account": str(out.get("Account", "")), "arn": str(out.get("Arn", ""))}

    # ------------------------------------------------------------------ S3
    def object_exists(self, bucket: str, key: str) -> bool:
        out = self.call(
            "s3:HeadObject",
            self.client("s3").head_object,
            missing=lambda code, _m: code in {"404", "NoSuchKey", "NotFound"},
            Bucket=bucket,
            Key=key,
        )
        return out is not None

    def upload(
        self, bucket: str, key: str, path: Path, content_type: str = "application/octet-stream"
    ) -> bool:
        """Upload unless the content-addressed key is already there; returns True if uploaded."""
        if self.object_exists(bucket, key):
            return False
        with path.open("rb") as fh:
            self.call(
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
                self.call(
                    "s3:DeleteObjects",
                    s3.delete_objects,
                    Bucket=bucket,
                    Delete={"Objects": chunk, "Quiet": True},
                )
                removed += len(chunk)
        return removed

    def delete_bucket(self, bucket: str) -> None:
        self.call("s3:DeleteBucket", self.client("s3").delete_bucket, Bucket=bucket)

    def _pages(self, client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        pages = iter(client.get_paginator(operation).paginate(**kwargs))
        while True:
            page = self.call(
                operation,
                lambda: next(pages, _DONE),
                missing=lambda code, _m: code == "NoSuchBucket",
            )
            if page is None or page is _DONE:
                return
            yield page

    def load_balancer_dns(self, arn: str) -> str | None:
        out = self.call(
            "elasticloadbalancing:DescribeLoadBalancers",
            self.client("elbv2").describe_load_balancers,
            missing=lambda code, _m: code == "LoadBalancerNotFound",
            LoadBalancerArns=[arn],
        )
        found = (out or {}).get("LoadBalancers") or []
        return str(found[0].get("DNSName", "")) or None if found else None

    # ------------------------------------------------------------------ SSM Parameter Store
    def get_secure_parameter(self, name: str) -> str | None:
        out = self.call(
            f"ssm:GetParameter {name}",
            self.client("ssm").get_parameter,
            missing=lambda code, _m: code == "ParameterNotFound",
            Name=name,
            WithDecryption=True,
        )
        return None if out is None else str(out["Parameter"]["Value"])

    def put_secure_parameter(self, name: str, value: str, description: str) -> None:
        """Create or overwrite a SecureString (the value never appears in an error message)."""
        self.call(
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
        out = self.call(
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
            out = self.call(
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
            out = self.call("lambda:GetAccountSettings", self.client("lambda").get_account_settings)
        except DeployError:
            return None
        value = out.get("AccountLimit", {}).get("ConcurrentExecutions")
        return int(value) if value is not None else None

    def disable_db_deletion_protection(self, instance_id: str) -> None:
        self.call(
            "rds:ModifyDBInstance",
            self.client("rds").modify_db_instance,
            DBInstanceIdentifier=instance_id,
            DeletionProtection=False,
            ApplyImmediately=True,
        )


__all__ = ["AWSClient", "Change", "ChangeSet", "StackEvent"]
