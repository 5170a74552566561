"""Typed value objects shared by every layer, with the JSON shape of the public contract."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from movieagg.core.assessment import Agreement, Match, Weights
from movieagg.core.errors import InvalidQuery, SourceErrorInfo
from movieagg.core.text import fold

MAX_TITLE_LENGTH = 200
SCORE_VERSION = "families/2"  # the score's method and version (core.scoring)
# The JSON result's version (schema: core/schema/rating-result.json); additions bump the minor.
SCHEMA_VERSION = "1.0"
MIN_YEAR, MAX_YEAR = 1870, 2100
IMDB_ID_RE = re.compile(r"^tt\d{7,8}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Invisible characters a paste or an export leaves: a BOM, zero-width spaces, bidi marks at the edges.
_INVISIBLE_RE = re.compile(r"[\ufeff\u200b\u2060]")
_FORMAT = r"[\u200c-\u200f\u202a-\u202e\u2066-\u2069]+"
_EDGE_FORMAT_RE = re.compile(f"^{_FORMAT}|{_FORMAT}$")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """ISO-8601 in UTC with a trailing Z, second precision is plenty for users."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def validate_imdb_id(value: str) -> str:
    """Return a canonical IMDb id or raise InvalidQuery with a clear message."""
    candidate = value.strip().lower()
    if not IMDB_ID_RE.match(candidate):
        raise InvalidQuery(f"not an IMDb id: {value[:40]!r} (expected tt followed by 7 or 8 digits)")
    return candidate


@dataclass(frozen=True, slots=True)
class Query:
    """What the user asked for, already validated and trimmed."""

    title: str
    year: int | None = None

    @classmethod
    def create(cls, title: object, year: object = None) -> Query:
        """Validate untrusted input; raises InvalidQuery with a one-line reason."""
        if not isinstance(title, str):
            raise InvalidQuery("title must be text")
        cleaned = " ".join(_INVISIBLE_RE.sub("", _CONTROL_RE.sub(" ", title)).split())
        cleaned = _EDGE_FORMAT_RE.sub("", cleaned).strip()
        if not cleaned:
            raise InvalidQuery("title is empty")
        if not fold(cleaned):  # emoji, zero-width spaces, a BOM, U+FFFD: nothing to match on
            raise InvalidQuery("title has no letters or digits")
        if len(cleaned) > MAX_TITLE_LENGTH:
            raise InvalidQuery(f"title is too long ({len(cleaned)} characters, at most {MAX_TITLE_LENGTH})")
        return cls(cleaned, validate_year(year))

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "year": self.year}


def validate_year(year: object) -> int | None:
    if year is None or year == "":
        return None
    if isinstance(year, bool):
        raise InvalidQuery("year must be a whole number")
    if isinstance(year, str):
        text = year.strip()
        # isdigit() alone admits "²" and other non-ASCII digits that int() rejects
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            raise InvalidQuery(f"year must be a whole number, not {year[:20]!r}")
        year = int(text)
    if not isinstance(year, int):
        raise InvalidQuery("year must be a whole number")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidQuery(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    return year


@dataclass(frozen=True, slots=True)
class Movie:
    """One film's identity. Every rating in one answer belongs to this film."""

    title: str
    year: int | None = None
    imdb_id: str | None = None
    tmdb_id: int | None = None
    original_title: str | None = None
    poster_url: str | None = None
    runtime: int | None = None
    director: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "imdb_id": self.imdb_id,
            "tmdb_id": self.tmdb_id,
            "original_title": self.original_title,
            "poster_url": self.poster_url,
            "runtime": self.runtime,
            "director": self.director,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Movie:
        return cls(
            title=data["title"],
            year=data.get("year"),
            imdb_id=data.get("imdb_id"),
            tmdb_id=data.get("tmdb_id"),
            original_title=data.get("original_title"),
            poster_url=data.get("poster_url"),
            runtime=data.get("runtime"),
            director=data.get("director"),
        )

    def merged(self, other: Movie) -> Movie:
        """Fill fields this one lacks from ``other`` (ids and title of self win)."""
        return replace(
            self,
            year=self.year if self.year is not None else other.year,
            imdb_id=self.imdb_id or other.imdb_id,
            tmdb_id=self.tmdb_id if self.tmdb_id is not None else other.tmdb_id,
            original_title=self.original_title or other.original_title,
            poster_url=self.poster_url or other.poster_url,
            runtime=self.runtime or other.runtime,
            director=self.director or other.director,
        )


# Ratings drawn from one pool of reviews or votes are one piece of evidence (core.scoring):
# the Tomatometer and the RT average rating share Rotten Tomatoes' reviews. Every pool belongs to
# a family: critics' reviews or the audience's votes. Unknown names are their own audience pool.
RATING_POOLS = {"rotten_tomatoes_average": "rotten_tomatoes"}
CRITIC_POOLS = frozenset({"rotten_tomatoes", "metacritic"})
FAMILIES = ("critics", "audience")


def pool_of(name: str) -> str:
    return RATING_POOLS.get(name, name)


def family_of(name: str) -> str:
    return "critics" if pool_of(name) in CRITIC_POOLS else "audience"


@dataclass(frozen=True, slots=True)
class Rating:
    """One rating in its native scale plus its 0–100 normalisation.

    ``weight`` is the share of the score it carried (0 when another copy or another rating of
    its pool counted instead); the shares and the neutral prior's add up to 1, so
    ``score = Σ weight × normalized + (1 − Σ weight) × 60``.
    """

    name: str
    label: str
    value: float
    scale: float
    votes: int | None
    source: str
    weight: float = 0.0

    @property
    def normalized(self) -> float:
        return round(self.value / self.scale * 100.0, 2) if self.scale else 0.0

    @property
    def pool(self) -> str:
        """The pool of reviews or votes it is drawn from (counted once, however many report it)."""
        return pool_of(self.name)

    @property
    def family(self) -> str:
        """``critics`` or ``audience``."""
        return family_of(self.name)

    def display(self) -> str:
        """The rating as its source shows it: 8.0/10, 90%, 89/100 (as the web app does)."""
        if self.scale == 100 and self.name.startswith("rotten_tomatoes") and "average" not in self.name:
            return f"{self.value:g}%"
        if self.scale <= 10:  # IMDb shows 8.0/10, not 8/10; Trakt's 8.354 reads as 8.4
            return f"{self.value:.1f}/{self.scale:g}"
        return f"{self.value:g}/{self.scale:g}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "scale": self.scale,
            "normalized": self.normalized,
            "votes": self.votes,
            "source": self.source,
            "weight": round(self.weight, 4),
            "pool": self.pool,
            "family": self.family,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        return cls(
            name=data["name"],
            label=data["label"],
            value=float(data["value"]),
            scale=float(data["scale"]),
            votes=data.get("votes"),
            source=data["source"],
            weight=float(data.get("weight", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A film a search turned up, before the resolver picks one."""

    title: str
    year: int | None
    source: str
    imdb_id: str | None = None
    tmdb_id: int | None = None
    original_title: str | None = None
    aliases: tuple[str, ...] = ()
    votes: int | None = None
    popularity: float | None = None
    poster_url: str | None = None
    rank: int = 0
    prefetched: SourceData | None = None

    def to_movie(self) -> Movie:
        return Movie(
            title=self.title,
            year=self.year,
            imdb_id=self.imdb_id,
            tmdb_id=self.tmdb_id,
            original_title=self.original_title,
            poster_url=self.poster_url,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "imdb_id": self.imdb_id,
            "tmdb_id": self.tmdb_id,
            "original_title": self.original_title,
            "poster_url": self.poster_url,
            "votes": self.votes,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class SourceData:
    """What one source said about one film: its ratings and the identity it saw.

    ``movie`` carries the ids the source itself reported, so the aggregator can check that
    the source really answered about the same film before trusting its ratings.
    """

    source: str
    ratings: tuple[Rating, ...]
    movie: Movie | None
    fetched_at: datetime = field(default_factory=utcnow)
    exact: bool = True  # found by an id (True) or only by title and year (False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ratings": [r.to_dict() for r in self.ratings],
            "movie": self.movie.to_dict() if self.movie else None,
            "fetched_at": iso(self.fetched_at),
            "exact": self.exact,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceData:
        return cls(
            source=data["source"],
            ratings=tuple(Rating.from_dict(r) for r in data["ratings"]),
            movie=Movie.from_dict(data["movie"]) if data.get("movie") else None,
            fetched_at=parse_iso(data["fetched_at"]),
            exact=bool(data.get("exact", True)),
        )


@dataclass(frozen=True, slots=True)
class RatingResult:
    """The answer to "how good is this movie?" — `to_dict()` is the CLI's ``--json``, described
    by the JSON Schema shipped in the package (:func:`movieagg.core.schema.rating_result_schema`)."""

    query: Query
    movie: Movie
    ratings: tuple[Rating, ...]
    score: float | None
    errors: tuple[SourceErrorInfo, ...] = ()
    cached: bool = False
    stale: bool = False
    fetched_at: datetime = field(default_factory=utcnow)
    # Other films with the same title (remakes), when the query gave no year: "Dune" → 2021,
    # also 1984. Empty when a year or an IMDb id was given.
    alternatives: tuple[Movie, ...] = ()
    match: Match | None = None  # how sure, and why (None only for results built by hand)
    agreement: Agreement | None = None  # the ratings' spread and outliers
    critics: float | None = None  # the critics' sub-score (Rotten Tomatoes, Metacritic)
    audience: float | None = None  # the audience's sub-score (IMDb, TMDB, Trakt, …)
    weights: Weights = field(default_factory=lambda: Weights())  # the user's weights in effect
    score_version: str = SCORE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "query": self.query.to_dict(),
            "movie": self.movie.to_dict(),
            "ratings": [r.to_dict() for r in self.ratings],
            "score": self.score,
            "critics": self.critics,
            "audience": self.audience,
            "score_version": self.score_version,
            "weights": dict(self.weights),
            "errors": [e.to_dict() for e in self.errors],
            "cached": self.cached,
            "stale": self.stale,
            "fetched_at": iso(self.fetched_at),
            "alternatives": [alternative_dict(m) for m in self.alternatives],
            "match": self.match.to_dict() if self.match is not None else None,
            "agreement": self.agreement.to_dict() if self.agreement is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RatingResult:
        """Inverse of to_dict, for clients that read our JSON (API, batch resume)."""
        q = data["query"]
        return cls(
            query=Query(q["title"], q.get("year")),
            movie=Movie.from_dict(data["movie"]),
            ratings=tuple(Rating.from_dict(r) for r in data["ratings"]),
            score=data.get("score"),
            errors=tuple(SourceErrorInfo(e["source"], e["message"]) for e in data.get("errors", [])),
            cached=bool(data.get("cached")),
            stale=bool(data.get("stale")),
            fetched_at=parse_iso(data["fetched_at"]),
            alternatives=tuple(Movie.from_dict(m) for m in data.get("alternatives") or ()),
            match=Match.from_dict(data["match"]) if data.get("match") else None,
            agreement=Agreement.from_dict(data["agreement"]) if data.get("agreement") else None,
            critics=data.get("critics"),
            audience=data.get("audience"),
            weights=Weights(data.get("weights") or {}),
            score_version=str(data.get("score_version") or SCORE_VERSION),
        )


def alternative_dict(movie: Movie) -> dict[str, Any]:
    """The short form of a film another one could be mistaken for (JSON, cache)."""
    return {"title": movie.title, "year": movie.year, "imdb_id": movie.imdb_id, "tmdb_id": movie.tmdb_id}
