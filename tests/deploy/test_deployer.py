"""The deploy pipeline's failure paths and checks, against fakes of the AWS facade."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from movieagg.deploy.bundles import infra_file
from movieagg.deploy.deployer import Deployer
from movieagg.deploy.errors import DeployError
from movieagg.deploy.options import DeployOptions
from movieagg.deploy.stacks import ChangeSet, StackEvent


class _Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def step(self, m: str) -> None:
        self.lines.append(m)

    info = warn = step

    def change_set(self, cs: ChangeSet) -> None:
        self.lines.append(f"cs {cs.stack_name}")

    def estimate(self, e: Any) -> None:
        self.lines.append(f"estimate {e.total}")

    def event(self, e: StackEvent) -> None:
        self.lines.append(f"{e.status} {e.logical_id}")

    def confirm(self, q: str) -> bool:
        return True

    def ask_secret(self, n: str, d: str) -> str | None:
        return None


class _FailingAWS:
    """Just enough of AWSClient: the app stack's creation fails on the database."""

    region = "eu-west-1"

    def __init__(self) -> None:
        self.deleted_change_sets: list[str] = []

    def event_ids(self, name: str) -> set[str]:
        return set()

    def execute_change_set(self, cs: ChangeSet) -> None:
        pass

    def wait_stack(self, name: str, on_event: Any, **kw: Any) -> str:
        for e in self.events(name):
            on_event(e)
        return "ROLLBACK_COMPLETE"

    def events(self, name: str) -> list[StackEvent]:
        return [
            StackEvent("1", None, "Vpc", "AWS::EC2::VPC", "CREATE_COMPLETE", ""),
            StackEvent("2", None, "Database", "AWS::RDS::DBInstance", "CREATE_FAILED", "DB quota exceeded"),
            StackEvent(
                "3",
                None,
                "Cache",
                "AWS::ElastiCache::ReplicationGroup",
                "CREATE_FAILED",
                "Resource creation cancelled",
            ),
            StackEvent("4", None, name, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", ""),
        ]

    def delete_change_set(self, cs: ChangeSet) -> None:
        self.deleted_change_sets.append(cs.name)


def test_failed_stack_names_the_failing_resource_and_rollback(tmp_path: Path) -> None:
    aws = _FailingAWS()
    report = _Report()
    deployer = Deployer(
        DeployOptions(stage="test", yes=True),
        report,
        home=tmp_path,
        aws_factory=lambda _o: aws,  # type: ignore[arg-type,return-value]
    )
    cs = ChangeSet("movieagg-test-app", "cs1", "arn:cs1", stack_exists=False)
    with pytest.raises(DeployError) as info:
        deployer._confirm_and_execute(cs)
    message = str(info.value)
    assert "Database (AWS::RDS::DBInstance): DB quota exceeded" in message
    assert "rolled back" in message
    assert info.value.exit_code == 7
    assert "CREATE_FAILED Database" in report.lines


def test_non_interactive_without_yes_refuses_and_deletes_the_change_set(tmp_path: Path) -> None:
    from movieagg.deploy.errors import UsageError

    aws = _FailingAWS()
    deployer = Deployer(DeployOptions(stage="test"), _Report(), home=tmp_path, aws_factory=lambda _o: aws)  # type: ignore[arg-type,return-value]
    with pytest.raises(UsageError, match="--yes"):
        deployer._confirm_and_execute(ChangeSet("movieagg-test-app", "cs1", "arn:cs1", stack_exists=True))
    assert aws.deleted_change_sets == ["cs1"]


def test_deploy_commands_import_boto3_only_when_run() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from movieagg.cli import app\n"
        "for args in (['--help'], ['deploy', '--help'], ['deploy', 'status', '--help'],\n"
        "             ['deploy', 'destroy', '--help'], ['deploy', 'cost', '--help'],\n"
        "             ['status', '--help'], ['destroy', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'cfnlint', 'yaml') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


class _SmallAccount:
    region = "eu-west-1"

    def lambda_concurrency_limit(self) -> int:
        return 10  # a new account


def test_reserved_concurrency_beyond_a_new_accounts_limit_fails_before_any_change(tmp_path: Path) -> None:
    from movieagg.core.errors import ConfigurationError
    from movieagg.deploy.templates import DEFAULT_RESERVED_CONCURRENCY

    deployer = Deployer(
        DeployOptions(stage="test"), _Report(), home=tmp_path, aws_factory=lambda _o: _SmallAccount()
    )  # type: ignore[arg-type,return-value]
    with pytest.raises(ConfigurationError, match="LambdaReservedConcurrency=N") as info:
        deployer._check_lambda_concurrency(DEFAULT_RESERVED_CONCURRENCY)
    assert info.value.exit_code == 3
    text = Path(infra_file("app.yaml")).read_text()  # type: ignore[arg-type]
    assert (
        f"  LambdaReservedConcurrency:\n    Type: Number\n    Default: {DEFAULT_RESERVED_CONCURRENCY}\n"
        in text
    )
