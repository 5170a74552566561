"""OMDb: IMDb rating and votes, Rotten Tomatoes (Tomatometer) and Metacritic in one call.

OMDb answers errors as ``{"Response": "False", "Error": "…"}``, often with HTTP 200 and,
for a spent daily quota, HTTP 401 — so errors are read from the body, not the status.
"Error getting data." (HTTP 200) is OMDb's answer for a well-formed IMDb id it does not
have (omdbapi/OMDb-API#47, #74: its catalogue is smaller than IMDb's): not found, not an outage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, as_list, decimal_text, score_text, unusable
from movieagg.sources.registry import OMDB


class _TooManyResults(Exception):
    pass


# OMDb's ways of saying "no such film": "Movie not found!", "Incorrect IMDb ID.", and
# "Error getting data." for an id it does not have.
_NOT_FOUND = ("not found", "incorrect imdb id", "error getting data")


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
            if any(n in lowered for n in _NOT_FOUND):
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
        candidates = [c for rank, item in enumerate(results) if (c := self._candidate(item, rank))]
        if results and not candidates:
            raise unusable(self.name, "no usable search result")
        return candidates[:limit]

    def _candidate(self, item: object, rank: int) -> Candidate | None:
        with bounds.dropping("search result ignored"):
            if not isinstance(item, dict):
                raise bounds.Invalid(f"search result {bounds.show(item)} is not an object")
            return Candidate(
                title=bounds.text(item.get("Title"), "Title", required=True) or "",
                year=bounds.lenient(bounds.year, item.get("Year"), "Year"),
                source=self.name,
                imdb_id=bounds.imdb_id(item.get("imdbID"), "imdbID", required=True),
                poster_url=bounds.lenient(bounds.url, item.get("Poster"), "Poster"),
                rank=rank,
            )
        return None

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

    def _data(self, body: dict[str, Any], *, exact: bool) -> SourceData:
        """A film's record; one without a usable id or title is a failure, a bad score is dropped."""
        try:
            imdb = bounds.imdb_id(body.get("imdbID"), "imdbID", required=True)
            title = bounds.text(body.get("Title"), "Title", required=True) or ""
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable answer ({exc})", "malformed") from None
        scores: dict[str, object] = {}
        for entry in as_list(body.get("Ratings")):
            with bounds.dropping("ignored"):
                if not isinstance(entry, dict) or not isinstance(entry.get("Source"), str):
                    raise bounds.Invalid(f"Ratings entry {bounds.show(entry)} is not a rating")
                scores[entry["Source"]] = entry.get("Value")
        ratings: list[Rating] = []
        with bounds.dropping("IMDb rating dropped"):
            votes = bounds.count(body.get("imdbVotes"), "imdbVotes")
            value = decimal_text(body.get("imdbRating"), "imdbRating")
            if value is not None:
                ratings.append(Rating.checked("imdb", "IMDb", value, 10.0, votes, self.name))
            elif (score := score_text(scores.get("Internet Movie Database"), "IMDb score")) is not None:
                ratings.append(Rating.checked("imdb", "IMDb", score[0], score[1], votes, self.name))
        with bounds.dropping("Rotten Tomatoes rating dropped"):
            rt = score_text(scores.get("Rotten Tomatoes"), "Rotten Tomatoes score")
            if rt is not None:
                if rt[1] != 100:
                    raise bounds.Invalid(f"Rotten Tomatoes score {rt[0]:g}/{rt[1]:g} is not a percentage")
                rating = Rating.checked("rotten_tomatoes", "Rotten Tomatoes", rt[0], 100.0, None, self.name)
                ratings.append(rating)
        with bounds.dropping("Metacritic rating dropped"):
            mc = score_text(scores.get("Metacritic"), "Metacritic score")
            if mc is None and (metascore := decimal_text(body.get("Metascore"), "Metascore")) is not None:
                mc = (metascore, 100.0)
            if mc is not None:
                ratings.append(Rating.checked("metacritic", "Metacritic", mc[0], mc[1], None, self.name))
        runtime = body.get("Runtime")
        if isinstance(runtime, str):
            runtime = runtime.removesuffix(" min")
        movie = Movie(
            title=title,
            year=bounds.lenient(bounds.year, body.get("Year"), "Year"),
            imdb_id=imdb,
            poster_url=bounds.lenient(bounds.url, body.get("Poster"), "Poster"),
            runtime=bounds.lenient(bounds.whole, runtime, "Runtime", lo=1, hi=bounds.RUNTIMES[1]),
            director=bounds.lenient(bounds.text, body.get("Director"), "Director", limit=bounds.MAX_NAMES),
        )
        return SourceData(self.name, tuple(ratings), movie, exact=exact)

