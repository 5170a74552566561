"""Series and episodes from the local import: the offline grid, and kinds kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Query
from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.imdb_datasets.episodes import Episode


def test_episodes_of_a_series_offline(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    grid = src.episodes_of("tt0903747")
    assert grid is not None
    assert (grid.imdb_id, grid.title, grid.kind, grid.start_year, grid.end_year) == (
        "tt0903747", "Breaking Bad", "tvSeries", 2008, 2013,
    )  # fmt: skip
    assert [s for s, _ in grid.seasons] == [1, 5]
    season1 = dict(grid.seasons)[1]
    assert season1[0] == Episode(1, 1, "tt0959621", "Pilot", 2008, 9.0, 66000)
    assert season1[1].title == "Cat's in the Bag..." and season1[1].rating == 8.6
    assert dict(grid.seasons)[5] == (Episode(5, 14, "tt2301451", "Ozymandias", 2013, 10.0, 260000),)
    assert grid.unnumbered == 1  # tt9999902: IMDb gives no season or number
    assert grid.rating == 9.5 and grid.votes == 2273000
    data = grid.to_dict()
    assert data["seasons"][1] == {
        "season": 5,
        "episodes": [
            {"episode": 14, "imdb_id": "tt2301451", "title": "Ozymandias", "year": 2013,
             "rating": 10.0, "votes": 260000},
        ],
    }  # fmt: skip
    src.close()


def test_episodes_of_what_is_not_a_series(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    assert src.episodes_of("tt0133093") is None  # a film
    assert src.episodes_of("tt2301451") is None  # an episode
    assert src.episodes_of("tt0000000") is None  # unknown
    assert src.episodes_of("not an id") is None
    grid = src.episodes_of("tt1234568")  # a mini-series with no episodes in the files
    assert grid is not None and grid.seasons == () and grid.kind == "tvMiniSeries"
    src.close()


def test_episodes_without_an_import_is_a_source_failure(tmp_path: Path) -> None:
    src = ImdbDatasetsSource(path=tmp_path / "none.sqlite3")
    with pytest.raises(SourceFailure, match="datasets sync"):
        src.episodes_of("tt0903747")


async def test_a_film_query_never_gets_a_series_or_an_episode(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    assert [c.imdb_id for c in await src.search(Query("Fargo"))] == ["tt0116282"]
    assert await src.search(Query("Breaking Bad")) == []
    assert await src.search(Query("Ozymandias")) == []
    assert [c.imdb_id for c in await src.suggest(Query("Breaking"))] == []
    assert src.lookup("tt0903747") is None and src.lookup("tt2301451") is None
    assert src.lookup("tt0116282") is not None


def test_lookup_by_kind(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    series = src.lookup("tt0903747", kind="series")
    assert series is not None and series.movie is not None and series.movie.title == "Breaking Bad"
    assert series.ratings[0].value == 9.5
    episode = src.lookup("tt2301451", kind="episode")
    assert episode is not None and episode.ratings[0].votes == 260000
    assert src.lookup("tt2301451", kind="series") is None
    assert src.lookup("tt0116282", kind="any") is not None
    with pytest.raises(ValueError, match="unknown kind"):
        src.lookup("tt0116282", kind="film")


async def test_a_query_asking_for_series_gets_series(imported: Path) -> None:
    # Query.kind arrives with the backend half of #16: any query object carrying ``kind`` works.
    from types import SimpleNamespace

    query = SimpleNamespace(title="Fargo", year=None, kind="series")
    src = ImdbDatasetsSource(path=imported)
    assert [c.imdb_id for c in await src.search(query)] == ["tt2802850"]  # type: ignore[arg-type]
    query.kind = "any"
    assert {c.imdb_id for c in await src.search(query)} == {"tt0116282", "tt2802850"}  # type: ignore[arg-type]
