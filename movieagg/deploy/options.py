"""What one deploy/status/destroy run is given (options), gives back (result) and reports on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from movieagg.deploy.errors import UsageError

if TYPE_CHECKING:
    from movieagg.deploy.archives import Artifact
    from movieagg.deploy.costs import Estimate
    from movieagg.deploy.stacks import ChangeSet, StackEvent

STAGE_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


class Reporter(Protocol):
    """Where the pipeline tells what it does (the CLI renders it; tests record it)."""

    def step(self, message: str) -> None: ...
    def info(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...
    def change_set(self, change_set: ChangeSet) -> None: ...
    def estimate(self, estimate: Estimate) -> None: ...
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
    size: str | None = None  # full | small; None: as deployed, else full
    alarm_email: str | None = None
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
        if self.size is not None and self.size not in ("full", "small"):
            raise UsageError(f"unknown size {self.size!r}: choose full or small")
        if self.alarm_email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", self.alarm_email):
            raise UsageError(f"not an e-mail address: {self.alarm_email!r}")


@dataclass
class DeployResult:
    stage: str
    changed: bool = False
    executed: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    state_file: Path | None = None
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    package_dir: Path | None = None
    size: str = "full"
    estimate: Estimate | None = None
    health: str = ""


def stack_names(stage: str) -> tuple[str, str]:
    return f"movieagg-{stage}-bootstrap", f"movieagg-{stage}-app"


__all__ = ["STAGE_RE", "DeployOptions", "DeployResult", "Reporter", "stack_names"]
