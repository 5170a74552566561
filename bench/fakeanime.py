"""The fake upstream's anime side: TMDB's genres and countries, AniList and Jikan answers.

TMDB's details carry ``genres`` and ``origin_country`` / ``production_countries``: the anime
sources are asked only for animation or an East Asian production (movieagg.core.gating).
AniList answers ``POST /anilist`` (GraphQL, ``Page.media`` as the adapter asks), Jikan
``GET /jikan/v4/anime?q=&type=movie``, both in the real shapes (tests/sources/fixtures/SOURCES.md),
about a few anime films. Figures are illustrative, not live data.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

ANIMATION, DRAMA = {"id": 16, "name": "Animation"}, {"id": 18, "name": "Drama"}
GENRES = {
    16: ANIMATION,
    18: DRAMA,
    14: {"id": 14, "name": "Fantasy"},
    878: {"id": 878, "name": "Science Fiction"},
}
COUNTRY_NAMES = {"US": "United States of America", "JP": "Japan", "KR": "South Korea", "TW": "Taiwan", "CN": "China",
                 "FR": "France", "SE": "Sweden", "GB": "United Kingdom"}  # fmt: skip

# TMDB facts by IMDb id: genre ids and countries (origin first). Films not listed: a US drama.
FACTS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "tt0245429": ((16, 14), ("JP",)),  # Spirited Away
    "tt5311514": ((16, 18), ("JP",)),  # Your Name.
    "tt0094625": ((16, 878), ("JP",)),  # Akira
    "tt0156887": ((16, 18), ("JP",)),  # Perfect Blue
    "tt0364569": ((18,), ("KR",)),  # Oldboy (2003)
    "tt0047034": ((878,), ("JP",)),  # Godzilla (1954)
    "tt0190332": ((18,), ("TW", "CN")),  # Crouching Tiger, Hidden Dragon
    "tt0211915": ((18,), ("FR",)),  # Amélie
    "tt1139797": ((18,), ("SE",)),  # Let the Right One In
    "tt1049413": ((16,), ("US",)),  # Up: animation, but no anime — AniList and Jikan know nothing
}

# The anime films as AniList and MyAnimeList list them (ids are the real ones).
ANIME: list[dict[str, Any]] = [
    {"imdb": "tt0245429", "anilist": 199, "mal": 199, "year": 2001, "english": "Spirited Away",
     "romaji": "Sen to Chihiro no Kamikakushi", "native": "千と千尋の神隠し", "anilist_score": 86,
     "anilist_votes": 98123, "popularity": 326785, "mal_score": 8.76, "mal_votes": 1891234},
    {"imdb": "tt5311514", "anilist": 21519, "mal": 32281, "year": 2016, "english": "Your Name.",
     "romaji": "Kimi no Na wa.", "native": "君の名は。", "anilist_score": 85,
     "anilist_votes": 141234, "popularity": 449812, "mal_score": 8.83, "mal_votes": 2212345},
    {"imdb": "tt0094625", "anilist": 47, "mal": 47, "year": 1988, "english": "Akira",
     "romaji": "Akira", "native": "AKIRA", "anilist_score": 79,
     "anilist_votes": 61234, "popularity": 196543, "mal_score": 8.16, "mal_votes": 481234},
    {"imdb": "tt0156887", "anilist": 437, "mal": 437, "year": 1997, "english": "Perfect Blue",
     "romaji": "Perfect Blue", "native": "パーフェクトブルー", "anilist_score": 85,
     "anilist_votes": 52345, "popularity": 187654, "mal_score": 8.66, "mal_votes": 412345},
    # A TV series named like a film: a search for "Akira" also finds it (format TV).
    {"imdb": None, "anilist": 90001, "mal": 90001, "year": 2019, "english": "Akira Chronicles",
     "romaji": "Akira Chronicles", "native": None, "anilist_score": 61, "format": "TV",
     "anilist_votes": 123, "popularity": 1234, "mal_score": 6.1, "mal_votes": 2345},
]  # fmt: skip


def tmdb_facts(imdb: str) -> dict[str, Any]:
    """The genres and countries of a film's TMDB details."""
    genres, countries = FACTS.get(imdb, ((18,), ("US",)))
    return {
        "genres": [GENRES[g] for g in genres],
        "origin_country": list(countries[:1]),
        "production_countries": [{"iso_3166_1": c, "name": COUNTRY_NAMES.get(c, c)} for c in countries],
    }


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _titles(a: dict[str, Any]) -> list[str]:
    return [t for t in (a["english"], a["romaji"], a["native"]) if t]


def search(query: str) -> list[dict[str, Any]]:
    """Entries whose any title contains the query's words (both services search loosely)."""
    words = _norm(query).split()
    if not words:
        return []
    return [a for a in ANIME if any(all(w in _norm(t).split() for w in words) for t in _titles(a))]


def anilist_media(a: dict[str, Any]) -> dict[str, Any]:
    votes = a["anilist_votes"]
    return {
        "id": a["anilist"],
        "idMal": a["mal"],
        "format": a.get("format", "MOVIE"),
        "seasonYear": a["year"],
        "startDate": {"year": a["year"]},
        "title": {"romaji": a["romaji"], "english": a["english"], "native": a["native"]},
        "synonyms": [],
        "averageScore": a["anilist_score"],
        "meanScore": a["anilist_score"] + 1,
        "popularity": a["popularity"],
        "stats": {
            "scoreDistribution": [
                {"score": 70, "amount": votes // 4},
                {"score": 90, "amount": votes - votes // 4},
            ]
        },
    }


def anilist_answer(body: Any) -> tuple[int, dict[str, Any]]:
    """AniList's answer to the adapter's GraphQL query (by ``variables.search``)."""
    variables = body.get("variables") if isinstance(body, dict) else None
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("query"), str)
        or not isinstance(variables, dict)
    ):
        return 400, {"errors": [{"message": "Must provide query string.", "status": 400}], "data": None}
    found = search(str(variables.get("search", "")))[: int(variables.get("perPage") or 5)]
    return 200, {"data": {"Page": {"media": [anilist_media(a) for a in found]}}}


def jikan_item(a: dict[str, Any]) -> dict[str, Any]:
    titles = [{"type": "Default", "title": a["romaji"]}]
    if a["native"]:
        titles.append({"type": "Japanese", "title": a["native"]})
    titles.append({"type": "English", "title": a["english"]})
    kind = "Movie" if a.get("format", "MOVIE") == "MOVIE" else "TV"
    return {
        "mal_id": a["mal"],
        "url": f"https://myanimelist.net/anime/{a['mal']}/{a['romaji'].replace(' ', '_')}",
        "approved": True,
        "titles": titles,
        "title": a["romaji"],
        "title_english": a["english"],
        "title_japanese": a["native"],
        "title_synonyms": [],
        "type": kind,
        "episodes": 1 if kind == "Movie" else 12,
        "status": "Finished Airing",
        "airing": False,
        "aired": {
            "from": f"{a['year']}-07-20T00:00:00+00:00",
            "to": None,
            "prop": {
                "from": {"day": 20, "month": 7, "year": a["year"]},
                "to": {"day": None, "month": None, "year": None},
            },
            "string": f"Jul 20, {a['year']}",
        },
        "score": a["mal_score"],
        "scored_by": a["mal_votes"],
        "rank": 20,
        "popularity": 30,
        "season": None,
        "year": None,  # films: null, the year only in "aired" (as the real API answers)
    }


def jikan_answer(params: dict[str, str]) -> dict[str, Any]:
    found = search(params.get("q", ""))
    if params.get("type", "").lower() == "movie":
        found = [a for a in found if a.get("format", "MOVIE") == "MOVIE"]
    limit = int(params.get("limit") or 25)
    items = [jikan_item(a) for a in found[:limit]]
    pagination = {"last_visible_page": 1, "has_next_page": False, "current_page": 1,
                  "items": {"count": len(items), "total": len(found), "per_page": limit}}  # fmt: skip
    return {"pagination": pagination, "data": items}
