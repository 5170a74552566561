"""The batch engine against the local fake upstream: real sources, rate limits, quotas, the cache."""

from __future__ import annotations

import time

import pytest

import movieagg
from bench.fakeapi import FakeAPI
from movieagg.batch.engine import arate_many
from movieagg.batch.summary import BatchSummary
from movieagg.core.config import Settings


def test_rate_many_against_the_fake_in_input_order(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb,omdb")
    results = movieagg.rate_many(["Dune", "Dune (1984)", ("Up", 2009), {"imdb_id": "tt0083658"}, "Zzzz Nope"])
    assert [r.status for r in results] == ["ambiguous", "found", "found", "found", "not_found"]
    assert results[0].result is not None and results[0].result.movie.year == 2021
    assert results[1].result is not None and results[1].result.movie.imdb_id == "tt0087182"
    assert results[3].result is not None and results[3].result.movie.title == "Blade Runner"
    assert "arate_many" in movieagg.__all__ and "rate_many" in movieagg.__all__


async def test_spent_omdb_quota_never_fails_the_batch(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_OMDB_DAILY_LIMIT", "2")
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb,omdb")
    summary = BatchSummary()
    results = []
    titles = ["Up (2009)", "Blade Runner (1982)", "M (1931)", "Se7en (1995)", "WALL·E (2008)"]
    async for r in arate_many(titles, settings=Settings.from_env(), use_cache=False):
        summary.add(r)
        results.append(r)
    assert all(r.status == "found" for r in results)
    with_omdb = [r for r in results if r.result and any(x.source == "omdb" for x in r.result.ratings)]
    assert len(with_omdb) == 2
    assert fake.counts().get("omdb") == 2
    assert "omdb" in summary.quota and any("quota" in line for line in summary.lines())


async def test_rate_limit_holds_during_a_batch(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch with TMDB limited to 15/s against a fake that 429s above 15/s: no 429 at all."""
    fake.state.tmdb_rps = 15
    fake.state.rejected.clear()
    fake.state.arrivals.pop("tmdb", None)
    monkeypatch.setenv("MOVIEAGG_TMDB_RATE_LIMIT", "15/1s")
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb")
    from bench.films import FILMS

    titles = [f"{f['title']} ({f['year']})" for f in FILMS[:12]]
    results = [
        r async for r in arate_many(titles, settings=Settings.from_env(), use_cache=False, concurrency=12)
    ]
    assert sum(r.status in ("found", "ambiguous") for r in results) == len(titles)
    assert fake.state.rejected["tmdb"] == 0
    arrivals = list(fake.state.arrivals["tmdb"])
    assert max(sum(1 for t in arrivals if a <= t < a + 1.0) for a in arrivals) <= 15


async def test_a_batch_waits_for_a_spent_window_instead_of_timing_out(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trakt limited to 2 calls per 2 s and a 1 s timeout: titles queue for Trakt's window for
    up to ~5 s — far beyond the 3 s a source call may take — and every one still gets Trakt's
    rating: waiting for our own rate limit is not the service being slow."""
    monkeypatch.setenv("MOVIEAGG_TRAKT_RATE_LIMIT", "2/2s")
    monkeypatch.setenv("MOVIEAGG_TIMEOUT", "1")
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb,trakt")
    from bench.films import FILMS

    titles = [f"{f['title']} ({f['year']})" for f in FILMS[:6]]
    started = time.monotonic()
    results = [
        r async for r in arate_many(titles, settings=Settings.from_env(), use_cache=False, concurrency=6)
    ]
    assert all(r.status == "found" for r in results), [(r.status, r.message) for r in results]
    assert all(r.result is not None and not r.result.errors for r in results), [
        r.result.errors for r in results if r.result
    ]
    assert all(any(x.source == "trakt" for x in r.result.ratings) for r in results if r.result)
    assert time.monotonic() - started > 4.0  # it really was paced: 6 calls at 2 per 2 s


async def test_429s_back_off_and_the_batch_resumes(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the client limit off, the fake answers 429 + Retry-After: the source pauses, then every
    title is still rated."""
    fake.state.tmdb_rps = 8
    fake.state.rejected.clear()
    monkeypatch.setenv("MOVIEAGG_TMDB_RATE_LIMIT", "off")
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb")
    monkeypatch.setenv("MOVIEAGG_TIMEOUT", "5")
    from bench.films import FILMS

    titles = [f"{f['title']} ({f['year']})" for f in FILMS[:8]]
    results = [
        r async for r in arate_many(titles, settings=Settings.from_env(), use_cache=False, concurrency=8)
    ]
    assert fake.state.rejected["tmdb"] >= 1
    assert [r.status for r in results if r.status not in ("found", "ambiguous")] == []


async def test_ambiguous_stays_ambiguous_when_answered_from_the_cache(fake: FakeAPI) -> None:
    """A re-run reads the identity from the cache; the remakes it named come with it."""
    runs = []
    for _ in range(2):
        runs.append([r async for r in arate_many(["Dune", "Dune (1984)"], settings=Settings.from_env())])
    first, second = ({r.item.label(): r for r in run} for run in runs)
    assert all(r.cached for r in second.values())
    for got in (first, second):
        assert got["Dune"].status == "ambiguous" and "Dune (1984)" in (got["Dune"].message or "")
        assert [m.year for m in got["Dune"].alternatives] == [1984]
        assert got["Dune (1984)"].status == "found" and not got["Dune (1984)"].alternatives


def test_an_imdb_id_omdb_does_not_have_is_not_found(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """OMDb's 'Error getting data.' is "no such film": the row is not_found (not failed, so a
    resumed batch does not ask again forever), and rate_imdb raises NotFound (exit 1, HTTP 404)."""
    monkeypatch.setenv("MOVIEAGG_SOURCES", "omdb")
    fake.set_faults(omdb="omdb_error")
    (row,) = movieagg.rate_many([{"imdb_id": "tt0083658"}])
    assert row.status == "not_found"
    with pytest.raises(movieagg.NotFound) as info:
        movieagg.rate_imdb("tt0083658")
    assert info.value.exit_code == 1 and info.value.http_status == 404
