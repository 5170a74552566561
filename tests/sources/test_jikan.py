"""Jikan (MyAnimeList) adapter: a recorded search answer, identity checks, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie
from movieagg.sources._http import HttpClient
from movieagg.sources.jikan import JikanSource

BASE = "https://jikan.test/v4"
RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "jikan_anime_search_kaijuu.json").read_text(encoding="utf-8")
)
CHILDREN = Movie(
    "Children of the Sea", 2019, imdb_id="tt8976936", tmdb_id=568012, original_title="海獣の子供"
)


async def no_sleep(_: float) -> None:
    return None


def source() -> JikanSource:
    return JikanSource(HttpClient(2.0, sleep=no_sleep), BASE)


async def test_a_film_whose_year_is_only_in_aired(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", json=RECORDED)
    data = await source().fetch(CHILDREN)
    assert data is not None and data.not_asked is None
    (rating,) = data.ratings
    assert (rating.name, rating.label, rating.value, rating.scale, rating.votes) == (
        "myanimelist", "MyAnimeList", 7.19, 10.0, 38351,
    )  # fmt: skip
    assert rating.family == "audience"
    assert data.ids == {"mal": 37981}
    assert data.movie is not None and data.movie.imdb_id == "tt8976936"  # the film asked about
    request = httpx_mock.get_requests()[0]
    assert request.url.path == "/v4/anime"
    assert request.url.params["q"] == "Children of the Sea" and request.url.params["type"] == "movie"


async def test_a_tv_series_of_the_same_title_is_left_out_with_the_reason(httpx_mock: HTTPXMock) -> None:
    """Asked for a 2024 film "Kaiju No. 8", Jikan finds only the TV series (the recorded entry)."""
    httpx_mock.add_response(method="GET", json={"data": RECORDED["data"][:1]}, is_reusable=True)
    data = await source().fetch(Movie("Kaiju No. 8", 2024, tmdb_id=1))
    assert data is not None and data.ratings == ()  # an answer, cached: a repeat asks nothing
    (why,) = data.dropped
    assert why.startswith("left out:") and '"Kaiju No. 8"' in why and "TV, not a film" in why


async def test_a_year_too_far_is_left_out(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", json=RECORDED, is_reusable=True)
    data = await source().fetch(Movie("Children of the Sea", 2006, tmdb_id=2))
    assert data is not None and data.ratings == ()
    assert "from 2019, the film from 2006" in data.dropped[0]


async def test_synonyms_count_as_titles(httpx_mock: HTTPXMock) -> None:
    """MyAnimeList lists the series' synonyms on its compilation film too ("Kaiju No. Eight"):
    a 2024 film of that name is the 2025 film (year ±1), not the TV series before it."""
    httpx_mock.add_response(method="GET", json=RECORDED)
    data = await source().fetch(Movie("Kaiju No. 8", 2024, tmdb_id=4))
    assert data is not None and data.ids == {"mal": 59489}


async def test_an_unscored_film_has_no_rating(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", json=RECORDED)
    data = await source().fetch(Movie("Kaiju No. 8 Movie", 2025, tmdb_id=3))
    assert data is not None and data.ratings == () and data.ids == {"mal": 59489}


async def test_nothing_found_is_an_empty_answer(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET", json={"data": [], "pagination": {"has_next_page": False}}, is_reusable=True
    )
    data = await source().fetch(CHILDREN)
    assert data is not None and data.ratings == () and data.dropped == () and data.ids == {}
    assert data.movie is not None and data.movie.imdb_id == CHILDREN.imdb_id  # cached under the film
    assert len(httpx_mock.get_requests()) == 2  # by its title, then by its original title


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (429, {"status": 429, "type": "RateLimitException", "message": "You are being rate limited by Jikan."}, "quota", "429"),
        (503, {"status": 503, "type": "UpstreamException", "message": "Jikan failed to connect to MyAnimeList.net."}, "unavailable", "503"),
        (400, {"status": 400, "type": "ValidationException", "message": "Invalid or incomplete request."}, "http", "Invalid or incomplete"),
        (200, {"data": {"oops": 1}}, "malformed", "unexpected"),
    ],
)  # fmt: skip
async def test_errors_map_to_failures(
    httpx_mock: HTTPXMock, status: int, body: dict[str, Any], kind: str, words: str
) -> None:
    httpx_mock.add_response(method="GET", status_code=status, json=body, is_reusable=True)
    with pytest.raises(SourceFailure, match=words) as caught:
        await source().fetch(CHILDREN)
    assert caught.value.kind == kind and caught.value.source == "jikan"
