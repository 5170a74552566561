"""Where to watch beside the score: asked while the ratings are fetched, bounded by the lookup's
deadline, cached per film and region, never failing the score."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from movieagg.cache.memory import MemoryCache
from movieagg.core.identity_hook import announce
from movieagg.core.models import Movie, Query, RatingResult
from movieagg.core.watching import WatchFinder, cached_watch, rate_with_watch, wanted

BODY = json.loads(
    (
        Path(__file__).parents[1] / "corpus" / "upstream" / "tmdb" / "movie-10195-watch-providers.json"
    ).read_text()
)
THOR = Movie(title="Thor", year=2011, imdb_id="tt0800369", tmdb_id=10195)


def answer(movie: Movie = THOR) -> RatingResult:
    return RatingResult(query=Query("Thor", 2011), movie=movie, ratings=(), score=70.0)


class Upstream:
    """TMDB's watch/providers, recorded: counts calls, can be slow or fail."""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.calls: list[tuple[int, str]] = []
        self.started_at: float | None = None
        self.delay = delay
        self.fail = fail

    async def __call__(self, tmdb_id: int, kind: str) -> object:
        self.calls.append((tmdb_id, kind))
        self.started_at = asyncio.get_running_loop().time()
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return BODY if tmdb_id == 10195 else None


async def test_watch_is_asked_as_soon_as_the_film_is_known_while_ratings_are_fetched() -> None:
    upstream = Upstream(delay=0.2)
    finder = WatchFinder(upstream, MemoryCache(), ttl=60)
    loop = asyncio.get_running_loop()
    marks: dict[str, float] = {}

    async def rate() -> RatingResult:
        announce(THOR)  # resolved: the sources are asked now
        await asyncio.sleep(0.2)  # the ratings take as long as the watch call
        marks["rated"] = loop.time()
        return answer()

    start = loop.time()
    result = await rate_with_watch(finder, "GB", rate, deadline=5.0)
    took = loop.time() - start
    assert result.watch is not None and result.watch.region == "GB"
    assert [p.name for p in result.watch.flatrate] == ["Disney Plus"]
    assert upstream.started_at is not None and upstream.started_at < marks["rated"]
    assert took < 0.35  # side by side, not one after the other (0.4 s)


async def test_without_an_announcement_the_settled_film_is_asked_after() -> None:
    upstream = Upstream()
    finder = WatchFinder(upstream, None, ttl=60)

    async def rate() -> RatingResult:
        return answer()

    result = await rate_with_watch(finder, "FR", rate, deadline=5.0)
    assert upstream.calls == [(10195, "movie")]
    assert result.watch is not None and result.watch.region == "FR"


async def test_a_film_announced_then_settled_otherwise_is_asked_for_the_settled_one() -> None:
    upstream = Upstream()
    finder = WatchFinder(upstream, None, ttl=60)

    async def rate() -> RatingResult:
        announce(Movie(title="Thor", tmdb_id=63736))  # the first guess (Almighty Thor)
        await asyncio.sleep(0.01)
        return answer()  # verified: Thor (2011)

    result = await rate_with_watch(finder, "GB", rate, deadline=5.0)
    assert (10195, "movie") in upstream.calls and result.watch is not None


async def test_a_slow_watch_call_never_holds_the_score_past_the_deadline() -> None:
    finder = WatchFinder(Upstream(delay=10.0), None, ttl=60)
    loop = asyncio.get_running_loop()

    async def rate() -> RatingResult:
        announce(THOR)
        return answer()

    start = loop.time()
    result = await rate_with_watch(finder, "GB", rate, deadline=0.3)
    assert loop.time() - start < 0.6
    assert result.score == 70.0 and result.watch is None
    assert [(e.source, e.kind) for e in result.errors] == [("tmdb-watch", "timeout")]


async def test_a_failing_watch_call_is_an_error_entry_and_the_score_stands() -> None:
    from movieagg.core.errors import SourceFailure

    finder = WatchFinder(Upstream(fail=SourceFailure("tmdb", "unexpected response (HTTP 503)")), None, ttl=60)

    async def rate() -> RatingResult:
        return answer()

    result = await rate_with_watch(finder, "GB", rate, deadline=5.0)
    assert result.score == 70.0 and result.watch is None
    assert result.errors[0].source == "tmdb-watch" and "HTTP 503" in result.errors[0].message
    # a bug in the upstream reader is contained too
    broken = WatchFinder(Upstream(fail=RuntimeError("boom")), None, ttl=60)
    result = await rate_with_watch(broken, "GB", rate, deadline=5.0)
    assert result.score == 70.0 and result.errors[0].message == "where to watch: unexpected failure"


async def test_a_failed_rating_cancels_the_watch_call() -> None:
    upstream = Upstream(delay=5.0)
    finder = WatchFinder(upstream, None, ttl=60)

    async def rate() -> RatingResult:
        announce(THOR)
        await asyncio.sleep(0.01)
        raise LookupError("no film")

    with pytest.raises(LookupError):
        await rate_with_watch(finder, "GB", rate, deadline=5.0)
    await asyncio.sleep(0.05)  # a cancelled task needs a tick or two to finish
    assert [t for t in asyncio.all_tasks() if "find" in repr(t)] == []


async def test_answers_are_cached_per_film_and_region_including_no_offers() -> None:
    upstream = Upstream()
    cache = MemoryCache()
    finder = WatchFinder(upstream, cache, ttl=60)
    gb = await finder.find(10195, "GB")
    again = await finder.find(10195, "GB")
    assert gb == again and len(upstream.calls) == 1
    assert await finder.find(10195, "US") is None  # no offers there: cached as such
    assert await finder.find(10195, "US") is None and len(upstream.calls) == 2
    assert await finder.find(10195, "FR") is not None and len(upstream.calls) == 3
    assert finder.cached(10195, "DE") == (False, None)


async def test_a_corrupt_cache_entry_is_a_miss() -> None:
    cache = MemoryCache()
    cache.set("movieagg:v1:watch:movie:10195:GB", b'{"watch": {"region": "GB", "link": "https://evil/"}}', 60)
    upstream = Upstream()
    finder = WatchFinder(upstream, cache, ttl=60)
    assert finder.cached(10195, "GB") == (False, None)
    assert (await finder.find(10195, "GB")) is not None and len(upstream.calls) == 1


async def test_the_quick_path_answers_only_from_the_cache() -> None:
    finder = WatchFinder(Upstream(), MemoryCache(), ttl=60)
    assert cached_watch(finder, "GB", answer()) is None  # not cached: the full lookup asks
    await finder.find(10195, "GB")
    quick = cached_watch(finder, "GB", answer())
    assert quick is not None and quick.watch is not None and quick.watch.region == "GB"
    no_id = answer(Movie(title="Thor", imdb_id="tt0800369"))
    assert cached_watch(finder, "GB", no_id) is no_id and cached_watch(None, "GB", no_id) is no_id


def test_watch_is_wanted_only_with_tmdb_selected() -> None:
    finder = WatchFinder(Upstream(), None, ttl=60)
    assert wanted(finder, None) and wanted(finder, ["TMDB", "omdb"])
    assert not wanted(finder, ["omdb"]) and not wanted(None, None)


async def test_the_aggregator_announces_the_film_before_asking_its_sources(
    fake: FakeAPI, tmp_path: Path
) -> None:
    """Through the real aggregator and the fake upstream (0.2 s a request): the film is known
    after the search, a whole round trip before the ratings are in."""
    from movieagg.core.config import Settings
    from movieagg.core.identity_hook import listening
    from movieagg.factory import build_runtime

    fake.state.latency = 0.2
    settings = Settings.from_env({**fake.env, "MOVIEAGG_HOME": str(tmp_path)}, read_file=False)
    runtime = build_runtime(settings, flush=None, use_cache=False)
    loop = asyncio.get_running_loop()
    heard: list[tuple[float, Movie]] = []
    try:
        with listening(lambda movie: heard.append((loop.time(), movie))):
            result = await runtime.aggregator.rate("Heat (1995)", use_cache=False)
        done = loop.time()
    finally:
        await runtime.aclose()
    assert [m.tmdb_id for _, m in heard] == [949] and result.movie.tmdb_id == 949
    assert done - heard[0][0] >= 0.15  # the sources' round trip was still to come


async def test_tmdb_failed_in_the_lookup_is_not_asked_again_for_where_to_watch() -> None:
    from movieagg.core.errors import SourceErrorInfo

    upstream = Upstream()
    finder = WatchFinder(upstream, None, ttl=60)

    async def rate() -> RatingResult:
        failed = (SourceErrorInfo("tmdb", "timed out after 10s", "timeout"),)
        return RatingResult(query=Query("Thor"), movie=THOR, ratings=(), score=70.0, errors=failed)

    result = await rate_with_watch(finder, "GB", rate, deadline=5.0)
    assert upstream.calls == [] and result.watch is None
    assert [e.source for e in result.errors] == ["tmdb"]
