"""The OpenAPI spec checked against a running `movieagg serve` with schemathesis.

Property-based: schemathesis generates requests from the spec (valid and invalid ones) and
checks every response: no 5xx other than the documented 503, status codes, content types,
headers and bodies as documented, invalid input rejected, unsupported methods answered 405.
Bounded examples keep it to a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bench.fakeapi import FakeAPI
from tests.web.serving import Served, clean_env, serve_process


@pytest.fixture(scope="module")
def served_api(fake_api: FakeAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("schemathesis")
    # Trakt is paced client-side (1000 requests / 5 min): leave it out to keep this fast.
    env = clean_env(
        {**fake_api.env, "MOVIEAGG_HOME": str(base / "home"), "MOVIEAGG_SOURCES": "tmdb,omdb,wikidata"}
    )
    with serve_process(env, base / "run") as served:
        yield served


SPEC = Path(__file__).resolve().parents[2] / "movieagg" / "web" / "openapi.json"
# Loaded from the file; test_served_spec_is_the_file checks the server serves exactly this.
# (schemathesis.pytest.from_fixture does not work with pytest 9: it reads a removed attribute.)
schema = schemathesis.openapi.from_path(str(SPEC))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_matches_its_spec(case: Any, served_api: Served) -> None:
    # A well-formed request may still name a source this server lacks, or a film nobody knows:
    # those are documented 400/404 answers, so "valid input must succeed" does not apply.
    case.call_and_validate(base_url=served_api.url, excluded_checks=[positive_data_acceptance])


def test_served_spec_is_the_file(served_api: Served) -> None:
    import httpx

    assert httpx.get(f"{served_api.url}/api/openapi.json").content == SPEC.read_bytes()


def test_spec_file_is_package_data() -> None:
    import json
    from importlib.resources import files

    spec = json.loads((files("movieagg.web") / "openapi.json").read_text())
    assert spec["openapi"].startswith("3.0")
    from openapi_spec_validator import validate

    validate(spec)
    assert Path(str(files("movieagg.web") / "openapi.json")).is_file()
