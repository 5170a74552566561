"""OMDb: IMDb rating and votes, Rotten Tomatoes (Tomatometer) and Metacritic in one call.

OMDb answers errors as ``{"Response": "False", "Error": "…"}``, often with HTTP 200 and,
for a spent daily quota, HTTP 401 — so errors are read from the body, not the status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, as_list, parse_int, parse_score, parse_year
from movieagg.sources.registry import OMDB


class _TooManyResults(Exception):
    pass


class OMDbSource(BaseSource, spec=OMDB):
    def __init__(
        self, http: HttpClient, base_url: str | None = None, *, api_key: Secret | None = None
    ) -> None:
        super().__init__(http, base_url)
        self.base_url = (base_url or self.default_url).rstrip("/") + "/"
        self._api_key = api_key

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> OMDbSource:
        return cls(http, cls.spec.url(settings), api_key=settings.secret("OMDB_API_KEY"))

    async def _get(self, params: dict[str, str | int]) -> dict[str, Any] | None:
        if not self._api_key:
            raise SourceFailure(self.name, f"no API key ({self.spec.needs()})", "auth")
        response = await self.http.get(
            self.name, self.base_url, params={"apikey": self._api_key.reveal(), **params}
        )
        body = response.body
        if isinstance(body, dict) and str(body.get("Response", "")).lower() == "false":
            error = str(body.get("Error", ""))
            lowered = error.lower()
            if "not found" in lowered or "incorrect imdb id" in lowered:
                return None
            if "too many results" in lowered:
                raise _TooManyResults
            if "limit" in lowered:
                raise SourceFailure(
                    self.name, "daily request limit reached (a free key allows 1,000 a day)", "quota"
                )
            if "api key" in lowered or response.status == 401:
                raise SourceFailure(
                    self.name,
                    f"API key missing, rejected or not activated ({self.spec.needs()})",
                    "auth",
                )
            raise SourceFailure(self.name, f"error: {error[:100]}", "http")
        if response.status == 401:
            raise SourceFailure(self.name, f"API key rejected ({self.spec.needs()})", "auth")
        if response.status != 200:
            raise SourceFailure(self.name, f"unexpected response (HTTP {response.status})", "http")
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        return body

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        params: dict[str, str | int] = {"s": query.title, "type": "movie"}
        if query.year is not None:
            params["y"] = query.year
        try:
            body = await self._get(params)
        except _TooManyResults:
            # Very short titles ("M", "9", "Up"): ask for the single best title match instead.
            return await self._search_by_title(query)
        results = body.get("Search") if body else None
        if not isinstance(results, list):
            return []
        candidates = []
        for rank, item in enumerate(r for r in results if isinstance(r, dict)):
            imdb, title = item.get("imdbID"), item.get("Title")
            if isinstance(imdb, str) and isinstance(title, str):
                candidates.append(
                    Candidate(
                        title=title,
                        year=parse_year(item.get("Year")),
                        source=self.name,
                        imdb_id=imdb,
                        poster_url=_na(item.get("Poster")),
                        rank=rank,
                    )
                )
        return candidates[:limit]

    async def _search_by_title(self, query: Query) -> list[Candidate]:
        params: dict[str, str | int] = {"t": query.title, "type": "movie"}
        if query.year is not None:
            params["y"] = query.year
        body = await self._get(params)
        data = self._data(body, exact=False) if body else None
        if data is None or data.movie is None or not data.movie.imdb_id:
            return []
        movie = data.movie
        votes = next((r.votes for r in data.ratings if r.name == "imdb"), None)
        return [
            Candidate(
                title=movie.title,
                year=movie.year,
                source=self.name,
                imdb_id=movie.imdb_id,
                votes=votes,
                poster_url=movie.poster_url,
                prefetched=data,
            )
        ]

    async def fetch(self, movie: Movie) -> SourceData | None:
        if movie.imdb_id:
            body = await self._get({"i": movie.imdb_id, "plot": "short"})
            return self._data(body, exact=True) if body else None
        if movie.title:
            params: dict[str, str | int] = {"t": movie.title, "type": "movie"}
            if movie.year is not None:
                params["y"] = movie.year
            body = await self._get(params)
            return self._data(body, exact=False) if body else None
        return None

    def _data(self, body: dict[str, Any], *, exact: bool) -> SourceData | None:
        imdb = body.get("imdbID")
        if not isinstance(imdb, str) or not isinstance(body.get("Title"), str):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        ratings: list[Rating] = []
        imdb_score = parse_score(f"{body.get('imdbRating')}/10")
        if imdb_score:
            ratings.append(
                Rating("imdb", "IMDb", imdb_score[0], 10.0, parse_int(body.get("imdbVotes")), self.name)
            )
        entries = as_list(body.get("Ratings"))
        by_source = {str(e.get("Source")): e.get("Value") for e in entries if isinstance(e, dict)}
        if not imdb_score:
            score = parse_score(by_source.get("Internet Movie Database"))
            if score:
                ratings.append(
                    Rating("imdb", "IMDb", score[0], score[1], parse_int(body.get("imdbVotes")), self.name)
                )
        rt = parse_score(by_source.get("Rotten Tomatoes"))
        if rt and rt[1] == 100:
            ratings.append(Rating("rotten_tomatoes", "Rotten Tomatoes", rt[0], 100.0, None, self.name))
        mc = parse_score(by_source.get("Metacritic")) or parse_score(f"{body.get('Metascore')}/100")
        if mc:
            ratings.append(Rating("metacritic", "Metacritic", mc[0], mc[1], None, self.name))
        director = _na(body.get("Director"))
        movie = Movie(
            title=body["Title"],
            year=parse_year(body.get("Year")),
            imdb_id=imdb,
            poster_url=_na(body.get("Poster")),
            runtime=parse_int(str(body.get("Runtime", "")).removesuffix(" min")),
            director=director,
        )
        return SourceData(self.name, tuple(ratings), movie, exact=exact)


def _na(value: object) -> str | None:
    return value if isinstance(value, str) and value and value != "N/A" else None
