"""SSM Parameter Store against moto: SecureStrings decrypted, cached with a TTL, clear errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from movieagg.aws.handler import handler
from movieagg.aws.params import ParameterStore, normalise_prefix
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.web.service import Service
from tests.web.fakes import FakeAggregator, v2_event

TMDB = "tmdb-secret-value-0123456789abcdef"
OMDB = "omdb-secret-value-42"
REGION = "eu-west-1"


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("ssm", region_name=REGION)
        client.put_parameter(Name="/movieagg/test/TMDB_API_KEY", Value=TMDB, Type="SecureString")
        client.put_parameter(Name="/movieagg/test/OMDB_API_KEY", Value=OMDB, Type="SecureString")
        client.put_parameter(Name="/movieagg/test/MOVIEAGG_RATINGS_TTL", Value="600", Type="String")
        client.put_parameter(Name="/movieagg/other/TMDB_API_KEY", Value="not-this-one", Type="SecureString")
        yield client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_securestrings_are_decrypted_and_mapped_to_settings_names(ssm: Any) -> None:
    store = ParameterStore("/movieagg/test/", region=REGION)
    assert store.get_all() == {"TMDB_API_KEY": TMDB, "OMDB_API_KEY": OMDB, "MOVIEAGG_RATINGS_TTL": "600"}


def test_many_parameters_are_paginated(ssm: Any) -> None:
    for i in range(23):
        ssm.put_parameter(Name=f"/movieagg/test/EXTRA_{i}", Value=str(i), Type="String")
    values = ParameterStore("movieagg/test", region=REGION).get_all()
    assert len(values) == 26 and values["EXTRA_22"] == "22"


def test_cached_until_the_ttl_runs_out(ssm: Any) -> None:
    clock = Clock()
    store = ParameterStore("/movieagg/test/", ttl=300, region=REGION, clock=clock)
    store.get_all()
    store.get_all()
    assert store.fetches == 1
    ssm.put_parameter(
        Name="/movieagg/test/TMDB_API_KEY", Value="rotated-key-value", Type="SecureString", Overwrite=True
    )
    clock.now += 299
    assert store.get_all()["TMDB_API_KEY"] == TMDB
    clock.now += 2
    assert store.get_all()["TMDB_API_KEY"] == "rotated-key-value"
    assert store.fetches == 2


def test_missing_required_parameter_names_it_not_the_values(ssm: Any) -> None:
    store = ParameterStore("/movieagg/test/", required=("TMDB_API_KEY", "TRAKT_CLIENT_ID"), region=REGION)
    with pytest.raises(ConfigurationError) as info:
        store.get_all()
    message = str(info.value)
    assert "/movieagg/test/TRAKT_CLIENT_ID" in message
    assert TMDB not in message and OMDB not in message


def test_empty_prefix_is_an_error(ssm: Any) -> None:
    with pytest.raises(ConfigurationError, match="no SSM parameters found under /movieagg/nothing/"):
        ParameterStore("/movieagg/nothing/", region=REGION).get_all()


def test_refresh_failure_keeps_the_known_values(ssm: Any) -> None:
    clock = Clock()
    store = ParameterStore("/movieagg/test/", ttl=10, region=REGION, clock=clock)
    assert store.get_all()["OMDB_API_KEY"] == OMDB
    ssm.delete_parameters(
        Names=[
            "/movieagg/test/TMDB_API_KEY",
            "/movieagg/test/OMDB_API_KEY",
            "/movieagg/test/MOVIEAGG_RATINGS_TTL",
        ]
    )
    clock.now += 11
    assert store.get_all()["OMDB_API_KEY"] == OMDB  # empty now: keep serving what we know


def test_access_denied_is_a_clear_configuration_error() -> None:
    from botocore.exceptions import ClientError

    class Denied:
        def get_paginator(self, name: str) -> Any:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetParametersByPath"
            )

    store = ParameterStore("/movieagg/test/", client_factory=Denied)
    with pytest.raises(
        ConfigurationError,
        match=r"cannot read SSM parameters under /movieagg/test/ \(AccessDeniedException\)",
    ):
        store.get_all()


@pytest.mark.parametrize("bad", ["", "/", "has space", "/a//b/"])
def test_bad_prefix(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        normalise_prefix(bad)


def _settings(env: dict[str, str]) -> Settings:
    return Settings.from_env(env, read_file=False)


def test_from_settings() -> None:
    assert ParameterStore.from_settings(_settings({})) is None
    store = ParameterStore.from_settings(
        _settings(
            {"MOVIEAGG_SSM_PREFIX": "movieagg/prod", "MOVIEAGG_SSM_REQUIRED": "A, B", "MOVIEAGG_SSM_TTL": "60"}
        )
    )
    assert (
        store is not None
        and store.prefix == "/movieagg/prod/"
        and store.required == ("A", "B")
        and store.ttl == 60
    )
    with pytest.raises(ConfigurationError):
        ParameterStore.from_settings(_settings({"MOVIEAGG_SSM_PREFIX": "/x/", "MOVIEAGG_SSM_TTL": "-1"}))


def test_handler_reads_keys_from_ssm_once_per_cold_start(
    ssm: Any, make_service: Callable[..., Service], logs: io.StringIO, tmp_path: Path
) -> None:
    seen: list[Any] = []

    def builder(settings: Any) -> FakeAggregator:
        seen.append(settings)
        return FakeAggregator()

    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_SSM_PREFIX": "/movieagg/test/",
        "AWS_DEFAULT_REGION": REGION,
        "MOVIEAGG_SSM_REQUIRED": "TMDB_API_KEY,OMDB_API_KEY",
    }
    service = make_service(environ=env, builder=builder)
    for _ in range(3):
        assert handler(v2_event("/api/rate", {"title": "Heat"}), None)["statusCode"] == 200
    assert len(seen) == 1
    settings = seen[0]
    assert settings.get("TMDB_API_KEY") == TMDB and settings.ratings_ttl == 600.0
    assert service.params is not None and service.params.fetches == 1
    assert TMDB not in logs.getvalue() and OMDB not in logs.getvalue()


def test_handler_missing_parameter_is_a_startup_error_naming_it(
    ssm: Any, make_service: Callable[..., Service], logs: io.StringIO, tmp_path: Path
) -> None:
    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_SSM_PREFIX": "/movieagg/test/",
        "AWS_DEFAULT_REGION": REGION,
        "MOVIEAGG_SSM_REQUIRED": "TMDB_API_KEY,TRAKT_CLIENT_ID",
    }
    make_service(environ=env, builder=lambda s: FakeAggregator())
    result = handler(v2_event("/api/rate", {"title": "Heat"}), None)
    assert result["statusCode"] == 503
    assert json.loads(result["body"])["error"]["code"] == "configuration"
    assert "TRAKT_CLIENT_ID" not in result["body"]
    startup = [json.loads(x) for x in logs.getvalue().splitlines() if '"startup"' in x]
    assert startup and "missing SSM parameter: /movieagg/test/TRAKT_CLIENT_ID" in startup[0]["msg"]
    assert TMDB not in logs.getvalue()


def test_no_boto3_without_a_prefix(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "from movieagg.aws.handler import lambda_service\n"
        "s = lambda_service({'MOVIEAGG_HOME': sys.argv[1]})\n"
        "s.start()\n"
        "print(json.dumps([s.config_error, 'boto3' in sys.modules, 'botocore' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [None, False, False]


def test_rotated_secret_rebuilds_after_the_ttl(
    ssm: Any, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    built: list[tuple[Any, FakeAggregator]] = []

    def builder(settings: Any) -> FakeAggregator:
        agg = FakeAggregator()
        built.append((settings, agg))
        return agg

    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_SSM_PREFIX": "/movieagg/test/",
        "AWS_DEFAULT_REGION": REGION,
    }
    service = make_service(environ=env, builder=builder)
    assert handler(v2_event("/api/sources"), None)["statusCode"] == 200
    assert service.params is not None
    offset = [0.0]
    service.params._clock = lambda: 1e6 + offset[0]  # the TTL has run out
    assert handler(v2_event("/api/sources"), None)["statusCode"] == 200
    assert len(built) == 1  # same values: no rebuild
    for n, key in enumerate(("rotated-1", "rotated-2"), start=1):
        ssm.put_parameter(Name="/movieagg/test/TMDB_API_KEY", Value=key, Type="SecureString", Overwrite=True)
        offset[0] += 1000
        assert handler(v2_event("/api/rate", {"title": "Heat"}), None)["statusCode"] == 200
        assert len(built) == n + 1 and built[-1][0].get("TMDB_API_KEY") == key
    assert built[0][1].closed and not built[1][1].closed and not built[2][1].closed
