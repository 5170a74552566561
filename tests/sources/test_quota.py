"""The daily quota (OMDb's 1,000 a day): counted across processes, enforced, reported."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie
from movieagg.factory import build_aggregator
from movieagg.sources._http import HttpClient
from movieagg.sources.omdb import OMDbSource
from movieagg.sources.quota import DailyQuota, quotas_from_settings
from movieagg.sources.registry import BUILTINS


def test_quota_counts_and_stops(tmp_path: Path) -> None:
    quota = DailyQuota(tmp_path / "q.sqlite3", "omdb", 3, today=lambda: "2026-01-01")
    assert [quota.take() for _ in range(5)] == [True, True, True, False, False]
    assert quota.used_today() == 3 and quota.remaining() == 0 and quota.spent
    again = DailyQuota(tmp_path / "q.sqlite3", "omdb", 3, today=lambda: "2026-01-01")
    assert not again.take()  # persisted: a new process sees it spent
    tomorrow = DailyQuota(tmp_path / "q.sqlite3", "omdb", 3, today=lambda: "2026-01-02")
    assert tomorrow.take() and tomorrow.used_today() == 1
    for q in (quota, again, tomorrow):
        q.close()


def _take_many(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    quota = DailyQuota(Path(path), "omdb", 150, today=lambda: "2026-01-01")
    out.put(sum(quota.take() for _ in range(n)))
    quota.close()


def test_quota_is_process_safe(tmp_path: Path) -> None:
    path = str(tmp_path / "q.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_take_many, args=(path, 60, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    taken = sum(out.get(timeout=5) for _ in procs)
    assert taken == 150  # 240 attempts, exactly the quota granted, never more


def test_unwritable_quota_never_blocks(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    quota = DailyQuota(blocker / "sub" / "q.sqlite3", "omdb", 1)
    assert quota.take() and quota.take()  # degraded: not enforced, not fatal


async def test_omdb_quota_spent_is_reported_and_not_called(fake: FakeAPI, tmp_path: Path) -> None:
    quotas = quotas_from_settings(
        Settings.from_env({"MOVIEAGG_OMDB_DAILY_LIMIT": "2"}, read_file=False), BUILTINS.values(), tmp_path
    )
    http = HttpClient(5.0, quotas=quotas)
    omdb = OMDbSource(http, fake.env["MOVIEAGG_OMDB_URL"], api_key=Secret(fake.env["OMDB_API_KEY"]))
    fake.counts(reset=True)
    assert await omdb.fetch(Movie("x", imdb_id="tt0133093")) is not None
    assert await omdb.fetch(Movie("x", imdb_id="tt0083658")) is not None
    with pytest.raises(SourceFailure) as info:
        await omdb.fetch(Movie("x", imdb_id="tt1049413"))
    await http.aclose()
    assert info.value.kind == "quota" and "MOVIEAGG_OMDB_DAILY_LIMIT" in info.value.message
    assert fake.counts().get("omdb") == 2


async def test_omdb_saying_limit_reached_marks_the_day_spent(tmp_path: Path) -> None:
    import httpx

    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"Response": "False", "Error": "Request limit reached!"})

    quotas = quotas_from_settings(Settings.from_env({}, read_file=False), BUILTINS.values(), tmp_path)
    http = HttpClient(5.0, quotas=quotas, transport=httpx.MockTransport(handler))
    omdb = OMDbSource(http, "https://omdb.test/", api_key=Secret("k"))
    for _ in range(3):
        with pytest.raises(SourceFailure) as info:
            await omdb.fetch(Movie("x", imdb_id="tt0133093"))
        assert info.value.kind == "quota"
    await http.aclose()
    assert calls == 1  # after the first "limit reached", OMDb is not called again today
    assert quotas["omdb"].used_today() == 1000


async def test_batch_survives_spent_quota_through_the_aggregator(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_OMDB_DAILY_LIMIT", "1")
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        first = await agg.rate("Up", 2009)
        second = await agg.rate("Blade Runner", 1982)
    assert any(r.source == "omdb" for r in first.ratings)
    assert second.score is not None and not any(r.source == "omdb" for r in second.ratings)
    assert any(e.source == "omdb" and "quota" in e.message for e in second.errors)
