"""The batch library: every input format, bounded streaming, statuses, output and resume."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import time
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import movieagg
from bench.fakeapi import FakeAPI
from movieagg.batch import (
    CSV_COLUMNS,
    BatchInputError,
    BatchItem,
    BatchResult,
    BatchSummary,
    OutputWriter,
    arate_many,
    prepare_resume,
    rate_many,
    read_items,
)
from movieagg.core.aggregator import Aggregator
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError, SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData


def items(text: str) -> list[tuple[int, str | None, int | None, str | None]]:
    return [(i.index, i.title, i.year, i.imdb_id) for i in read_items(io.StringIO(text))]


# ---------------------------------------------------------------------------- input formats


def test_text_lines_titles_years_ids_comments() -> None:
    text = (
        "\ufeffThe Matrix\n"
        "Dune (1984)\n"
        "  Blade Runner 2049  \n"
        "\n"
        "# a comment\n"
        "tt0083658\n"
        "https://www.imdb.com/title/tt0114369/?ref_=x\n"
        "Crouching Tiger, Hidden Dragon (2000)\n"
        "2001: A Space Odyssey\n"
        "#Alive (2020)\n"
        "1917\n"
    )
    assert items(text) == [
        (1, "The Matrix", None, None),
        (2, "Dune", 1984, None),
        (3, "Blade Runner 2049", None, None),
        (6, None, None, "tt0083658"),
        (7, None, None, "tt0114369"),
        (8, "Crouching Tiger, Hidden Dragon", 2000, None),
        (9, "2001: A Space Odyssey", None, None),
        (10, "#Alive", 2020, None),
        (11, "1917", None, None),
    ]


def test_generic_csv_with_title_year_imdb_columns() -> None:
    text = 'title,year,imdb_id\nThe Matrix,1999,\n"Crouching Tiger, Hidden Dragon",2000,\n,,tt0083658\n,,\n'
    assert items(text) == [
        (1, "The Matrix", 1999, None),
        (2, "Crouching Tiger, Hidden Dragon", 2000, None),
        (3, None, None, "tt0083658"),
    ]


def test_letterboxd_export() -> None:
    text = (
        "Date,Name,Year,Letterboxd URI,Rating\r\n"
        "2024-01-02,Blade Runner,1982,https://boxd.it/2bcA,4.5\r\n"
        '2024-01-03,"Ocean\'s Eleven",2001,https://boxd.it/1xYz,3\r\n'
    )
    assert items(text) == [(1, "Blade Runner", 1982, None), (2, "Ocean's Eleven", 2001, None)]


def test_imdb_list_and_ratings_exports() -> None:
    lst = (
        "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,"
        "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
        '1,tt0114369,2024-01-01,2024-01-01,,Se7en,Se7en,https://www.imdb.com/title/tt0114369/,Movie,8.6,127,1995,"Crime, Drama",1812345,1995-09-15,David Fincher\n'
    )
    assert items(lst) == [(1, "Se7en", 1995, "tt0114369")]
    ratings = (
        "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,"
        "Num Votes,Release Date,Directors\n"
        "tt0022100,9,2023-02-01,M,M,https://www.imdb.com/title/tt0022100/,Movie,8.3,117,1931,Crime,168123,1931-05-11,Fritz Lang\n"
    )
    assert items(ratings) == [(1, "M", 1931, "tt0022100")]


def test_tsv_and_one_column_csv_and_bad_year() -> None:
    assert items("tconst\tprimaryTitle\tstartYear\ntt0133093\tThe Matrix\t1999\n") == [
        (1, "The Matrix", 1999, "tt0133093")
    ]
    assert items("Title\nUp\nM\n") == [(1, "Up", None, None), (2, "M", None, None)]
    (bad,) = list(read_items(io.StringIO("title,year\nHeat,nineteen95\n")))
    assert bad.year is None and bad.year_text == "nineteen95"


def test_years_as_given() -> None:
    from movieagg.batch import split_year

    assert split_year(1999) == (1999, None) and split_year("1999") == (1999, None)
    assert split_year("2021-10-22") == (2021, None) and split_year(None) == (None, None)
    assert split_year("²⁰²¹") == (None, "²⁰²¹") and split_year("19x5") == (None, "19x5")
    (item,) = list(read_items(io.StringIO("title,year\nHeat,1995-12-15\n")))
    assert item.year == 1995


def test_broken_csv_is_a_clear_input_error() -> None:
    with pytest.raises(BatchInputError, match="row"):
        list(read_items(io.StringIO('title,year\n"' + "x" * 200_000 + '",1999\n')))


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


# ---------------------------------------------------------------------------- the fake, end to end


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


# ---------------------------------------------------------------------------- output and resume


def _result(index: int, status: str = "found") -> BatchResult:
    from movieagg.core.models import RatingResult

    item = BatchItem(index, f"Film {index}", 2000)
    if status != "found":
        return BatchResult(item, status, message="boom")
    movie = Movie(f"Film {index}", 2000, imdb_id=f"tt{1000000 + index:07d}")
    rating = Rating("imdb", "IMDb", 7.0, 10.0, 10, "omdb", weight=1.0)
    return BatchResult(item, "found", RatingResult(Query(item.title or ""), movie, (rating,), 70.0))


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_writer_resume_drops_failed_and_torn_rows(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = OutputWriter(fh, fmt)
        for r in (_result(1), _result(2, "failed"), _result(3), _result(4, "not_found")):
            w.write(r)
        if fmt != "json":  # a crash mid-line
            fh.write('{"index":5,"inp' if fmt == "ndjson" else "5,Film 5,20")
    state = prepare_resume(path, fmt)
    assert state.retried == 1 and state.previous == {"found": 2, "not_found": 1}
    assert state.done == {BatchItem(i, f"Film {i}", 2000).key for i in (1, 3, 4)}
    with open(path, "a", encoding="utf-8", newline="") as fh:
        w = OutputWriter(fh, fmt, append=True)
        w.write(_result(2))
        w.write(_result(5))
        w.close()
    text = path.read_text()
    if fmt == "json":
        indexes = [row["index"] for row in json.loads(text)]
    elif fmt == "ndjson":
        indexes = [json.loads(line)["index"] for line in text.splitlines()]
    else:
        lines = text.splitlines()
        assert tuple(lines[0].split(",")) == CSV_COLUMNS
        indexes = [int(line.split(",")[0]) for line in lines[1:]]
    assert sorted(indexes) == [1, 2, 3, 4, 5]


def test_resume_refuses_a_foreign_csv(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(Exception, match="not a movieagg batch CSV"):
        prepare_resume(path, "csv")
    assert path.read_text() == "a,b\n1,2\n"  # untouched


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_resume_refuses_foreign_json_lines(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"notes.{fmt}"
    path.write_text('{"my": "notes"}\n{"more": 1}\n')
    with pytest.raises(Exception, match="not a movieagg batch"):
        prepare_resume(path, fmt)
    assert path.read_text() == '{"my": "notes"}\n{"more": 1}\n'  # untouched


def test_rate_many_is_exported_and_sync() -> None:
    results = rate_many(["Film 7", "Nope"], aggregator=Aggregator([Stub()]))
    assert [r.status for r in results] == ["found", "not_found"]


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
