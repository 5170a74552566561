"""The imdb-datasets source: lookups, title search, and rating in the aggregator with no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from movieagg.core.config import Settings
from movieagg.core.models import Movie, Query
from movieagg.factory import build_aggregator, choose_specs
from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.imdb_datasets.files import db_path
from movieagg.sources.imdb_datasets.importer import import_datasets


async def test_lookup_by_imdb_id_offline(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    data = await src.fetch(Movie("x", imdb_id="tt0133093"))
    assert data is not None and data.exact
    (rating,) = data.ratings
    assert (rating.name, rating.value, rating.scale, rating.votes, rating.source) == (
        "imdb",
        8.7,
        10.0,
        2112345,
        "imdb-datasets",
    )
    assert data.movie is not None and (data.movie.title, data.movie.year, data.movie.runtime) == (
        "The Matrix",
        1999,
        136,
    )
    quoted = src.lookup("tt0499549")  # quotes kept as they are; \N → None; no rating
    assert quoted is not None and quoted.movie is not None
    assert quoted.movie.title == 'Avatar "Special"' and quoted.movie.runtime is None and quoted.ratings == ()
    tv = src.lookup("tt1234567")
    assert tv is not None and tv.movie is not None and tv.movie.year is None
    eight = src.lookup("tt10872600")
    assert eight is not None and eight.movie is not None and eight.movie.imdb_id == "tt10872600"
    assert src.lookup("tt0583459") is None  # an episode: not a film
    assert src.lookup("tt0944947") is None  # a series: not a film
    src.close()


async def test_search_titles_original_and_alternative(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    dune = await src.search(Query("Dune"))
    assert {(c.imdb_id, c.year) for c in dune} >= {("tt0087182", 1984), ("tt1160419", 2021)}
    assert dune[0].imdb_id == "tt1160419"  # most votes first
    assert [c.imdb_id for c in await src.search(Query("Dune", 1984))] == ["tt0087182"]
    assert (await src.search(Query("千と千尋の神隠し")))[0].imdb_id == "tt0245429"
    assert (await src.search(Query("Le Voyage de Chihiro")))[0].imdb_id == "tt0245429"
    assert (await src.search(Query("Матрица")))[0].imdb_id == "tt0133093"
    assert (await src.search(Query('Avatar "Special"')))[0].imdb_id == "tt0499549"  # quotes in a MATCH
    assert await src.search(Query("No Such Film")) == []
    by_title = await src.fetch(Movie("Dune", 2021))  # known only by title and year
    assert by_title is not None and by_title.movie is not None and by_title.movie.imdb_id == "tt1160419"
    assert not by_title.exact
    src.close()


def test_source_is_configured_only_once_imported(dataset_dir: Path) -> None:
    settings = Settings.from_env()
    chosen, unavailable = choose_specs(settings)
    assert "imdb-datasets" not in {s.name for s in chosen}
    assert "datasets sync" in unavailable.get("imdb-datasets", "") or "imdb-datasets" not in unavailable
    import_datasets(dataset_dir, db_path(settings))
    chosen, _ = choose_specs(settings)
    assert "imdb-datasets" in {s.name for s in chosen}


async def test_offline_rating_and_resolution_with_no_network(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the local import: titles resolve and rate with no key and no network at all."""
    monkeypatch.setenv("MOVIEAGG_SOURCES", "imdb-datasets")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # any network use would fail
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Spirited Away")
        by_id = await agg.rate_imdb("tt1160419")
    assert result.movie.imdb_id == "tt0245429" and result.ratings[0].value == 8.6 and not result.errors
    assert by_id.movie.title == "Dune" and by_id.ratings[0].votes == 812000


async def test_suggest_finds_titles_by_the_beginning_of_their_words(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    found = await src.suggest(Query("the m"))  # "did you mean" for "the matrx" asks this prefix
    assert "tt0133093" in [c.imdb_id for c in found]
    assert await src.suggest(Query('"')) == []
    src.close()
