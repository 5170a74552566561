"""Series and seasons from TMDB, OMDb and Trakt, against the fake upstream's real shapes
(bench/series.py; TMDB tv detail shape as recorded in tdle94/TMDB
TMDBTests/TMDBServiceJsonData/TVShowDetailFixture.swift)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pytest_httpx import HTTPXMock

from bench.fakeapi import OMDB_KEY, TMDB_KEY, TRAKT_CLIENT_ID, FakeAPI
from movieagg.core import bounds
from movieagg.core.config import Secret
from movieagg.core.episodes import Series
from movieagg.core.errors import SourceFailure
from movieagg.sources._http import HttpClient
from movieagg.sources.omdb import OMDbSource
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.trakt import TraktSource
from movieagg.sources.tv import OMDbEpisodes, TMDBEpisodes, TraktEpisodes, episode_source

BREAKING_BAD = "tt0903747"


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    client = HttpClient(5.0)
    yield client
    await client.aclose()


def tmdb(fake: FakeAPI, http: HttpClient) -> TMDBEpisodes:
    return TMDBEpisodes(TMDBSource(http, f"{fake.url}/tmdb/3", api_key=Secret(TMDB_KEY)))


def omdb(fake: FakeAPI, http: HttpClient) -> OMDbEpisodes:
    return OMDbEpisodes(OMDbSource(http, f"{fake.url}/omdb/", api_key=Secret(OMDB_KEY)))


def trakt(fake: FakeAPI, http: HttpClient) -> TraktEpisodes:
    return TraktEpisodes(TraktSource(http, f"{fake.url}/trakt", client_id=Secret(TRAKT_CLIENT_ID)))


@pytest.mark.parametrize("make", [tmdb, omdb, trakt])
async def test_series_by_imdb_and_seasons(fake: FakeAPI, http: HttpClient, make: object) -> None:
    source = make(fake, http)  # type: ignore[operator]
    series = await source.series_by_imdb(BREAKING_BAD)
    assert series is not None and series.title == "Breaking Bad" and series.seasons == 5
    counts = []
    for n in range(1, 6):
        episodes = await source.season(series, n)
        assert episodes is not None
        counts.append(len(episodes))
        assert all(e.rating is not None and 0 < e.rating <= 10 for e in episodes)
    assert counts == [7, 13, 13, 13, 16]
    assert await source.season(series, 9) is None


async def test_years_networks_from_tmdb(fake: FakeAPI, http: HttpClient) -> None:
    series = await tmdb(fake, http).series_by_imdb(BREAKING_BAD)
    assert series is not None and series.years == "2008–2013" and series.ids == {"tmdb": 1396}
    running = await tmdb(fake, http).series_by_imdb("tt2802850")
    assert running is not None and running.years == "2014–"


async def test_omdb_relays_imdb_ids_dates_and_years(fake: FakeAPI, http: HttpClient) -> None:
    source = omdb(fake, http)
    series = await source.series_by_imdb(BREAKING_BAD)
    assert series is not None and series.years == "2008–2013"
    first = (await source.season(series, 1) or [])[0]
    assert (first.title, first.imdb_id, first.air_date, first.votes) == (
        "Pilot",
        "tt0959621",
        "2008-01-20",
        None,
    )


@pytest.mark.parametrize("make", [tmdb, omdb, trakt])
@pytest.mark.parametrize(
    ("title", "year", "imdb"),
    [
        ("Shameless", 2004, "tt0377260"),
        ("Shameless", 2011, "tt1586680"),
        ("The Office", 2001, "tt0290978"),
        ("The Office", 2005, "tt0386676"),
        ("Breaking Bad", None, BREAKING_BAD),
    ],
)
async def test_same_title_series_told_apart_by_year(
    fake: FakeAPI, http: HttpClient, make: object, title: str, year: int | None, imdb: str
) -> None:
    series = await make(fake, http).find_series(title, year)  # type: ignore[operator]
    assert series is not None and series.imdb_id == imdb


async def test_no_series_of_that_year_is_none(fake: FakeAPI, http: HttpClient) -> None:
    assert await tmdb(fake, http).find_series("Shameless", 1990) is None
    assert await tmdb(fake, http).find_series("No Such Series", None) is None


async def test_bad_episode_values_are_dropped_and_noted(httpx_mock: HTTPXMock) -> None:
    http = HttpClient(2.0)
    httpx_mock.add_response(
        url="https://tmdb.test/3/tv/1396/season/1?language=en-US&api_key=k",
        json={
            "season_number": 1,
            "episodes": [
                {
                    "episode_number": 1,
                    "name": "Pilot",
                    "air_date": "2008-01-20",
                    "vote_average": 8.1,
                    "vote_count": 300,
                },
                {
                    "episode_number": 2,
                    "name": "Two",
                    "air_date": "not a date",
                    "vote_average": 99,
                    "vote_count": 5,
                },
                {"episode_number": -4, "name": "Bad", "vote_average": 7.0, "vote_count": 5},
                {"episode_number": 3, "name": "Unrated", "air_date": "", "vote_average": 0, "vote_count": 0},
                "junk",
            ],
        },
    )
    source = TMDBEpisodes(TMDBSource(http, "https://tmdb.test/3", api_key=Secret("k")))
    with bounds.noting() as notes:
        episodes = await source.season(Series(BREAKING_BAD, "Breaking Bad", ids={"tmdb": 1396}), 1)
    assert episodes is not None
    assert [(e.episode, e.rating, e.air_date) for e in episodes] == [
        (1, 8.1, "2008-01-20"),
        (2, None, None),
        (3, None, None),
    ]
    assert notes and any("episode rating" in n for n in notes)


async def test_series_answer_about_another_is_a_failure(httpx_mock: HTTPXMock) -> None:
    http = HttpClient(2.0)
    httpx_mock.add_response(
        url="https://tmdb.test/3/tv/1396?append_to_response=external_ids&api_key=k",
        json={"id": 60622, "name": "Fargo", "external_ids": {"imdb_id": "tt2802850"}},
    )
    source = TMDBEpisodes(TMDBSource(http, "https://tmdb.test/3", api_key=Secret("k")))
    with pytest.raises(SourceFailure):
        await source._series(1396)


def test_episode_source_picks_the_adapter_for_the_rating(http: HttpClient) -> None:
    adapters = {"tmdb": TMDBSource(http, "https://x.test"), "omdb": OMDbSource(http, "https://y.test")}
    assert isinstance(episode_source("imdb", adapters), OMDbEpisodes)
    assert isinstance(episode_source("tmdb", adapters), TMDBEpisodes)
    assert episode_source("trakt", adapters) is None
