"""The boto3 facade: where the region comes from, and every AWS-side failure mapped to a deploy error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from movieagg.core.config import Settings
from movieagg.deploy.awsclient import AWSClient
from movieagg.deploy.deployer import Deployer
from movieagg.deploy.errors import DeployError, RegionError
from movieagg.deploy.options import DeployOptions


class _Silent:
    def step(self, m: str) -> None: ...
    def info(self, m: str) -> None: ...
    def warn(self, m: str) -> None: ...
    def change_set(self, cs: Any) -> None: ...
    def event(self, e: Any) -> None: ...
    def confirm(self, q: str) -> bool:
        return False

    def ask_secret(self, n: str, d: str) -> str | None:
        return None


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Credentials, and an AWS config file whose profile `far` says ap-south-1."""
    config = tmp_path / "aws-config"
    config.write_text("[profile far]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    return config


def _region(tmp_path: Path, options: DeployOptions) -> str:
    deployer = Deployer(options, _Silent(), home=tmp_path, settings=Settings.from_env(read_file=False))
    return deployer.aws.region


@pytest.mark.parametrize(
    ("env", "option", "profile", "expected"),
    [
        (
            {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"},
            "ca-central-1",
            "far",
            "ca-central-1",
        ),
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}, None, "far", "eu-west-1"),
        ({"AWS_REGION": "eu-west-1"}, None, None, "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "us-east-2"}, None, "far", "us-east-2"),
        ({}, None, "far", "ap-south-1"),
    ],
)
def test_region_as_the_aws_cli_finds_it(
    aws_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    option: str | None,
    profile: str | None,
    expected: str,
) -> None:
    """--region, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _region(tmp_path, DeployOptions(stage="t", region=option, profile=profile)) == expected


def test_no_region_anywhere_is_exit_6(aws_env: Path, tmp_path: Path) -> None:
    with pytest.raises(RegionError, match="AWS_REGION") as info:
        _region(tmp_path, DeployOptions(stage="t"))
    assert info.value.exit_code == 6


def _raising(exc: Exception) -> Any:
    def call(**_kw: Any) -> Any:
        raise exc

    return call


def test_an_unreadable_answer_is_a_deploy_error_not_an_internal_error(aws_env: Path) -> None:
    """moto_server answers HTTP 500 with an HTML page to what it does not implement."""
    from botocore.parsers import ResponseParserError

    aws = AWSClient("us-east-1", endpoint_url="http://127.0.0.1:9")
    html = "Unable to parse response (syntax error), invalid XML received. Further retries may succeed:\nb'<!doctype html><title>500 Internal Server Error</title>'"
    with pytest.raises(DeployError) as info:
        aws.call("cloudformation:ExecuteChangeSet", _raising(ResponseParserError(html)))
    assert info.value.exit_code == 7
    message = str(info.value)
    assert "cloudformation:ExecuteChangeSet" in message and "could not be read" in message
    assert "<!doctype" not in message  # no raw page in a one-line error


@pytest.mark.parametrize(
    ("exc", "exit_code", "words"),
    [
        ("ConnectTimeoutError", 6, "cannot reach"),
        ("EndpointConnectionError", 6, "cannot reach"),
        ("ReadTimeoutError", 7, "no answer"),
        ("UnknownEndpointError", 6, "no endpoint"),
    ],
)
def test_botocore_transport_errors_map_to_documented_exit_codes(
    aws_env: Path, exc: str, exit_code: int, words: str
) -> None:
    import botocore.exceptions as be

    kwargs = {"endpoint_url": "http://127.0.0.1:9", "service_name": "cloudformation", "region_name": "x"}
    error = getattr(be, exc)(**kwargs)
    aws = AWSClient("us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(DeployError) as info:
        aws.call("cloudformation:DescribeStacks", _raising(error))
    assert info.value.exit_code == exit_code
    assert words in str(info.value)
