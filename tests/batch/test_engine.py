"""The batch engine with an in-process source: statuses, bounded streaming, flat memory, skipping."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator, Sequence

import pytest

from movieagg.batch.engine import arate_many, rate_many
from movieagg.batch.items import BatchItem
from movieagg.batch.results import BatchResult
from movieagg.batch.summary import BatchSummary
from movieagg.core.aggregator import Aggregator
from movieagg.core.errors import ConfigurationError, SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData

# ---------------------------------------------------------------------------- stub sources


class Stub:
    """A fast in-process source: every title "Film N" exists; "Twin" has a 1950 and a 2010 film."""

    name = "stub"
    label = "Stub"
    can_search = True

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.inflight = 0
        self.peak = 0
        self.calls = 0

    async def _tick(self) -> None:
        self.calls += 1
        self.inflight += 1
        self.peak = max(self.peak, self.inflight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.inflight -= 1

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        await self._tick()
        if query.title == "Boom":
            raise SourceFailure("stub", "service error (HTTP 503)", "unavailable")
        if query.title == "Twin":
            return [
                Candidate("Twin", 2010, "stub", imdb_id="tt0000002", votes=900),
                Candidate("Twin", 1950, "stub", imdb_id="tt0000001", votes=100),
            ]
        if query.title.startswith("Film "):
            n = int(query.title.split()[1])
            return [Candidate(query.title, 2000, "stub", imdb_id=f"tt{1000000 + n:07d}")]
        return []

    async def fetch(self, movie: Movie) -> SourceData | None:
        await self._tick()
        rating = Rating("imdb", "IMDb", 7.0, 10.0, 1000, "stub")
        return SourceData("stub", (rating,), Movie(movie.title, movie.year, imdb_id=movie.imdb_id))


async def test_statuses_found_ambiguous_not_found_invalid_failed() -> None:
    agg = Aggregator([Stub()])
    got = {
        r.item.label(): r
        async for r in arate_many(
            ["Film 1", "Twin", "Twin (1950)", "Nothing Here", ("Film 2", "19x9"), "Boom", "tt1000003"],
            aggregator=agg,
        )
    }
    assert got["Film 1"].status == "found" and got["Film 1"].result is not None
    assert got["Twin"].status == "ambiguous" and [c.year for c in got["Twin"].alternatives] == [1950]
    assert got["Twin"].result is not None and got["Twin"].result.movie.year == 2010
    assert got["Twin (1950)"].status == "found"
    assert got["Nothing Here"].status == "not_found"
    assert got["Film 2"].status == "invalid" and "19x9" in (got["Film 2"].message or "")
    assert got["Boom"].status == "failed" and "503" in (got["Boom"].message or "")
    assert got["tt1000003"].status == "found"
    summary = BatchSummary()
    for r in got.values():
        summary.add(r)
    text = "\n".join(summary.lines())
    assert "7 titles: 4 found (1 ambiguous" in text and "1 not found" in text and "1 failed" in text
    assert agg.sources["stub"].__class__ is Stub  # the batch leaves the sources as they were


async def test_concurrency_is_bounded_and_results_stream_before_input_ends() -> None:
    stub = Stub(delay=0.01)
    agg = Aggregator([stub])
    consumed = 0

    def titles() -> Iterator[str]:
        nonlocal consumed
        for i in range(200):
            consumed += 1
            yield f"Film {i}"

    first_seen_at = None
    count = 0
    async for _ in arate_many(titles(), aggregator=agg, concurrency=5):
        count += 1
        if first_seen_at is None:
            first_seen_at = consumed
    assert count == 200
    assert first_seen_at is not None and first_seen_at <= 6  # streamed, not collected first
    assert stub.peak <= 5


async def test_memory_stays_flat_for_many_titles() -> None:
    """Nothing accumulates: tasks stay bounded and the library keeps no result it yielded.

    (Peak RSS for 100,000 titles is measured by ``python -m bench.bench_batch --memory``.)
    """
    agg = Aggregator([Stub()])
    yielded: weakref.WeakSet[BatchResult] = weakref.WeakSet()
    max_tasks = 0
    n = 0
    async for r in arate_many((f"Film {i}" for i in range(3_000)), aggregator=agg, concurrency=16):
        yielded.add(r)
        n += 1
        if n % 100 == 0:
            max_tasks = max(max_tasks, len(asyncio.all_tasks()))
            gc.collect()
            assert len(yielded) <= 17, len(yielded)  # only what is in flight or in hand
    assert n == 3_000 and max_tasks <= 16 + 2


async def test_unknown_source_fails_once_up_front() -> None:
    with pytest.raises(Exception, match="unknown source"):
        async for _ in arate_many(["Film 1"], aggregator=Aggregator([Stub()]), sources=["nope"]):
            pass


async def test_no_usable_source_is_a_configuration_error() -> None:
    agg = Aggregator([Stub()], unavailable={"omdb": "set OMDB_API_KEY"})
    with pytest.raises(ConfigurationError):
        async for _ in arate_many(["Film 1"], aggregator=agg, sources=["omdb"]):
            pass


async def test_async_iterable_input_and_skip() -> None:
    async def gen():  # type: ignore[no-untyped-def]
        for i in range(4):
            yield f"Film {i}"

    done = {BatchItem(2, "Film 1").key}
    got = sorted([r.item.index async for r in arate_many(gen(), aggregator=Aggregator([Stub()]), skip=done)])
    assert got == [1, 3, 4]


def test_rate_many_is_exported_and_sync() -> None:
    results = rate_many(["Film 7", "Nope"], aggregator=Aggregator([Stub()]))
    assert [r.status for r in results] == ["found", "not_found"]


async def test_a_low_confidence_match_is_uncertain_with_its_reasons() -> None:
    from tests.core.fakes import StubSource

    solaris = {"tt0069293": ("Solaris", 1972, 8.0, 98000), "tt0307479": ("Solaris", 2002, 6.2, 93000)}
    first = StubSource("tmdb", dict(solaris), can_search=True, label="TMDB")
    second = StubSource("omdb", dict(reversed(list(solaris.items()))), can_search=True, label="OMDb")
    got = {r.item.label(): r async for r in arate_many(["Solaris", "Solaris (1972)"], aggregator=Aggregator([first, second]))}
    uncertain = got["Solaris"]
    assert uncertain.status == "uncertain" and uncertain.ok and uncertain.result is not None
    assert "OMDb's search puts Solaris (2002) first" in (uncertain.message or "")
    assert got["Solaris (1972)"].status == "found"
    summary = BatchSummary()
    for r in got.values():
        summary.add(r)
    text = "\n".join(summary.lines())
    assert "2 found (1 uncertain: review them)" in text
    assert summary.to_dict()["uncertain"] == 1


def test_weights_reach_every_lookup() -> None:
    results = rate_many(["Film 7", "tt1000008"], aggregator=Aggregator([Stub()]), weights="imdb=2")
    assert [r.result.weights for r in results if r.result] == [{"imdb": 2.0}, {"imdb": 2.0}]
