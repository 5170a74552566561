from __future__ import annotations

import re

from pytest_httpx import HTTPXMock

from bench import fakeapi
from bench.films import FILMS
from movieagg.core.models import Movie, Query
from movieagg.sources._http import HttpClient
from movieagg.sources.wikidata import ReviewScore, WikidataSource, ratings_from_scores

SPARQL = "https://query.wikidata.org/sparql"
API = "https://www.wikidata.org/w/api.php"
BLADE = next(f for f in FILMS if f["imdb"] == "tt0083658")


def lit(value: str, **extra: str) -> dict[str, str]:
    return {"type": "literal", "value": value, **extra}


def uri(value: str) -> dict[str, str]:
    return {"type": "uri", "value": value}


def row(score: str, by: str, date: str, count: str | None = None, rank: str = "NormalRank") -> dict[str, object]:
    r: dict[str, object] = {
        "item": uri("http://www.wikidata.org/entity/Q184843"),
        "itemLabel": lit("Blade Runner", **{"xml:lang": "en"}),
        "imdb": lit("tt0083658"),
        "score": lit(score),
        "by": uri(f"http://www.wikidata.org/entity/{by}"),
        "date": lit(date, datatype="http://www.w3.org/2001/XMLSchema#dateTime"),
        "rank": uri(f"http://wikiba.se/ontology#{rank}"),
    }
    if count:
        r["count"] = lit(count, datatype="http://www.w3.org/2001/XMLSchema#decimal")
    return r


async def test_sparql_by_imdb_id_takes_latest_and_keeps_rt_kinds_apart(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    body = {
        "head": {"vars": ["item", "itemLabel", "imdb", "tmdb", "score", "by", "method", "count", "date", "rank"]},
        "results": {"bindings": [
            row("88%", "Q105584", "2015-01-01T00:00:00Z", "100"),
            row("90%", "Q105584", "2023-05-01T00:00:00Z", "125"),
            row("8.3/10", "Q105584", "2023-05-01T00:00:00Z", "125"),
            row("84/100", "Q150248", "2020-01-01T00:00:00Z", "15"),
        ]},
    }
    httpx_mock.add_response(url=re.compile(rf"{SPARQL}\?.*format=json"), json=body)
    data = await WikidataSource(http, SPARQL).fetch(Movie("Blade Runner", imdb_id="tt0083658"))
    assert data is not None and data.movie is not None and data.movie.imdb_id == "tt0083658"
    got = {r.name: (r.value, r.scale, r.votes) for r in data.ratings}
    assert got == {
        "rotten_tomatoes": (90.0, 100.0, 125),
        "rotten_tomatoes_average": (8.3, 10.0, 125),
        "metacritic": (84.0, 100.0, 15),
    }
    request = httpx_mock.get_request()
    assert request is not None
    assert 'wdt:P345 "tt0083658"' in request.url.params["query"]
    assert request.headers["Accept"] == "application/sparql-results+json"
    assert request.headers["User-Agent"].startswith("movieagg/")


async def test_ids_are_never_interpolated_unvalidated(http: HttpClient) -> None:
    # An ill-formed IMDb id and no TMDB id: no query is sent at all.
    assert await WikidataSource(http, SPARQL).fetch(Movie("x", imdb_id='tt1" } DROP')) is None


async def test_keyless_title_search_skips_non_films_and_prefetches_scores(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    dune = [f for f in FILMS if f["title"] == "Dune"]
    hits = [{"id": "Q190192", "label": "Dune", "description": "1965 novel by Frank Herbert"}] + [
        {"id": f["qid"], "label": "Dune", "description": f"{f['year']} film"} for f in dune
    ]
    httpx_mock.add_response(
        url=re.compile(rf"{API}\?.*action=wbsearchentities"), json={"search": hits, "success": 1}
    )
    entities = {f["qid"]: fakeapi.wikidata_entity(f) for f in dune}
    entities["Q190192"] = {"type": "item", "id": "Q190192", "labels": {"en": {"language": "en", "value": "Dune"}},
                           "claims": {}}
    httpx_mock.add_response(url=re.compile(rf"{API}\?.*action=wbgetentities"), json={"entities": entities, "success": 1})
    found = await WikidataSource(http, SPARQL, api_url=API).search(Query("Dune"))
    assert sorted((c.imdb_id, c.year) for c in found) == [("tt0087182", 1984), ("tt1160419", 2021)]
    prefetched = found[0].prefetched
    assert prefetched is not None and {r.name for r in prefetched.ratings} >= {"rotten_tomatoes", "metacritic"}
    # the deprecated IMDb statement in the claims is skipped
    assert "imdb" not in {r.name for r in prefetched.ratings}


def test_scores_unknown_reviewers_and_junk_are_ignored() -> None:
    scores = [ReviewScore("93%", "Q105584", date="2021"), ReviewScore("A+", "Q105584"), ReviewScore("4/5", "Q999")]
    assert [(r.name, r.value) for r in ratings_from_scores(scores)] == [("rotten_tomatoes", 93.0)]
