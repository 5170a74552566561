"""CloudFormation stacks and change sets: create, show, execute, follow, delete — and clean up.

A failure never leaves something that blocks the next deploy: a change set that fails (or that
the endpoint cannot execute) is deleted, with the empty ``REVIEW_IN_PROGRESS`` stack a CREATE
change set makes; a stack left in ``ROLLBACK_COMPLETE`` (a failed first creation) or an empty
review stack left by an earlier run is removed before the next change set. Only a change set
still being computed, or a stack operation in progress, counts as busy.

Waiting is polling with the injectable ``sleep`` (tests pass a no-op).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from movieagg.deploy.awsbase import AWSBase
from movieagg.deploy.errors import DeployError

# A stack in one of these holds nothing worth keeping and cannot be updated: remove it first.
REMOVABLE = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED"})
COMPUTING = frozenset({"CREATE_PENDING", "CREATE_IN_PROGRESS"})  # change set statuses


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
    notes: list[str] = field(default_factory=list)  # cleanups done before it was created


def _not_found(_code: str, message: str) -> bool:
    return "does not exist" in message


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


class StackOps(AWSBase):
    """The CloudFormation calls of the deploy pipeline."""

    def _cfn(self) -> Any:
        return self.client("cloudformation")

    # ------------------------------------------------------------------ reading
    def describe_stack(self, name: str) -> dict[str, Any] | None:
        out = self.call(
            "cloudformation:DescribeStacks", self._cfn().describe_stacks, missing=_not_found, StackName=name
        )
        stacks = (out or {}).get("Stacks") or []
        if not stacks or stacks[0].get("StackStatus") == "DELETE_COMPLETE":
            return None
        return dict(stacks[0])

    def stack_outputs(self, name: str) -> dict[str, str]:
        stack = self.describe_stack(name)
        if stack is None:
            return {}
        return {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs", [])}

    def stack_resources(self, name: str) -> list[dict[str, Any]]:
        out = self.call(
            "cloudformation:DescribeStackResources", self._cfn().describe_stack_resources, StackName=name
        )
        return list(out.get("StackResources", []))

    def stack_resource_ids(self, name: str) -> dict[str, str]:
        """Logical id → physical id of every resource of the stack (all pages)."""
        pages = iter(self._cfn().get_paginator("list_stack_resources").paginate(StackName=name))
        ids: dict[str, str] = {}
        while True:
            page = self.call("cloudformation:ListStackResources", lambda: next(pages, None))
            if page is None:
                return ids
            for summary in page.get("StackResourceSummaries", []):
                ids[str(summary.get("LogicalResourceId", ""))] = str(
                    summary.get("PhysicalResourceId", "") or ""
                )

    def events(self, stack_name: str) -> list[StackEvent]:
        """The stack's events, oldest first (first page: the most recent 100 is plenty per poll)."""
        out = self.call(
            "cloudformation:DescribeStackEvents", self._cfn().describe_stack_events, StackName=stack_name
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

    def event_ids(self, stack_name: str) -> set[str]:
        if self.describe_stack(stack_name) is None:
            return set()
        try:
            return {e.event_id for e in self.events(stack_name)}
        except DeployError:
            return set()

    def change_set_summaries(self, stack_name: str) -> list[dict[str, Any]]:
        out = self.call(
            "cloudformation:ListChangeSets",
            self._cfn().list_change_sets,
            missing=_not_found,
            StackName=stack_name,
        )
        # (Some emulators list every stack's change sets: keep this stack's.)
        return [s for s in (out or {}).get("Summaries", []) if s.get("StackName", stack_name) == stack_name]

    def validate_template(self, *, template_body: str | None = None, template_url: str | None = None) -> None:
        kwargs = {"TemplateURL": template_url} if template_url else {"TemplateBody": template_body}
        self.call("cloudformation:ValidateTemplate", self._cfn().validate_template, **kwargs)

    # ------------------------------------------------------------------ change sets
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
        """Create a change set and wait until it is ready (or known to be empty).

        A change set CloudFormation fails is deleted (with the empty stack a CREATE makes) and
        raised as a :class:`DeployError` with CloudFormation's reason.
        """
        notes: list[str] = []
        existing = self._clear_the_way(stack_name, notes)
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
        out = self.call(
            f"cloudformation:CreateChangeSet ({stack_name})",
            self._cfn().create_change_set,
            # Some endpoints answer "No updates are to be performed" at once instead of a FAILED
            # change set: the same outcome.
            missing=lambda _c, message: _no_changes(message),
            **kwargs,
        )
        change_set = ChangeSet(stack_name, name, name, existing is not None, notes=notes)
        if out is None:
            change_set.empty = True
            return change_set
        change_set.arn = str(out.get("Id", name))
        try:
            self._wait_change_set(change_set)
        except DeployError as exc:
            raise DeployError(f"{exc}; {self._discard(change_set)}") from None
        return change_set

    def _clear_the_way(self, stack_name: str, notes: list[str]) -> dict[str, Any] | None:
        """The stack a change set will update, or None once nothing blocks a CREATE."""
        existing = self.describe_stack(stack_name)
        status = str((existing or {}).get("StackStatus", ""))
        if existing is not None and status in REMOVABLE:
            self._remove(stack_name, f"could not remove the failed stack {stack_name} ({status})")
            notes.append(f"removed {stack_name}, left in {status} by a failed first creation")
            return None
        if existing is not None and status == "REVIEW_IN_PROGRESS":
            computing = [s for s in self.change_set_summaries(stack_name) if s.get("Status") in COMPUTING]
            if computing:
                raise DeployError(
                    f"stack {stack_name} is busy: change set {computing[0].get('ChangeSetName')} is being "
                    "computed; wait a minute and retry"
                )
            # Never created: an empty stack left by an earlier run's change set. It holds nothing.
            for summary in self.change_set_summaries(stack_name):
                self._delete_change_set_quietly(stack_name, str(summary.get("ChangeSetId", "")))
            self._remove(stack_name, f"could not remove the empty stack {stack_name} (REVIEW_IN_PROGRESS)")
            notes.append(f"removed the empty {stack_name} (REVIEW_IN_PROGRESS) an earlier run left behind")
            return None
        if existing is not None and status.endswith("_IN_PROGRESS"):
            raise DeployError(f"stack {stack_name} is busy ({status}); wait for it to finish and retry")
        return existing

    def _remove(self, stack_name: str, failure: str) -> None:
        before = self.event_ids(stack_name)
        self.delete_stack(stack_name)
        if self.wait_stack(stack_name, lambda _e: None, deleting=True, since=before) != "DELETE_COMPLETE":
            raise DeployError(f"{failure}: delete it and retry")

    def _wait_change_set(self, change_set: ChangeSet) -> None:
        deadline = time.monotonic() + 600
        while True:
            desc = self.call(
                "cloudformation:DescribeChangeSet",
                self._cfn().describe_change_set,
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
                raise DeployError(
                    f"CloudFormation could not create the change set for {change_set.stack_name}: "
                    f"{reason[:400] or 'no reason given'}"
                )
            if time.monotonic() > deadline:
                raise DeployError(f"change set for {change_set.stack_name} not ready after 10 minutes")
            self.sleep(min(self.poll_interval, 2.0))

    def _discard(self, change_set: ChangeSet) -> str:
        """Delete a change set that will not run (and its empty stack); say what was removed."""
        try:
            self.delete_change_set(change_set)
        except DeployError as exc:
            return f"cleaning up failed too ({exc}): run `movieagg deploy destroy` for this stage"
        return (
            "the change set was deleted, nothing changed"
            if change_set.stack_exists
            else "the change set and the empty stack were removed, nothing remains"
        )

    def _delete_change_set_quietly(self, stack_name: str, change_set: str) -> None:
        if not change_set:
            return
        with contextlib.suppress(DeployError):
            self.call(
                "cloudformation:DeleteChangeSet",
                self._cfn().delete_change_set,
                missing=lambda _c, _m: True,  # already gone (or never there) is fine
                ChangeSetName=change_set,
                StackName=stack_name,
            )

    def delete_change_set(self, change_set: ChangeSet) -> None:
        """Delete the change set; a CREATE's empty REVIEW_IN_PROGRESS stack goes with it."""
        self._delete_change_set_quietly(change_set.stack_name, change_set.arn)
        if not change_set.stack_exists:
            stack = self.describe_stack(change_set.stack_name)
            if stack is not None and stack.get("StackStatus") == "REVIEW_IN_PROGRESS":
                name = change_set.stack_name
                self._remove(name, f"could not remove the empty stack {name}")

    def execute_change_set(self, change_set: ChangeSet) -> None:
        """Start the change set; when the endpoint refuses, clean up and say so.

        If the call failed but the stack operation started anyway, the caller follows it as usual.
        """
        try:
            self.call(
                f"cloudformation:ExecuteChangeSet ({change_set.stack_name})",
                self._cfn().execute_change_set,
                ChangeSetName=change_set.arn,
                StackName=change_set.stack_name,
            )
        except DeployError as exc:
            try:
                stack = self.describe_stack(change_set.stack_name)
            except DeployError:
                stack = None
            status = str((stack or {}).get("StackStatus", ""))
            if status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
                return  # it started after all
            raise DeployError(f"{exc}; {self._discard(change_set)}") from None

    # ------------------------------------------------------------------ stacks
    def delete_stack(self, name: str) -> None:
        self.call("cloudformation:DeleteStack", self._cfn().delete_stack, StackName=name)

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
        stack = self.describe_stack(stack_name)
        stack_id = str((stack or {}).get("StackId", stack_name))  # events survive deletion by id
        while True:
            out = self.call(
                "cloudformation:DescribeStacks",
                self._cfn().describe_stacks,
                missing=lambda _c, _m: True,
                StackName=stack_id,
            )
            stacks = (out or {}).get("Stacks") or []
            stack = dict(stacks[0]) if stacks else None
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
            if deleting and status == "DELETE_COMPLETE":
                return status  # gone is gone, whatever the events say
            settled = not status.endswith("_IN_PROGRESS")
            if settled and (began or time.monotonic() > grace):
                return status
            if status == "REVIEW_IN_PROGRESS" and time.monotonic() > grace:
                return status
            if time.monotonic() > deadline:
                raise DeployError(f"stack {stack_name} still {status} after {int(timeout)} s")
            self.sleep(self.poll_interval)


__all__ = ["Change", "ChangeSet", "StackEvent", "StackOps"]
