"""AniList: the AniList average score (0–100) of an anime film, from its public GraphQL API.

Keyless: ``POST https://graphql.anilist.co`` with ``{"query", "variables"}``. The film is found by
title (``Page.media(search:, type: ANIME)``, a few hits) and its entry must agree with the
resolved film on title, year and format (:mod:`movieagg.sources.anime`). ``averageScore`` is
AniList's weighted score; the votes are the users who scored it (``stats.scoreDistribution``).
``idMal`` lets the MyAnimeList answer be cross-checked.

Errors: 429 (90 a minute, lowered at times) is retried by the shared client with Retry-After;
GraphQL puts failures in an ``errors`` array — with 404 for "no such media", with 200 or 400
otherwise — listed as the source's error.
"""

from __future__ import annotations

from typing import Any

from movieagg.core import bounds
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.core.untrusted import printable
from movieagg.sources import anime
from movieagg.sources.base import BaseSource, as_dict, as_list, unusable
from movieagg.sources.registry import ANILIST

QUERY = """query ($search: String, $perPage: Int) {
  Page(page: 1, perPage: $perPage) {
    media(search: $search, type: ANIME) {
      id idMal format seasonYear startDate { year }
      title { romaji english native } synonyms
      averageScore meanScore popularity
      stats { scoreDistribution { score amount } }
    }
  }
}"""
HITS = 5


class AniListSource(BaseSource, spec=ANILIST):
    async def _post(self, search: str) -> list[Any] | None:
        """The ``media`` list of a search; None when AniList says there is no such media."""
        body = {"query": QUERY, "variables": {"search": search, "perPage": HITS}}
        headers = {"Accept": "application/json"}
        response = await self.http.post(self.name, self.base_url, json_body=body, headers=headers)
        answer = as_dict(response.body)
        errors = as_list(answer.get("errors"))
        if response.status == 404:
            return None
        if errors or response.status != 200:
            first = as_dict(errors[0]) if errors else {}
            message = first.get("message")
            why = printable(message)[:120] if isinstance(message, str) else f"HTTP {response.status}"
            raise SourceFailure(self.name, f"query failed ({why})", "http")
        page = as_dict(as_dict(answer.get("data")).get("Page"))
        media = page.get("media")
        if not isinstance(media, list):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        return media

    async def fetch(self, movie: Movie) -> SourceData | None:
        return await anime.answer(self.name, movie, self._search, self._rating)

    def _rating(self, entry: anime.Entry, item: dict[str, Any]) -> tuple[Rating, ...]:
        with bounds.dropping("AniList score dropped"):
            score = bounds.number(item.get("averageScore"), "averageScore", 0, 100)
            if score is None:  # too few scores for a weighted average: the plain mean
                score = bounds.number(item.get("meanScore"), "meanScore", 0, 100)
            if score:
                return (Rating.checked("anilist", "AniList", score, 100.0, _votes(item), self.name),)
        return ()

    async def _search(self, title: str) -> list[tuple[anime.Entry, dict[str, Any]]]:
        media = await self._post(title)
        if not media:
            return []
        entries = [(e, item) for item in media if (e := _entry(item)) is not None]
        if not entries:
            raise unusable(self.name, "no usable search result")
        return entries


def _entry(item: object) -> anime.Entry | None:
    """A ``media`` hit as an entry; None (noted) when unusable."""
    with bounds.dropping("search result ignored"):
        if not isinstance(item, dict):
            raise bounds.Invalid(f"search result {bounds.show(item)} is not an object")
        bounds.ident(item.get("id"), "AniList id", required=True)
        title = as_dict(item.get("title"))
        names = [title.get("english"), title.get("romaji"), title.get("native")]
        names += as_list(item.get("synonyms"))
        titles = tuple(t for raw in names if (t := bounds.lenient(bounds.text, raw, "title")))
        if not titles:
            raise bounds.Invalid("search result has no title")
        year = bounds.lenient(bounds.year, item.get("seasonYear"), "seasonYear")
        if year is None:
            year = bounds.lenient(bounds.year, as_dict(item.get("startDate")).get("year"), "startDate")
        fmt = bounds.lenient(bounds.text, item.get("format"), "format", limit=20)
        return anime.Entry(
            titles=titles,
            year=year,
            format=fmt,
            is_film=fmt == "MOVIE",
            mal_id=bounds.lenient(bounds.ident, item.get("idMal"), "idMal"),
        )
    return None


def _votes(item: dict[str, Any]) -> int | None:
    """How many users scored it: the sum of its score distribution (None when not given)."""
    buckets = as_list(as_dict(item.get("stats")).get("scoreDistribution"))
    amounts = [bounds.lenient(bounds.count, as_dict(b).get("amount"), "amount") for b in buckets]
    return sum(a for a in amounts if a is not None) if buckets else None
