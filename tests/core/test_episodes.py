"""The episode grid: its JSON shape (schema-checked), averages, best/worst, thin cells, and the
per-season cache: a second grid makes no request, a bad cache entry is refetched."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import jsonschema
import pytest

from movieagg.cache.memory import MemoryCache
from movieagg.core.episodes import THIN_VOTES, Episode, EpisodeGrid, GridFetcher, Season, Series, years_text
from movieagg.core.errors import NotFound, SourceFailure
from movieagg.core.schema import episode_grid_schema


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """Every described object closed: an undocumented field fails the test."""
    closed = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(closed)
    return closed


VALIDATOR = jsonschema.Draft202012Validator(strict(episode_grid_schema()))
SERIES = Series("tt0903747", "Breaking Bad", "2008–2013", 3, {"fake": 1})


class FakeSeasons:
    name = "fake"
    rating = "imdb"

    def __init__(self, seasons: dict[int, list[Episode] | None], fail: set[int] | None = None) -> None:
        self.seasons = seasons
        self.fail = fail or set()
        self.calls: list[object] = []
        self.in_flight = 0
        self.peak = 0

    async def series_by_imdb(self, imdb_id: str) -> Series | None:
        self.calls.append(("series", imdb_id))
        return SERIES if imdb_id == SERIES.imdb_id else None

    async def find_series(self, title: str, year: int | None) -> Series | None:
        self.calls.append(("find", title))
        return SERIES if title == "Breaking Bad" else None

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None:
        import asyncio

        self.calls.append(number)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if number in self.fail:
            raise SourceFailure("fake", "HTTP 503", "unavailable")
        return self.seasons.get(number)


def ep(season: int, n: int, rating: float | None, votes: int | None = 1000, **kw: Any) -> Episode:
    return Episode(season, n, title=f"E{season}.{n}", rating=rating, votes=votes, **kw)


def three_seasons() -> dict[int, list[Episode] | None]:
    return {
        1: [ep(1, 1, 8.0, imdb_id="tt0959621", air_date="2008-01-20"), ep(1, 2, 9.0), ep(1, 3, 7.0)],
        2: [ep(2, 2, 9.5), ep(2, 1, 6.0), ep(2, 3, 9.9, votes=3)],
        3: [ep(3, 1, None, votes=0)],
    }


async def test_grid_shape_averages_best_worst_and_schema() -> None:
    grid = await GridFetcher(FakeSeasons(three_seasons())).grid(imdb_id="tt0903747")
    data = grid.to_dict()
    VALIDATOR.validate(data)
    assert data["series"] == {
        "imdb_id": "tt0903747",
        "title": "Breaking Bad",
        "years": "2008–2013",
        "seasons": 3,
    }
    assert [s["average"] for s in data["seasons"]] == [8.0, 8.47, None]
    assert [e["episode"] for e in data["seasons"][1]["episodes"]] == [1, 2, 3]  # ordered
    first = data["seasons"][0]["episodes"][0]
    assert first == {
        "episode": 1,
        "imdb_id": "tt0959621",
        "title": "E1.1",
        "air_date": "2008-01-20",
        "rating": 8.0,
        "votes": 1000,
        "thin": False,
    }
    assert data["seasons"][1]["episodes"][2]["thin"] is True  # 3 votes
    # 5 solid episodes: the thin 9.9 is left out of best
    assert [(b["season"], b["episode"]) for b in data["best"]][:2] == [(2, 2), (1, 2)]
    assert (data["worst"][0]["season"], data["worst"][0]["episode"]) == (2, 1)
    assert data["errors"] == [] and data["cached"] is False and data["source"] == "imdb"


async def test_second_grid_is_all_cache_hits_no_request() -> None:
    cache = MemoryCache()
    first_source = FakeSeasons(three_seasons())
    await GridFetcher(first_source, cache).grid(imdb_id="tt0903747")
    assert sorted(c for c in first_source.calls if isinstance(c, int)) == [1, 2, 3]
    again = FakeSeasons(three_seasons())
    grid = await GridFetcher(again, cache).grid(imdb_id="tt0903747")
    assert again.calls == [] and grid.cached is True
    assert (
        grid.to_dict()["seasons"]
        == (await GridFetcher(FakeSeasons(three_seasons())).grid(imdb_id="tt0903747")).to_dict()["seasons"]
    )
    refreshed = FakeSeasons(three_seasons())
    await GridFetcher(refreshed, cache).grid(imdb_id="tt0903747", refresh=True)
    assert sorted(c for c in refreshed.calls if isinstance(c, int)) == [1, 2, 3]


async def test_a_tampered_cache_entry_is_refetched() -> None:
    cache = MemoryCache()
    await GridFetcher(FakeSeasons(three_seasons()), cache).grid(imdb_id="tt0903747")
    cache.set("episodes:v1:fake:tt0903747:s2", b'[[1,"x",null,null,99.0,5,"extra"]]', 60)
    again = FakeSeasons(three_seasons())
    grid = await GridFetcher(again, cache).grid(imdb_id="tt0903747")
    assert [c for c in again.calls if isinstance(c, int)] == [2] and not grid.cached


async def test_a_failing_season_degrades_the_grid() -> None:
    grid = await GridFetcher(FakeSeasons(three_seasons(), fail={2})).grid(imdb_id="tt0903747")
    assert [s.season for s in grid.seasons] == [1, 3]
    assert [e.to_dict() for e in grid.errors] == [{"source": "fake", "message": "season 2: HTTP 503"}]


async def test_seasons_fetched_concurrently_within_a_bound() -> None:
    many = {n: [ep(n, 1, 7.0)] for n in range(1, 31)}
    source = FakeSeasons(many)
    source_series = Series("tt0903747", "Long", None, 30)

    async def series_by_imdb(imdb_id: str) -> Series | None:
        return source_series

    source.series_by_imdb = series_by_imdb  # type: ignore[method-assign]
    grid = await GridFetcher(source, concurrency=6).grid(imdb_id="tt0903747")
    assert len(grid.seasons) == 30 and 1 < source.peak <= 6


async def test_unknown_series_is_not_found() -> None:
    with pytest.raises(NotFound):
        await GridFetcher(FakeSeasons({})).grid(imdb_id="tt0000001")
    with pytest.raises(NotFound):
        await GridFetcher(FakeSeasons({})).grid(title="Nothing")


def test_thin_and_no_rating() -> None:
    assert Episode(1, 1, rating=8.0, votes=THIN_VOTES - 1).thin
    assert not Episode(1, 1, rating=8.0, votes=THIN_VOTES).thin
    assert not Episode(1, 1, rating=8.0, votes=None).thin  # OMDb gives no counts: not known thin
    assert Episode.checked(1, 2, rating=0, votes=0).rating is None  # "no votes yet"
    assert EpisodeGrid(SERIES, "imdb", (Season(1, ()),)).best() == []


@pytest.mark.parametrize(
    ("start", "end", "ended", "text"),
    [
        (2008, 2013, True, "2008–2013"),
        (2014, 2026, False, "2014–"),
        (2001, 2001, True, "2001"),
        (None, None, None, None),
    ],
)
def test_years_text(start: int | None, end: int | None, ended: bool | None, text: str | None) -> None:
    assert years_text(start, end, ended) == text
