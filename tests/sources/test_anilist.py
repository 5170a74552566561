"""AniList adapter: GraphQL search answers in AniList's shapes, identity checks, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie
from movieagg.sources._http import HttpClient
from movieagg.sources.anilist import AniListSource

BASE = "https://graphql.anilist.test"
SPIRITED = Movie("Spirited Away", 2001, imdb_id="tt0245429", tmdb_id=129, original_title="千と千尋の神隠し")


def media(**over: Any) -> dict[str, Any]:
    """One ``Page.media`` item as AniList answers the adapter's query (see SOURCES.md)."""
    item: dict[str, Any] = {
        "id": 199,
        "idMal": 199,
        "format": "MOVIE",
        "seasonYear": 2001,
        "startDate": {"year": 2001},
        "title": {
            "romaji": "Sen to Chihiro no Kamikakushi",
            "english": "Spirited Away",
            "native": "千と千尋の神隠し",
        },
        "synonyms": ["Sen and Chihiro's Spiriting Away"],
        "averageScore": 86,
        "meanScore": 86,
        "popularity": 326785,
        "stats": {"scoreDistribution": [{"score": 10, "amount": 2000}, {"score": 90, "amount": 40000}]},
    }
    item.update(over)
    return item


def page(*items: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"Page": {"media": list(items)}}}


async def no_sleep(_: float) -> None:
    return None


def source() -> AniListSource:
    return AniListSource(HttpClient(2.0, sleep=no_sleep), BASE)


async def test_the_film_found_by_title(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=BASE, json=page(media()))
    data = await source().fetch(SPIRITED)
    assert data is not None
    (rating,) = data.ratings
    assert (rating.name, rating.label, rating.value, rating.scale, rating.votes) == (
        "anilist", "AniList", 86.0, 100.0, 42000,
    )  # fmt: skip
    assert rating.family == "audience"
    assert data.ids == {"mal": 199} and data.exact is False
    sent = json.loads(httpx_mock.get_requests()[0].content)
    assert "type: ANIME" in sent["query"] and sent["variables"]["search"] == "Spirited Away"


async def test_the_tv_series_is_passed_over_for_the_film(httpx_mock: HTTPXMock) -> None:
    tv = media(id=1, idMal=1, format="TV", averageScore=70)
    httpx_mock.add_response(method="POST", url=BASE, json=page(tv, media()))
    data = await source().fetch(SPIRITED)
    assert data is not None and data.ratings[0].value == 86.0 and data.ids == {"mal": 199}


async def test_only_a_tv_series_is_left_out_with_the_reason(httpx_mock: HTTPXMock) -> None:
    tv = media(format="TV", seasonYear=2001)
    httpx_mock.add_response(method="POST", url=BASE, json=page(tv), is_reusable=True)
    data = await source().fetch(SPIRITED)
    assert data is not None and data.ratings == () and data.ids == {}
    (why,) = data.dropped
    assert why == 'left out: its match "Spirited Away" is not this film (it is a TV, not a film)'


async def test_no_weighted_score_falls_back_to_the_mean(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=BASE, json=page(media(averageScore=None, meanScore=74, stats=None))
    )
    data = await source().fetch(SPIRITED)
    assert data is not None and data.ratings[0].value == 74.0 and data.ratings[0].votes is None


async def test_the_year_comes_from_the_start_date_when_no_season(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=BASE, json=page(media(seasonYear=None, startDate={"year": 2003})), is_reusable=True
    )
    data = await source().fetch(SPIRITED)
    assert data is not None and "from 2003, the film from 2001" in data.dropped[0]


async def test_not_found_404_is_an_empty_answer(httpx_mock: HTTPXMock) -> None:
    body = {
        "errors": [{"message": "Not Found.", "status": 404, "locations": [{"line": 2, "column": 3}]}],
        "data": {"Page": None},
    }
    httpx_mock.add_response(method="POST", url=BASE, status_code=404, json=body, is_reusable=True)
    data = await source().fetch(SPIRITED)
    assert data is not None and data.ratings == () and not data.dropped
    assert await source().fetch(Movie("tt0245429", imdb_id="tt0245429")) is None  # no title to search by


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (200, {"errors": [{"message": "Validation error of type FieldUndefined", "status": 400}], "data": None}, "http", "FieldUndefined"),
        (400, {"errors": [{"message": "Syntax Error", "status": 400}], "data": None}, "http", "Syntax Error"),
        (429, {"errors": [{"message": "Too Many Requests.", "status": 429}], "data": None}, "quota", "429"),
        (500, {"errors": [{"message": "Internal Server Error", "status": 500}]}, "unavailable", "500"),
        (200, {"data": {"Page": {"media": "nope"}}}, "malformed", "unexpected"),
    ],
)  # fmt: skip
async def test_errors_map_to_failures(
    httpx_mock: HTTPXMock, status: int, body: dict[str, Any], kind: str, words: str
) -> None:
    headers = {"Retry-After": "0"} if status == 429 else {}
    httpx_mock.add_response(
        method="POST", url=BASE, status_code=status, json=body, headers=headers, is_reusable=True
    )
    with pytest.raises(SourceFailure, match=words) as caught:
        await source().fetch(SPIRITED)
    assert caught.value.kind == kind


async def test_hostile_titles_never_reach_a_terminal(httpx_mock: HTTPXMock) -> None:
    evil = media(
        format="TV", title={"english": "Spirited Away\x1b[31m", "romaji": None, "native": None}, synonyms=[]
    )
    httpx_mock.add_response(method="POST", url=BASE, json=page(evil), is_reusable=True)
    data = await source().fetch(SPIRITED)
    assert data is not None and data.dropped and "\x1b" not in data.dropped[0]
