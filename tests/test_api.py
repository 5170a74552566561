"""The library face: movieagg.rate / arate / search and the exported names."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import movieagg
from bench.fakeapi import FakeAPI

EXPORTED = {
    "Aggregator", "AllSourcesFailed", "Cache", "Candidate", "ConfigurationError", "InvalidQuery", "Movie",
    "MovieAggError", "NotFound", "Query", "Rating", "RatingResult", "RatingSource", "Settings", "SourceData",
    "SourceErrorInfo", "SourceFailure", "__version__", "arate", "arate_imdb", "asearch", "rate", "rate_imdb", "search",
}  # fmt: skip


def test_exported_members() -> None:
    assert set(movieagg.__all__) >= EXPORTED
    for name in movieagg.__all__:
        assert hasattr(movieagg, name), name


def test_rate_returns_a_typed_result_equal_to_the_cli_json(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    result = movieagg.rate("Up", year=2009)
    assert isinstance(result, movieagg.RatingResult)
    assert result.movie.imdb_id == "tt1049413" and result.score is not None and not result.cached
    assert all(isinstance(r, movieagg.Rating) for r in result.ratings)
    cli = subprocess.run(
        [sys.executable, "-m", "movieagg", "rate", "Up", "--year", "2009", "--json"],
        capture_output=True, text=True, env=dict(os.environ), timeout=60, check=True,
    )
    from_cli = json.loads(cli.stdout)
    again = movieagg.rate("Up", year=2009).to_dict()  # cached now, like the CLI's answer
    # where to watch is the CLI's, the API's and the web app's; the library leaves it None
    assert from_cli.pop("watch")["region"] and again.pop("watch") is None
    assert from_cli == again


async def test_arate_and_asearch(fake: FakeAPI) -> None:
    result = await movieagg.arate("Solaris", 2002)
    assert result.movie.imdb_id == "tt0307479"
    candidates = await movieagg.asearch("Solaris")
    assert {c.year for c in candidates} == {1972, 2002}
    by_id = await movieagg.arate_imdb("tt0069293")
    assert by_id.movie.title == "Solaris" and by_id.movie.year == 1972


async def test_sync_call_inside_a_loop_says_what_to_do(fake: FakeAPI) -> None:
    with pytest.raises(RuntimeError, match="arate"):
        movieagg.rate("Up")


def test_errors_are_typed(fake: FakeAPI) -> None:
    with pytest.raises(movieagg.NotFound):
        movieagg.rate("Absolutely Not A Film Title")
    with pytest.raises(movieagg.InvalidQuery):
        movieagg.rate("Up", year=3000)


async def test_aggregator_with_your_own_sources() -> None:
    from movieagg.cache.memory import MemoryCache
    from tests.core.fakes import StubSource

    source = StubSource("mine", {"tt0000042": ("Mine", 2000, 7.0, 5000)}, can_search=True)
    async with movieagg.Aggregator([source], cache=MemoryCache()) as agg:
        result = await agg.rate("Mine")
    assert result.score == pytest.approx(70.0, abs=1.0)


async def test_the_library_understands_any_way_of_naming_a_film(fake: FakeAPI) -> None:
    assert (await movieagg.arate("Psycho (1960)")).movie.imdb_id == "tt0054215"
    assert (await movieagg.arate("https://www.imdb.com/title/tt0083658/")).movie.title == "Blade Runner"
    assert (await movieagg.arate("https://www.themoviedb.org/movie/14160-up")).movie.imdb_id == "tt1049413"
    with pytest.raises(movieagg.InvalidQuery):
        await movieagg.arate("Psycho (1960)", 1998)


async def test_the_library_takes_weights(fake: FakeAPI) -> None:
    result = await movieagg.arate("Up", 2009, weights="critics=0")
    assert result.score == result.audience and result.weights == {"critics": 0.0}
    mapped = await movieagg.arate("Up", 2009, weights={"imdb": 2})
    assert mapped.weights == {"imdb": 2.0}


def test_episodes_library_call_is_the_cli_json(fake: FakeAPI) -> None:
    grid = movieagg.episodes("Breaking Bad", source="tmdb")
    assert grid.series.imdb_id == "tt0903747" and len(grid.seasons) == 5
    assert grid.to_dict()["source"] == "tmdb" and grid.best(1)[0].title == "Ozymandias"
    counted = fake.counts(reset=True)
    assert counted == {"tmdb": 7}  # search/tv, tv/{id}, then 5 seasons
    again = movieagg.episodes("Breaking Bad", source="tmdb")
    assert again.cached and fake.counts() == {}
