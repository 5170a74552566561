"""core.tv_rate: the same-title rule, the parent/episode checks and degradation, with stub
sources (no network)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from movieagg.core.episodes import Series
from movieagg.core.errors import AllSourcesFailed, NotFound, SourceFailure
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.core.query import parse_episode_query
from movieagg.core.tv_rate import EpisodeFound, SeriesHit, TVRater, rank_hits

UK = Series("tt0377260", "Shameless", "2004–2013", 11, start=2004, country="GB")
US = Series("tt1586680", "Shameless", "2011–2021", 11, start=2011, country="US")


class Stub:
    def __init__(self, name: str, *, episode_id: str = "tt0000001", fail: bool = False) -> None:
        self.name = name
        self.episode_id = episode_id
        self.fail = fail

    async def search_series(self, title: str, year: int | None) -> Sequence[SeriesHit]:
        if self.fail:
            raise SourceFailure(self.name, "HTTP 503")
        return [
            SeriesHit("Shameless", 2011, 100.0, self.name, imdb_id=US.imdb_id),
            SeriesHit("Shameless", 2004, 30.0, self.name, imdb_id=UK.imdb_id),
        ]

    async def series_details(self, hit: SeriesHit) -> Series | None:
        return {US.imdb_id: US, UK.imdb_id: UK}.get(hit.imdb_id or "")

    async def identify(self, imdb_id: str) -> EpisodeFound | None:
        return None

    def _data(self, imdb: str) -> SourceData:
        rating = Rating.checked(self.name, self.name.upper(), 8.0, 10.0, 5000, self.name)
        return SourceData(self.name, (rating,), Movie("X", imdb_id=imdb))

    async def series_ratings(self, series: Series) -> SourceData | None:
        if self.fail:
            raise SourceFailure(self.name, "HTTP 503")
        return self._data(series.imdb_id)

    async def episode_ratings(self, series: Series, season: int, episode: int) -> SourceData | None:
        return self._data(self.episode_id)


def hit(title: str, start: int | None, weight: float) -> SeriesHit:
    return SeriesHit(title, start, weight, "s")


def test_rule_year_then_exact_title_then_popularity() -> None:
    hits = [
        hit("Shameless", 2011, 100),
        hit("Shameless", 2004, 30),
        hit("Shameless Hall of Shame", 2004, 500),
    ]
    assert [h.start for h in rank_hits(hits, "Shameless", None)] == [2011, 2004, 2004]
    assert rank_hits(hits, "Shameless", 2004)[0].weight == 30  # year, then the exact title
    assert rank_hits(hits, "Shameless", 2005)[0].weight == 30  # ±1
    assert rank_hits(hits, "Shameless", 1990) == []  # no series of that year


async def test_a_failing_source_degrades_the_answer() -> None:
    result = await TVRater([Stub("a"), Stub("b", fail=True)]).rate(parse_episode_query("Shameless", 2004))
    assert result.movie.imdb_id == UK.imdb_id and [e.source for e in result.errors] == ["b"]
    assert [r.source for r in result.ratings] == ["a"]


async def test_every_source_failing_is_all_sources_failed() -> None:
    with pytest.raises(AllSourcesFailed):
        await TVRater([Stub("a", fail=True)]).rate(parse_episode_query("Shameless"))


async def test_an_answer_about_another_episode_is_left_out() -> None:
    rater = TVRater([Stub("a", episode_id="tt1000001"), Stub("b", episode_id="tt1000002")])
    result = await rater.rate(parse_episode_query("Shameless S01E01"))
    assert result.kind == "episode" and result.movie.imdb_id == "tt1000001"
    assert [r.source for r in result.ratings] == ["a"]
    assert "answered about episode tt1000002" in result.errors[0].message


async def test_unknown_series_is_not_found() -> None:
    class Empty(Stub):
        async def search_series(self, title: str, year: int | None) -> Sequence[SeriesHit]:
            return []

    with pytest.raises(NotFound):
        await TVRater([Empty("a")]).rate(parse_episode_query("Nothing"))
