"""TMDB v3: title search (matches original and alternative titles) and the TMDB user score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, as_dict, parse_int, parse_year
from movieagg.sources.registry import TMDB

IMAGE_BASE = "https://image.tmdb.org/t/p/w342"


class TMDBSource(BaseSource, spec=TMDB):
    def __init__(
        self,
        http: HttpClient,
        base_url: str | None = None,
        *,
        api_key: Secret | None = None,
        access_token: Secret | None = None,
    ) -> None:
        super().__init__(http, base_url)
        self._api_key = api_key
        self._access_token = access_token

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> TMDBSource:
        return cls(
            http,
            cls.spec.url(settings),
            api_key=settings.secret("TMDB_API_KEY"),
            access_token=settings.secret("TMDB_ACCESS_TOKEN"),
        )

    async def _get(self, path: str, params: dict[str, str | int]) -> dict[str, Any] | None:
        headers = {"Accept": "application/json"}
        if self._access_token:
            headers["Authorization"] = f"Bearer {self._access_token.reveal()}"
        elif self._api_key:
            params = {**params, "api_key": self._api_key.reveal()}
        response = await self.http.get(self.name, self.base_url + path, params=params, headers=headers)
        body = response.body
        code = body.get("status_code") if isinstance(body, dict) else None
        if response.status == 200 and isinstance(body, dict) and body.get("success") is not False:
            return body
        if response.status == 401 or code in (7, 10):
            why = "key suspended" if code == 10 else "API key or access token rejected"
            raise SourceFailure(self.name, f"{why} ({self.spec.needs()})", "auth")
        if response.status == 404 or code == 34:
            return None
        if response.status == 200:
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        raise SourceFailure(self.name, f"unexpected response (HTTP {response.status})", "http")

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        params: dict[str, str | int] = {
            "query": query.title,
            "include_adult": "false",
            "language": "en-US",
            "page": 1,
        }
        if query.year is not None:
            params["year"] = query.year
        body = await self._get("/search/movie", params)
        results = body.get("results") if body else []
        if not isinstance(results, list):
            raise SourceFailure(self.name, "search returned an unexpected body", "malformed")
        candidates = []
        for rank, item in enumerate(r for r in results if isinstance(r, dict)):
            candidate = self._candidate(item, rank)
            if candidate is not None:
                candidates.append(candidate)
        return candidates[:limit]

    def _candidate(self, item: dict[str, Any], rank: int) -> Candidate | None:
        tmdb_id = parse_int(item.get("id"))
        title = item.get("title")
        if tmdb_id is None or not isinstance(title, str):
            return None
        original = item.get("original_title")
        return Candidate(
            title=title,
            year=parse_year(item.get("release_date")),
            source=self.name,
            tmdb_id=tmdb_id,
            original_title=original if isinstance(original, str) and original != title else None,
            votes=parse_int(item.get("vote_count")),
            popularity=item.get("popularity") if isinstance(item.get("popularity"), int | float) else None,
            poster_url=_poster(item.get("poster_path")),
            rank=rank,
        )

    async def fetch(self, movie: Movie) -> SourceData | None:
        if movie.tmdb_id is not None:
            body = await self._get(f"/movie/{int(movie.tmdb_id)}", {"append_to_response": "external_ids"})
            if body is None:
                return None
            external = as_dict(body.get("external_ids"))
            imdb = body.get("imdb_id") or external.get("imdb_id")
            return self._data(body, imdb if isinstance(imdb, str) and imdb else None)
        if movie.imdb_id:
            body = await self._get(f"/find/{movie.imdb_id}", {"external_source": "imdb_id"})
            results = body.get("movie_results") if body else None
            if not isinstance(results, list) or not results or not isinstance(results[0], dict):
                return None
            return self._data(results[0], movie.imdb_id)
        return None

    def _data(self, body: dict[str, Any], imdb_id: str | None) -> SourceData:
        votes = parse_int(body.get("vote_count"))
        average = body.get("vote_average")
        ratings: tuple[Rating, ...] = ()
        if isinstance(average, int | float) and votes and 0 <= average <= 10:
            ratings = (Rating("tmdb", "TMDB", round(float(average), 3), 10.0, votes, self.name),)
        runtime = parse_int(body.get("runtime"))
        original = body.get("original_title")
        movie = Movie(
            title=str(body.get("title") or ""),
            year=parse_year(body.get("release_date")),
            imdb_id=imdb_id,
            tmdb_id=parse_int(body.get("id")),
            original_title=original if isinstance(original, str) and original != body.get("title") else None,
            poster_url=_poster(body.get("poster_path")),
            runtime=runtime or None,
        )
        return SourceData(self.name, ratings, movie, exact=True)


def _poster(path: object) -> str | None:
    return f"{IMAGE_BASE}{path}" if isinstance(path, str) and path.startswith("/") else None
