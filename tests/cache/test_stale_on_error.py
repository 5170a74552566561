"""Stale on error, end to end through the CLI: an earlier answer beats a failure, marked stale."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from tests.services import EVERY_SERVICE


@pytest.fixture(params=["disk", "redis"])
def cache_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    url = "disk" if request.param == "disk" else str(request.getfixturevalue("redis_url"))
    monkeypatch.setenv("MOVIEAGG_CACHE", url)
    return url


def rate(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = CliRunner().invoke(app, ["rate", *args, "--json"])
    data = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, data, result.stderr if result.stderr_bytes is not None else result.output


def test_refresh_with_every_source_down_returns_the_earlier_answer(cache_env: str, fake: FakeAPI) -> None:
    code, first, _ = rate("The Matrix")
    assert code == 0 and first is not None and not first["stale"] and not first["cached"]
    fake.state.fail = set(EVERY_SERVICE)
    code, again, err = rate("The Matrix", "--refresh")
    assert code == 0, err
    assert again is not None
    assert again["stale"] is True and again["cached"] is False
    assert again["score"] == first["score"]
    assert [r["value"] for r in again["ratings"]] == [r["value"] for r in first["ratings"]]
    # fetched_at says when the shown answer was fetched (then, not now).
    then = datetime.fromisoformat(first["fetched_at"].replace("Z", "+00:00"))
    shown = datetime.fromisoformat(again["fetched_at"].replace("Z", "+00:00"))
    assert abs((shown - then).total_seconds()) <= 2
    assert {e["source"] for e in again["errors"]} == {r["source"] for r in first["ratings"]}
    assert all("showing its answer from" in e["message"] for e in again["errors"])


def test_expired_ratings_are_used_when_the_sources_fail(
    cache_env: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_RATINGS_TTL", "1")
    code, first, _ = rate("Up")
    assert code == 0 and first is not None
    time.sleep(1.2)  # the ratings are past their TTL, kept for the stale window
    fake.state.fail = set(EVERY_SERVICE)
    code, again, err = rate("Up")
    assert code == 0, err
    assert again is not None and again["stale"] is True and again["score"] == first["score"]
    fake.state.fail = set()
    code, fresh, _ = rate("Up")  # sources back: a fresh answer, not stale
    assert fresh is not None and fresh["stale"] is False and fresh["cached"] is False


def test_one_source_down_uses_its_stale_answer_only(cache_env: str, fake: FakeAPI) -> None:
    code, first, _ = rate("Blade Runner")
    assert code == 0 and first is not None
    fake.state.fail = {"omdb"}
    code, again, _ = rate("Blade Runner", "--refresh")
    assert code == 0 and again is not None
    assert again["stale"] is True
    assert [e["source"] for e in again["errors"]] == ["omdb"]
    assert {r["source"] for r in again["ratings"]} == {r["source"] for r in first["ratings"]}


def test_no_earlier_answer_and_every_source_down_fails_with_exit_4(cache_env: str, fake: FakeAPI) -> None:
    fake.state.fail = set(EVERY_SERVICE)
    result = CliRunner().invoke(app, ["rate", "Se7en", "--json"])
    assert result.exit_code == 4
    assert "Traceback" not in result.output


def test_stale_is_false_in_the_json_contract_normally(cache_env: str, fake: FakeAPI) -> None:
    code, first, _ = rate("M")
    assert code == 0 and first is not None and first["stale"] is False
    code, cached, _ = rate("M")
    assert cached is not None and cached["stale"] is False and cached["cached"] is True


def test_expired_identity_and_ratings_still_answer_stale(
    cache_env: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identity past its TTL too (title → film cannot be resolved now): the earlier film is used."""
    monkeypatch.setenv("MOVIEAGG_RATINGS_TTL", "1")
    monkeypatch.setenv("MOVIEAGG_IDENTITY_TTL", "1")
    code, first, _ = rate("Spirited Away")
    assert code == 0 and first is not None
    time.sleep(1.2)
    fake.state.fail = set(EVERY_SERVICE)
    code, again, err = rate("Spirited Away")
    assert code == 0, err
    assert again is not None and again["stale"] is True
    assert again["movie"]["imdb_id"] == first["movie"]["imdb_id"] and again["score"] == first["score"]
    fake.state.fail = set()
    fake.counts(reset=True)
    code, fresh, _ = rate("Spirited Away")  # the identity was not refreshed by the fallback
    assert fresh is not None and not fresh["stale"] and fake.counts().get("tmdb", 0) >= 1
