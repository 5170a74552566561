"""What every deploy/status/destroy run of one stage shares: options, reporter, AWS, failures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from movieagg.core.config import Settings
from movieagg.deploy.errors import DeployError
from movieagg.deploy.options import DeployOptions, Reporter, stack_names

if TYPE_CHECKING:
    from movieagg.deploy.awsclient import AWSClient


def default_aws(options: DeployOptions, settings: Settings) -> AWSClient:
    from movieagg.deploy.awsclient import AWSClient

    endpoint = options.endpoint_url or settings.aws_endpoint_url
    # --region, then AWS_REGION, then AWS_DEFAULT_REGION (Settings), then the profile's (boto3).
    region = options.region or settings.aws_region
    return AWSClient(region, endpoint_url=endpoint, profile=options.profile)


class StageRun:
    """One run for one stage; the AWS client is made on first use."""

    def __init__(
        self,
        options: DeployOptions,
        reporter: Reporter,
        *,
        home: Path,
        settings: Settings | None = None,
        aws_factory: Callable[[DeployOptions], AWSClient] | None = None,
        interactive: bool = False,
    ) -> None:
        """``home``: where the stage's state file goes; ``settings``: the environment (default:
        the process's, without the config file — secrets come from the environment or a prompt)."""
        options.validate()
        self.options = options
        self.report = reporter
        self.home = home
        self.settings = settings or Settings.from_env(read_file=False)
        self._aws_factory = aws_factory or (lambda o: default_aws(o, self.settings))
        self.interactive = interactive
        self.bootstrap_stack, self.app_stack = stack_names(options.stage)
        self._aws: AWSClient | None = None
        self._who: dict[str, str] | None = None

    @property
    def aws(self) -> AWSClient:
        if self._aws is None:
            self._aws = self._aws_factory(self.options)
        return self._aws

    def check_identity(self) -> dict[str, str]:
        if self._who is None:
            self._who = self.aws.whoami()
            self.report.info(f"AWS account {self._who['account']} in {self.aws.region}")
        return self._who

    def fail(self, stack_name: str, status: str, before: set[str]) -> NoReturn:
        """Raise with the first failing resource and CloudFormation's reason for it."""
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


__all__ = ["StageRun", "default_aws"]
