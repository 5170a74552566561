"""Trakt: the Trakt community rating (0–10) and its vote count, by IMDb id.

Public data needs only an app's client id (``TRAKT_CLIENT_ID``), sent as ``trakt-api-key``
with ``trakt-api-version: 2``. Ratings come from ``GET /movies/{id}/ratings`` where the id
may be an IMDb id; a film known only by its TMDB id is first looked up with
``GET /search/tmdb/{id}?type=movie``. Title search (``/search/movie?query=…&years=…``) lets
Trakt resolve titles when the sources before it in the resolver order cannot.

Errors: 401/403 mean a missing, invalid or unapproved client id (``auth``); 404 is "no such
film"; 429 (GET limit: 500 calls every 5 minutes) is retried by the shared client, which
honours Retry-After, and the source's rate limiter keeps a batch under the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import IMDB_ID_RE, Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, unusable
from movieagg.sources.registry import TRAKT

API_VERSION = "2"


class TraktSource(BaseSource, spec=TRAKT):
    def __init__(
        self, http: HttpClient, base_url: str | None = None, *, client_id: Secret | None = None
    ) -> None:
        super().__init__(http, base_url)
        self._client_id = client_id

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> TraktSource:
        return cls(http, cls.spec.url(settings), client_id=settings.secret("TRAKT_CLIENT_ID"))

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        """The JSON body of a 200; None for 404; a SourceFailure for everything else."""
        if not self._client_id:
            raise SourceFailure(
                self.name,
                f"no client id (set TRAKT_CLIENT_ID; create an app at {self.spec.signup_url})",
                "auth",
            )
        headers = {
            "Content-Type": "application/json",
            "trakt-api-key": self._client_id.reveal(),
            "trakt-api-version": API_VERSION,
        }
        response = await self.http.get(self.name, self.base_url + path, params=params, headers=headers)
        if response.status == 200:
            if response.body is None:
                raise SourceFailure(self.name, "unexpected response body", "malformed")
            return response.body
        if response.status == 404:
            return None
        if response.status in (401, 403):
            raise SourceFailure(
                self.name,
                f"client id rejected or app not approved (HTTP {response.status}; "
                f"set TRAKT_CLIENT_ID; create an app at {self.spec.signup_url})",
                "auth",
            )
        if response.status == 420:
            raise SourceFailure(self.name, "account limit exceeded (HTTP 420)", "quota")
        raise SourceFailure(self.name, f"unexpected response (HTTP {response.status})", "http")

    # ------------------------------------------------------------------ search

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        params: dict[str, str | int] = {"query": query.title, "limit": max(limit, 10)}
        if query.year is not None:
            # Trakt's filter is `years` (a year or a range); allow the usual ±1.
            params["years"] = f"{query.year - 1}-{query.year + 1}"
        body = await self._get("/search/movie", params)
        if body is None:
            return []
        if not isinstance(body, list):
            raise SourceFailure(self.name, "search returned an unexpected body", "malformed")
        candidates = [c for rank, item in enumerate(body) if (c := _found(item, rank))]
        if body and not candidates:
            raise unusable(self.name, "no usable search result")
        return candidates[:limit]

    # ------------------------------------------------------------------ ratings

    async def fetch(self, movie: Movie) -> SourceData | None:
        imdb = movie.imdb_id if movie.imdb_id and IMDB_ID_RE.match(movie.imdb_id) else None
        identity = movie
        if imdb is None and movie.tmdb_id is not None:
            found = await self._get(f"/search/tmdb/{int(movie.tmdb_id)}", {"type": "movie"})
            if found is not None and not isinstance(found, list):
                raise SourceFailure(self.name, "unexpected search body", "malformed")
            seen = _found(found[0], 0) if found else None
            if found and seen is None:
                raise unusable(self.name, "no usable search result")
            if seen is None or not seen.imdb_id:
                return None
            imdb = seen.imdb_id
            identity = Movie(title=seen.title, year=seen.year, imdb_id=imdb, tmdb_id=seen.tmdb_id)
        if imdb is None:
            return None  # the aggregator asks again once another source settled the IMDb id
        body = await self._get(f"/movies/{imdb}/ratings")
        if body is None:
            return None
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected ratings body", "malformed")
        ratings: tuple[Rating, ...] = ()
        with bounds.dropping("Trakt rating dropped"):
            votes = bounds.count(body.get("votes"), "votes", required=True)
            value = bounds.number(body.get("rating"), "rating", 0, 10, required=True)
            if votes:  # no votes: Trakt says 0, which is no rating at all
                ratings = (Rating.checked("trakt", "Trakt", round(value or 0.0, 3), 10.0, votes, self.name),)
        # The ratings body carries no ids: the film is the one asked for by IMDb id.
        seen_movie = Movie(title=identity.title, year=identity.year, imdb_id=imdb, tmdb_id=identity.tmdb_id)
        return SourceData(self.name, ratings, seen_movie, exact=True)


def _found(item: object, rank: int) -> Candidate | None:
    """A search hit (``{"type": "movie", "movie": {…}}``) as a candidate; None (noted) when unusable."""
    with bounds.dropping("search result ignored"):
        movie = item.get("movie") if isinstance(item, dict) else None
        if not isinstance(movie, dict):
            raise bounds.Invalid(f"search result {bounds.show(item)} holds no film")
        ids = movie.get("ids")
        ids = ids if isinstance(ids, dict) else {}
        bounds.ident(ids.get("trakt"), "Trakt id", required=True)  # every film on Trakt has one
        return Candidate(
            title=bounds.text(movie.get("title"), "title", required=True) or "",
            year=bounds.lenient(bounds.year, movie.get("year"), "year"),
            source=TraktSource.name,
            imdb_id=bounds.lenient(bounds.imdb_id, ids.get("imdb"), "IMDb id"),
            tmdb_id=bounds.lenient(bounds.ident, ids.get("tmdb"), "TMDB id"),
            votes=bounds.lenient(bounds.count, movie.get("votes"), "votes"),
            rank=rank,
        )
    return None
