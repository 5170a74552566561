"""`movieagg deploy status` and `movieagg deploy destroy`: a stage's stacks, and their removal in reverse."""

from __future__ import annotations

from typing import Any

from movieagg.deploy.errors import UsageError
from movieagg.deploy.secrets import ssm_prefix
from movieagg.deploy.stage import StageRun
from movieagg.deploy.state import read_state, state_path


def _outputs(stack: dict[str, Any] | None) -> dict[str, str]:
    return {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in (stack or {}).get("Outputs", [])}


def _parameters(stack: dict[str, Any] | None) -> dict[str, str]:
    return {
        str(p["ParameterKey"]): str(p.get("ParameterValue", "")) for p in (stack or {}).get("Parameters", [])
    }


class Teardown(StageRun):
    """Status and destroy for one stage."""

    def status(self) -> dict[str, Any]:
        self.check_identity()
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
                    "outputs": _outputs(stack),
                }
            )
        app = self.aws.describe_stack(self.app_stack)
        return {
            "stage": self.options.stage,
            "region": self.aws.region,
            "size": _parameters(app).get("Size") or None,
            "stacks": stacks,
            "state_file": str(state_path(self.home, self.options.stage)),
            "state": read_state(self.home, self.options.stage),
        }

    def destroy(self, *, purge_artifacts: bool = False) -> list[str]:
        """Delete the app stack (then the bootstrap stack with ``purge_artifacts``); returns what went."""
        self.report.step("Pre-flight: AWS credentials and region")
        self.check_identity()
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
            db = _outputs(app).get("DatabaseInstance") or self.aws.stack_resource_ids(self.app_stack).get(
                "Database"
            )
            if db:
                self.report.step(f"Lifting deletion protection on {db} (a final snapshot is taken on delete)")
                self.aws.disable_db_deletion_protection(db)
            self._delete(self.app_stack)
            removed.append(self.app_stack)
        if purge_artifacts and boot is not None:
            ids = self.aws.stack_resource_ids(self.bootstrap_stack)
            outputs = _outputs(boot)
            for key, logical_id in (
                ("ArtifactBucketName", "ArtifactBucket"),
                ("LogsBucketName", "LogsBucket"),
            ):
                bucket = outputs.get(key) or ids.get(logical_id)
                if bucket:
                    n = self.aws.empty_bucket(bucket)
                    self.aws.delete_bucket(bucket)
                    self.report.info(f"emptied ({n} objects) and deleted s3://{bucket}")
            self._delete(self.bootstrap_stack)
            removed.append(self.bootstrap_stack)
        elif boot is not None:
            self.report.info(f"kept {self.bootstrap_stack} (artifact bucket): --purge-artifacts removes it")
        self.report.info(
            f"kept: the final DB snapshot, the KMS keys that encrypt it, and the SSM parameters under "
            f"{ssm_prefix(self.options.stage)}"
        )
        state_path(self.home, self.options.stage).unlink(missing_ok=True)
        return removed

    def _delete(self, stack: str) -> None:
        self.report.step(f"Deleting {stack}")
        before = self.aws.event_ids(stack)
        self.aws.delete_stack(stack)
        status = self.aws.wait_stack(stack, self.report.event, deleting=True, since=before)
        if status != "DELETE_COMPLETE":
            self.fail(stack, status, before)


__all__ = ["Teardown"]
