"""Shared fixtures: an isolated environment and the local fake of the upstream APIs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI

ISOLATE_PREFIXES = ("MOVIEAGG_", "TMDB_", "OMDB_", "TRAKT_", "AWS_")
# Keep settings that say where test services are and whether they must exist.
KEEP = {"MOVIEAGG_REQUIRE_SERVICES", "MOVIEAGG_TEST_REDIS_URL", "MOVIEAGG_TEST_DATABASE_URL"}


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test sees the developer's keys, config file or cache: MOVIEAGG_HOME is a temp dir."""
    for name in list(os.environ):
        if name.startswith(ISOLATE_PREFIXES) and name not in KEEP:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("MOVIEAGG_HOME", str(home))
    # `movieagg rate` leaves the database write to a detached helper; tests that read the
    # store right after a lookup get it written in process (tests/store/test_flusher.py
    # covers the helper itself).
    monkeypatch.setenv("MOVIEAGG_FLUSH", "inline")
    return home


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeAPI]:
    with FakeAPI() as fake:
        yield fake


@pytest.fixture
def fake(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAPI]:
    """The fake upstream with keys configured in the environment; counters zeroed."""
    fake_api.counts(reset=True)
    fake_api.set_faults()
    fake_api.state.fail = set()
    fake_api.state.latency = 0.0
    fake_api.state.tmdb_rps = None
    for k, v in fake_api.env.items():
        monkeypatch.setenv(k, v)
    yield fake_api
    fake_api.set_faults()
    fake_api.state.fail = set()
    fake_api.state.latency = 0.0
    fake_api.state.tmdb_rps = None


def services_required() -> bool:
    return os.environ.get("MOVIEAGG_REQUIRE_SERVICES") == "1"
