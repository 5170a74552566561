"""A failed change set or stack creation leaves nothing that blocks the next deploy.

Two failures, reproduced: moto_server answering ExecuteChangeSet with an HTTP 500 page (what it
does with an intrinsic it lacks, e.g. ``Fn::Cidr``), against a plain moto_server; and a change
set that CloudFormation marks FAILED (a template error real AWS finds when it computes the
change set; moto never fails a CREATE change set, so the test makes its backend do it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from movieagg.deploy.awsclient import AWSClient
from movieagg.deploy.errors import DeployError
from tests.infra.moto_process import MotoProcess

STACK = "movieagg-t-app"
GOOD = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
"""
# moto_server answers ExecuteChangeSet on this with HTTP 500 and an HTML page (no Fn::Cidr).
UNEXECUTABLE = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [10.9.0.0/16, 2, 8]]
"""


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


@pytest.fixture
def plain(plain_moto: MotoProcess, creds: None) -> Iterator[AWSClient]:
    plain_moto.reset()
    yield AWSClient("us-east-1", endpoint_url=plain_moto.url, sleep=lambda _s: None, poll_interval=0)


def _create(aws: AWSClient, body: str) -> Any:
    return aws.create_change_set(STACK, template_body=body, parameters={}, tags={}, description="test")


def _live(aws: AWSClient) -> list[tuple[str, str]]:
    stacks = aws.client("cloudformation").describe_stacks()["Stacks"]
    return [(s["StackName"], s["StackStatus"]) for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]


def test_a_change_set_the_endpoint_cannot_execute_is_cleaned_up(plain: AWSClient) -> None:
    change_set = _create(plain, UNEXECUTABLE)
    with pytest.raises(DeployError) as info:
        plain.execute_change_set(change_set)
    message = str(info.value)
    assert info.value.exit_code == 7
    assert "ExecuteChangeSet" in message and STACK in message
    assert "internal error" not in message
    assert "removed" in message  # says what it cleaned up
    assert _live(plain) == []  # no REVIEW_IN_PROGRESS stack left behind
    again = _create(plain, GOOD)  # the next deploy is not "busy"
    assert not again.stack_exists and not again.empty


def test_a_review_stack_left_by_an_earlier_run_is_removed_not_busy(plain: AWSClient) -> None:
    cfn = plain.client("cloudformation")
    cfn.create_change_set(
        StackName=STACK, ChangeSetName="left-over", TemplateBody=GOOD, ChangeSetType="CREATE"
    )
    assert _live(plain) == [(STACK, "REVIEW_IN_PROGRESS")]
    change_set = _create(plain, GOOD)
    assert not change_set.stack_exists
    assert [name for name, _ in _live(plain)] == [STACK]


@pytest.fixture
def mocked(creds: None) -> Iterator[AWSClient]:
    from moto import mock_aws

    with mock_aws():
        yield AWSClient("us-east-1", sleep=lambda _s: None, poll_interval=0)


REASON = "Template format error: Unrecognized resource types: [AWS::Nope::Thing]"


def test_a_failed_change_set_is_deleted_with_its_empty_stack(
    mocked: AWSClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.create_change_set

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        change_set_id, stack_id = original(self, *args, **kwargs)
        self.change_sets[change_set_id].status = "FAILED"
        self.change_sets[change_set_id].status_reason = REASON
        return change_set_id, stack_id

    monkeypatch.setattr(CloudFormationBackend, "create_change_set", failing)
    with pytest.raises(DeployError) as info:
        _create(mocked, GOOD)
    assert REASON in str(info.value) and STACK in str(info.value)
    assert info.value.exit_code == 7
    assert _live(mocked) == []
    summaries = mocked.client("cloudformation").list_change_sets(StackName=STACK)["Summaries"]
    assert [s for s in summaries if s.get("StackName") == STACK] == []

    monkeypatch.setattr(CloudFormationBackend, "create_change_set", original)
    assert not _create(mocked, GOOD).stack_exists  # not "busy (REVIEW_IN_PROGRESS)"


def test_a_change_set_still_being_computed_is_busy(mocked: AWSClient) -> None:
    from moto.cloudformation.models import cloudformation_backends

    _create(mocked, GOOD)
    backend = cloudformation_backends["123456789012"]["us-east-1"]
    for change_set in backend.change_sets.values():
        change_set.status = "CREATE_IN_PROGRESS"  # another deploy is computing it right now
    with pytest.raises(DeployError, match="busy"):
        _create(mocked, GOOD)
    assert [name for name, _ in _live(mocked)] == [STACK]
