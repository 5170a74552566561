"""Typed value objects shared by every layer, with the JSON shape of the public contract.

``from_dict`` reads JSON that may have been tampered with (a cache entry, a batch output
being resumed): it checks every type and range (:mod:`movieagg.core.bounds`) and raises
:class:`~movieagg.core.bounds.Invalid` (a ValueError) rather than build a bad object.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from movieagg.core import bounds
from movieagg.core.assessment import Agreement, Match, Weights
from movieagg.core.bounds import Invalid
from movieagg.core.errors import InvalidQuery, SourceErrorInfo
from movieagg.core.text import fold
from movieagg.core.watch import WatchOptions

if TYPE_CHECKING:  # the TV module loads only with a TV answer read back (a cache hit stays lean)
    from movieagg.core.tvinfo import TitleKind, TVInfo

MAX_TITLE_LENGTH = 200
SCORE_VERSION = "families/2"  # the score's method and version (core.scoring)
# The JSON result's version (schema: core/schema/rating-result.json); additions bump the minor.
SCHEMA_VERSION = "1.1"  # 1.1: "kind" and "tv" (series and episodes, #16), "watch" and "not_asked" (#17)
MIN_YEAR, MAX_YEAR = bounds.YEARS
IMDB_ID_RE = bounds.IMDB_ID
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
CLOCK_SKEW = timedelta(days=1)  # how far in the future a stored time may be before it is a lie
# Lone surrogates (argv's undecodable bytes under surrogateescape, "\\ud800" in a JSON event) and
# U+FFFD (what a lenient decoder leaves of undecodable bytes): never part of a real title.
_UNDECODABLE_RE = re.compile("[\ud800-\udfff\ufffd]")
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


# ---------------------------------------------------------------------- reading our own JSON back


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(f"{what} is not an object")
    return data


def _str(
    data: dict[str, Any], key: str, limit: int = bounds.MAX_TEXT, *, required: bool = False
) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{key} {bounds.show(value)} is not text of at most {limit} characters")
    return value


def _int(data: dict[str, Any], key: str, span: tuple[int, int]) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not span[0] <= value <= span[1]:
        raise Invalid(f"{key} {bounds.show(value)} is not a whole number in {span[0]}–{span[1]}")
    return value


def _float(data: dict[str, Any], key: str, lo: float, hi: float, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{key} {bounds.show(value)} is not a number")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise Invalid(f"{key} {bounds.show(value)} is not a finite number in {lo:g}–{hi:g}")
    return float(value)


def _time(data: dict[str, Any], key: str) -> datetime:
    """A stored UTC time: aware, and not in the future (a future time would never expire)."""
    raw = data.get(key)
    if not isinstance(raw, str) or len(raw) > 40:
        raise Invalid(f"{key} {bounds.show(raw)} is not a time")
    when = parse_iso(raw)
    if when.tzinfo is None or when > utcnow() + CLOCK_SKEW:
        raise Invalid(f"{key} {bounds.show(raw)} is not a past UTC time")
    return when


def _list(data: dict[str, Any], key: str, limit: int = 100) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit:
        raise Invalid(f"{key} is not a list of at most {limit} items")
    return value


def validate_imdb_id(value: str) -> str:
    """Return a canonical IMDb id or raise InvalidQuery with a clear message."""
    candidate = value.strip().lower()
    if not IMDB_ID_RE.match(candidate):
        raise InvalidQuery(f"not an IMDb id: {value[:40]!r} (expected tt followed by 7 or 8 digits)")
    return candidate


def check_decodable(title: str) -> None:
    """Raise InvalidQuery for text holding what is left of undecodable bytes (every face)."""
    if _UNDECODABLE_RE.search(title):
        raise InvalidQuery("title has undecodable bytes (not UTF-8 text)")


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
        check_decodable(title)
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
    # TMDB's facts that tell which sources can know the film (core.gating): its genre ids
    # (16 = animation) and its origin and production countries (ISO 3166-1).
    genres: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "year": self.year,
            "imdb_id": self.imdb_id,
            "tmdb_id": self.tmdb_id,
            "original_title": self.original_title,
            "poster_url": self.poster_url,
            "runtime": self.runtime,
            "director": self.director,
        }
        if self.genres:
            out["genres"] = list(self.genres)
        if self.countries:
            out["countries"] = list(self.countries)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Movie:
        """Inverse of to_dict; raises Invalid for a wrong type or a value out of range."""
        data = _object(data, "movie")
        imdb_id = _str(data, "imdb_id", 10)
        if imdb_id is not None and not IMDB_ID_RE.match(imdb_id):
            raise Invalid(f"imdb_id {bounds.show(imdb_id)} is not an IMDb id")
        poster = _str(data, "poster_url", bounds.MAX_URL)
        if poster is not None and not poster.startswith(("https://", "http://")):
            raise Invalid("poster_url is not a web address")
        return cls(
            title=_str(data, "title", required=True) or "",
            year=_int(data, "year", bounds.YEARS),
            imdb_id=imdb_id,
            tmdb_id=_int(data, "tmdb_id", bounds.IDS),
            original_title=_str(data, "original_title"),
            poster_url=poster,
            runtime=_int(data, "runtime", bounds.RUNTIMES),
            director=_str(data, "director", bounds.MAX_NAMES),
            genres=_genres(data.get("genres")),
            countries=_countries(data.get("countries")),
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
            genres=self.genres or other.genres,
            countries=self.countries or other.countries,
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
    def checked(
        cls, name: str, label: str, value: float, scale: float, votes: int | None, source: str
    ) -> Rating:
        """A rating whose figures were checked: finite, within its scale, votes a count (else Invalid)."""
        bounds.score(value, scale, label)
        counted = bounds.count(votes, f"{label} vote count") if votes is not None else None
        return cls(name, label, float(value), float(scale), counted, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        """Inverse of to_dict; raises Invalid for a wrong type or a value out of range."""
        data = _object(data, "rating")
        scale = _float(data, "scale", 0.0, bounds.MAX_SCALE)
        rating = cls.checked(
            name=_str(data, "name", 60, required=True) or "",
            label=_str(data, "label", 80, required=True) or "",
            value=_float(data, "value", 0.0, scale),
            scale=scale,
            votes=_int(data, "votes", bounds.COUNTS),
            source=_str(data, "source", 40, required=True) or "",
        )
        return replace(rating, weight=_float(data, "weight", 0.0, 1.0, default=0.0))


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
    # Values of this answer the source sent but movieagg dropped (out of range, wrong type):
    # listed in the answer's errors, also when the answer comes from the cache.
    dropped: tuple[str, ...] = ()
    # Other services' ids of what it found ({"mal": 199}: AniList's idMal), for cross-checks.
    ids: Mapping[str, int] = field(default_factory=dict)
    # Why the source was not asked (not an anime, for the anime sources); it has no ratings.
    not_asked: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "source": self.source,
            "ratings": [r.to_dict() for r in self.ratings],
            "movie": self.movie.to_dict() if self.movie else None,
            "fetched_at": iso(self.fetched_at),
            "exact": self.exact,
            "dropped": list(self.dropped),
        }
        if self.ids:
            out["ids"] = dict(self.ids)
        if self.not_asked is not None:
            out["not_asked"] = self.not_asked
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceData:
        """Inverse of to_dict; raises Invalid for a wrong type or a value out of range."""
        data = _object(data, "source answer")
        dropped = _list(data, "dropped", bounds.NOTES_PER_CALL + 1)
        if not all(isinstance(d, str) and len(d) <= 500 for d in dropped):
            raise Invalid("dropped is not a list of notes")
        return cls(
            source=_str(data, "source", 40, required=True) or "",
            ratings=tuple(Rating.from_dict(r) for r in _list(data, "ratings", 50)),
            movie=Movie.from_dict(data["movie"]) if data.get("movie") is not None else None,
            fetched_at=_time(data, "fetched_at"),
            exact=data.get("exact", True) is not False,
            dropped=tuple(dropped),
            ids=_ids(data.get("ids")),
            not_asked=_str(data, "not_asked", 200),
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
    # Sources the lookup did not ask, and why (the anime sources, for a film that is not one):
    # not failures, so not in ``errors``; shown in --verbose and the JSON.
    not_asked: tuple[tuple[str, str], ...] = ()
    watch: WatchOptions | None = None  # where to watch it, in one country (None: not asked, or no data)
    kind: TitleKind = "movie"  # a film, a TV series or one episode (#16)
    tv: TVInfo | None = None  # a series' or an episode's facts; None for a film

    def to_dict(self) -> dict[str, Any]:
        out = {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "tv": self.tv.to_dict() if self.tv is not None else None,
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
            "watch": self.watch.to_dict() if self.watch is not None else None,
        }
        if self.not_asked:
            out["not_asked"] = [{"source": name, "reason": why} for name, why in self.not_asked]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RatingResult:
        """Inverse of to_dict, for clients that read our JSON (API, batch resume); raises
        Invalid for a wrong type or a value out of range."""
        data = _object(data, "answer")
        q = _object(data.get("query"), "query")
        errors = []
        for e in _list(data, "errors"):
            e = _object(e, "error")
            errors.append(SourceErrorInfo(_str(e, "source", 40) or "", _str(e, "message", 500) or ""))
        score = data.get("score")
        return cls(
            query=Query(_str(q, "title", required=True) or "", _int(q, "year", bounds.YEARS)),
            movie=Movie.from_dict(data.get("movie")),  # type: ignore[arg-type]
            ratings=tuple(Rating.from_dict(r) for r in _list(data, "ratings", 50)),
            score=None if score is None else _float(data, "score", 0.0, 100.0),
            errors=tuple(errors),
            cached=bool(data.get("cached")),
            stale=bool(data.get("stale")),
            fetched_at=_time(data, "fetched_at"),
            alternatives=tuple(Movie.from_dict(m) for m in _list(data, "alternatives", 20)),
            match=Match.from_dict(data["match"]) if data.get("match") else None,
            agreement=Agreement.from_dict(data["agreement"]) if data.get("agreement") else None,
            critics=None if data.get("critics") is None else _float(data, "critics", 0.0, 100.0),
            audience=None if data.get("audience") is None else _float(data, "audience", 0.0, 100.0),
            weights=_weights(data.get("weights")),
            score_version=_str(data, "score_version", 40) or SCORE_VERSION,
            not_asked=tuple(
                (_str(n, "source", 40) or "", _str(n, "reason", 200) or "")
                for n in (_object(item, "not asked") for item in _list(data, "not_asked", 20))
            ),
            watch=WatchOptions.from_dict(data["watch"]) if data.get("watch") else None,
            **_tv_fields(data),
        )


def _tv_fields(data: dict[str, Any]) -> dict[str, Any]:
    """``kind`` and ``tv`` read back (schema 1.1); an answer without them is a film's."""
    if data.get("kind") in (None, "movie") and data.get("tv") is None:
        return {}
    from movieagg.core.tvinfo import TVInfo, kind_of

    return {
        "kind": kind_of(data.get("kind")),
        "tv": TVInfo.from_dict(data["tv"]) if data.get("tv") is not None else None,
    }


def _weights(raw: object) -> Weights:
    """Weights read back: at most a few dozen names, each a number from 0 to 100."""
    if raw is None:
        return Weights()
    data = _object(raw, "weights")
    if len(data) > 40 or not all(isinstance(k, str) and len(k) <= 40 for k in data):
        raise Invalid("weights are not a few names of ratings or families")
    return Weights({name: _float(data, name, 0.0, 100.0) for name in data})


def alternative_dict(movie: Movie) -> dict[str, Any]:
    """The short form of a film another one could be mistaken for (JSON, cache)."""
    return {"title": movie.title, "year": movie.year, "imdb_id": movie.imdb_id, "tmdb_id": movie.tmdb_id}


def _ids(raw: object) -> dict[str, int]:
    """Other services' ids as cached: a small object of names to whole numbers."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > 10:
        raise Invalid("ids is not a small object")
    ids = {}
    for key, value in raw.items():
        if not isinstance(key, str) or len(key) > 20 or isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("ids holds something other than names and numbers")
        ids[key] = bounds.whole(value, f"{key} id", *bounds.IDS) or 0
    return ids


def _genres(raw: object) -> tuple[int, ...]:
    """TMDB genre ids as cached: a short list of small whole numbers."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 30:
        raise Invalid("genres is not a short list")
    if not all(isinstance(g, int) and not isinstance(g, bool) and 0 < g < 1_000_000 for g in raw):
        raise Invalid("genres holds something other than genre ids")
    return tuple(raw)


def _countries(raw: object) -> tuple[str, ...]:
    """Country codes as cached: a short list of two capital letters each."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 60:
        raise Invalid("countries is not a short list")
    if not all(isinstance(c, str) and len(c) == 2 and c.isascii() and c.isupper() for c in raw):
        raise Invalid("countries holds something other than country codes")
    return tuple(raw)
