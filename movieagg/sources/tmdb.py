"""TMDB v3: title search (matches original and alternative titles) and the TMDB user score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, as_dict, as_list, unusable
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
        candidates = [c for rank, item in enumerate(results) if (c := self._candidate(item, rank))]
        if results and not candidates:
            raise unusable(self.name, "no usable search result")
        return candidates[:limit]

    def _candidate(self, item: object, rank: int) -> Candidate | None:
        with bounds.dropping("search result ignored"):
            if not isinstance(item, dict):
                raise bounds.Invalid(f"search result {bounds.show(item)} is not an object")
            title = bounds.text(item.get("title"), "title", required=True)
            return Candidate(
                title=title or "",
                year=bounds.lenient(bounds.year, item.get("release_date"), "release_date"),
                source=self.name,
                tmdb_id=bounds.ident(item.get("id"), "TMDB id", required=True),
                original_title=_original(item, title),
                votes=bounds.lenient(bounds.count, item.get("vote_count"), "vote_count"),
                popularity=bounds.lenient(bounds.number, item.get("popularity"), "popularity", lo=0, hi=1e9),
                poster_url=_poster(item.get("poster_path")),
                rank=rank,
            )
        return None

    async def fetch(self, movie: Movie) -> SourceData | None:
        if movie.tmdb_id is not None:
            body = await self._get(f"/movie/{int(movie.tmdb_id)}", {"append_to_response": "external_ids"})
            if body is None:
                return None
            external = as_dict(body.get("external_ids"))
            imdb = body.get("imdb_id") or external.get("imdb_id")
            data = self._data(body, bounds.lenient(bounds.imdb_id, imdb, "imdb_id"))
            if data.movie is not None and data.movie.tmdb_id != movie.tmdb_id:
                other = f"asked for film {movie.tmdb_id}, answered about {data.movie.tmdb_id}"
                raise SourceFailure(self.name, other, "malformed")
            return data
        if movie.imdb_id:
            body = await self._get(f"/find/{movie.imdb_id}", {"external_source": "imdb_id"})
            results = body.get("movie_results") if body else None
            if not isinstance(results, list):
                raise SourceFailure(self.name, "unexpected response body", "malformed")
            return self._data(results[0], movie.imdb_id) if results else None
        return None

    async def watch_providers(self, tmdb_id: int, kind: str = "movie") -> dict[str, Any] | None:
        """TMDB's ``{kind}/{id}/watch/providers`` body (JustWatch's offers in every country), or
        None when TMDB does not know the film; read by :func:`movieagg.core.watch.read_providers`."""
        if kind not in ("movie", "tv"):
            raise ValueError(f"kind must be movie or tv, not {kind!r}")
        return await self._get(f"/{kind}/{int(tmdb_id)}/watch/providers", {})

    def _data(self, body: object, imdb_id: str | None) -> SourceData:
        """A film's answer; one without a usable id or title is a failure, a bad rating is dropped."""
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected response body", "malformed")
        try:
            tmdb_id = bounds.ident(body.get("id"), "TMDB id", required=True)
            title = bounds.text(body.get("title"), "title", required=True) or ""
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable answer ({exc})", "malformed") from None
        ratings: tuple[Rating, ...] = ()
        with bounds.dropping("TMDB rating dropped"):
            votes = bounds.count(body.get("vote_count"), "vote_count", required=True)
            average = bounds.number(body.get("vote_average"), "vote_average", 0, 10, required=True)
            if votes:  # no votes yet: TMDB says 0.0, which is no rating at all
                ratings = (Rating.checked("tmdb", "TMDB", round(average or 0.0, 3), 10.0, votes, self.name),)
        runtime = body.get("runtime")
        movie = Movie(
            title=title,
            year=bounds.lenient(bounds.year, body.get("release_date"), "release_date"),
            imdb_id=imdb_id,
            tmdb_id=tmdb_id,
            original_title=_original(body, title),
            poster_url=_poster(body.get("poster_path")),
            runtime=bounds.lenient(bounds.whole, runtime, "runtime", lo=1, hi=bounds.RUNTIMES[1])
            if runtime != 0  # TMDB's "not known"
            else None,
            genres=_genres(body),
            countries=_countries(body),
        )
        return SourceData(self.name, ratings, movie, exact=True)


def _original(body: dict[str, Any], title: str | None) -> str | None:
    original = bounds.lenient(bounds.text, body.get("original_title"), "original_title")
    return original if original != title else None


def _poster(path: object) -> str | None:
    """TMDB's poster path (``/abc.jpg``) as an image URL; anything else is no poster."""
    if isinstance(path, str) and path.startswith("/") and len(path) < 200 and "//" not in path:
        return f"{IMAGE_BASE}{path}"
    return None


def _genres(body: dict[str, Any]) -> tuple[int, ...]:
    """Genre ids: ``genres`` [{id, name}] in details, ``genre_ids`` in search results."""
    raw = [as_dict(g).get("id") for g in as_list(body.get("genres"))] or as_list(body.get("genre_ids"))
    ids = (bounds.lenient(bounds.ident, g, "genre id") for g in raw[:30])
    return tuple(dict.fromkeys(g for g in ids if g is not None))


def _countries(body: dict[str, Any]) -> tuple[str, ...]:
    """Origin countries, then production countries (ISO 3166-1 codes), as TMDB's details list them."""
    raw = [*as_list(body.get("origin_country"))]
    raw += [as_dict(c).get("iso_3166_1") for c in as_list(body.get("production_countries"))]
    codes = (c.upper() for c in raw[:60] if isinstance(c, str) and len(c) == 2 and c.isascii())
    return tuple(dict.fromkeys(c for c in codes if c.isalpha()))
