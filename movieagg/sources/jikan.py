"""Jikan: the MyAnimeList score (0–10) and its vote count, from Jikan's keyless REST API (v4).

``GET /anime?q=…&type=movie`` → ``{"data": [{"mal_id", "titles", "type", "year", "aired",
"score", "scored_by"}, …], "pagination": {…}}``. Films often have ``"year": null``: the year is
then ``aired.prop.from.year``. The entry must agree with the resolved film on title, year and
format (:mod:`movieagg.sources.anime`).

Errors: 429 (3 a second and 60 a minute) is retried by the shared client; 5xx and other failures
come as ``{"status", "type", "message", "error"}`` and are listed as the source's error.
"""

from __future__ import annotations

from typing import Any

from movieagg.core import bounds
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.core.untrusted import printable
from movieagg.sources import anime
from movieagg.sources.base import BaseSource, as_dict, as_list, unusable
from movieagg.sources.registry import JIKAN

HITS = 5


class JikanSource(BaseSource, spec=JIKAN):
    async def _get(self, title: str) -> list[Any]:
        params: dict[str, str | int] = {"q": title, "type": "movie", "limit": HITS}
        response = await self.http.get(
            self.name, self.base_url + "/anime", params=params, headers={"Accept": "application/json"}
        )
        body = as_dict(response.body)
        if response.status == 404:
            return []
        if response.status != 200:
            message = body.get("message")
            why = printable(message)[:120] if isinstance(message, str) else "no message"
            raise SourceFailure(self.name, f"unexpected response (HTTP {response.status}: {why})", "http")
        data = body.get("data")
        if not isinstance(data, list):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        return data

    async def _search(self, title: str) -> list[tuple[anime.Entry, dict[str, Any]]]:
        data = await self._get(title)
        entries = [(e, item) for item in data if (e := _entry(item)) is not None]
        if data and not entries:
            raise unusable(self.name, "no usable search result")
        return entries

    async def fetch(self, movie: Movie) -> SourceData | None:
        return await anime.answer(self.name, movie, self._search, self._rating)

    def _rating(self, entry: anime.Entry, item: dict[str, Any]) -> tuple[Rating, ...]:
        with bounds.dropping("MyAnimeList score dropped"):
            votes = bounds.count(item.get("scored_by"), "scored_by")
            score = bounds.number(item.get("score"), "score", 0, 10)
            if score and votes != 0:  # not yet scored: null (or 0 votes)
                return (Rating.checked("myanimelist", "MyAnimeList", score, 10.0, votes, self.name),)
        return ()

def _entry(item: object) -> anime.Entry | None:
    """A ``data`` hit as an entry; None (noted) when unusable."""
    with bounds.dropping("search result ignored"):
        if not isinstance(item, dict):
            raise bounds.Invalid(f"search result {bounds.show(item)} is not an object")
        mal_id = bounds.ident(item.get("mal_id"), "MyAnimeList id", required=True)
        names = [item.get("title_english"), item.get("title"), item.get("title_japanese")]
        names += [as_dict(t).get("title") for t in as_list(item.get("titles"))]
        names += as_list(item.get("title_synonyms"))
        titles = tuple(dict.fromkeys(t for raw in names if (t := bounds.lenient(bounds.text, raw, "title"))))
        if not titles:
            raise bounds.Invalid("search result has no title")
        year = bounds.lenient(bounds.year, item.get("year"), "year")
        if year is None:
            aired = as_dict(item.get("aired"))
            start = as_dict(as_dict(aired.get("prop")).get("from")).get("year")
            year = bounds.lenient(bounds.year, start if start is not None else aired.get("from"), "aired")
        fmt = bounds.lenient(bounds.text, item.get("type"), "type", limit=20)
        return anime.Entry(titles=titles, year=year, format=fmt, is_film=fmt == "Movie", mal_id=mal_id)
    return None
