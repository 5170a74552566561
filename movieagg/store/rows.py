"""A lookup record → the rows of each table, with every value checked where it enters the store.

Records come from the outbox: written by this release or an older one, possibly damaged, holding
whatever an upstream said. A value a column cannot hold must never reach the database — one
TMDB id of 99999999999 failed PostgreSQL's INTEGER and held up every record behind it — so:

- integers outside the columns' range (PostgreSQL INTEGER, the narrowest of the two databases)
  and non-finite scores are stored as NULL ("unknown"), the rest of the record kept;
- text loses NUL (PostgreSQL refuses it), lone surrogates become U+FFFD, lengths are cut to the
  column's;
- a record that cannot be stored at all (no id, no valid time, an observation without a finite
  value) raises :class:`~movieagg.core.errors.RecordRejected` with a reason class, which the
  outbox sets aside instead of retrying forever.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from movieagg.core.errors import RecordRejected
from movieagg.core.models import parse_iso as _parse_aware

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # every integer column is a PostgreSQL INTEGER
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class RecordRows:
    """One record's rows: its lookup, its observations, and the film it names (if any)."""

    lookup: dict[str, Any]
    observations: list[dict[str, Any]]
    film: dict[str, Any] | None


def parse_iso(text: str) -> datetime:
    """Timezone-aware UTC: timestamptz on PostgreSQL, ISO text with offset on SQLite."""
    return _parse_aware(text).astimezone(UTC)


def text(value: Any, limit: int | None) -> str:
    """Text as a column takes it: at most ``limit`` characters, no NUL, no lone surrogate."""
    out = str(value)
    if _UNSTORABLE.search(out):
        out = _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", out)
    return out[:limit] if limit is not None else out


def optional_text(value: Any, limit: int) -> str | None:
    return text(value, limit) if value not in (None, "") else None


def integer(value: Any) -> int | None:
    """A whole number the INTEGER columns hold, else None (unknown): never an overflow."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if INT_MIN <= number <= INT_MAX else None


def score(value: Any) -> float | None:
    """A finite number, else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _measure(value: Any) -> float:
    """An observation's value, scale or normalised figure: required and finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordRejected("malformed") from None
    if not math.isfinite(number):
        raise RecordRejected("invalid_value")
    return number


def _time(value: Any) -> datetime:
    try:
        return parse_iso(str(value))
    except (ValueError, OverflowError, TypeError):
        raise RecordRejected("malformed") from None


def record_rows(entry: Any) -> RecordRows:
    """The rows of one record; raises RecordRejected when it cannot be stored at all."""
    try:
        return _rows(entry)
    except RecordRejected:
        raise
    except (KeyError, TypeError, AttributeError, ValueError):
        raise RecordRejected("malformed") from None


def _rows(entry: dict[str, Any]) -> RecordRows:
    lookup_id = text(entry["id"], 32)
    if not lookup_id:
        raise RecordRejected("malformed")
    movie = entry.get("movie") or {}
    query = entry.get("query") or {}
    at = _time(entry["at"])
    imdb_id = optional_text(movie.get("imdb_id"), 12)
    tmdb_id = integer(movie.get("tmdb_id"))
    observations = entry.get("observations") or []
    if not isinstance(observations, list):
        raise RecordRejected("malformed")
    lookup = {
        "id": lookup_id,
        "created_at": at,
        "query_title": text(query.get("title", ""), 300),
        "query_year": integer(query.get("year")),
        "outcome": text(entry.get("outcome", "ok"), 32),
        "imdb_id": imdb_id,
        "tmdb_id": tmdb_id,
        "title": optional_text(movie.get("title"), 300),
        "year": integer(movie.get("year")),
        "score": score(entry.get("score")),
        "cached": bool(entry.get("cached")),
        "stale": bool(entry.get("stale")),
        "errors": text(json.dumps(entry.get("errors") or [], ensure_ascii=False), None),
    }
    rows = [
        {
            "lookup_id": lookup_id,
            "imdb_id": imdb_id,
            "tmdb_id": tmdb_id,
            "source": text(obs["source"], 40),
            "name": text(obs["name"], 60),
            "label": text(obs["label"], 80),
            "value": _measure(obs["value"]),
            "scale": _measure(obs["scale"]),
            "normalized": _measure(obs["normalized"]),
            "votes": integer(obs.get("votes")),
            "fetched_at": _time(obs["fetched_at"]),
        }
        for obs in observations
    ]
    film = None
    if imdb_id and movie.get("title"):
        film = {
            "imdb_id": imdb_id,
            "tmdb_id": tmdb_id,
            "title": text(movie["title"], 300),
            "original_title": optional_text(movie.get("original_title"), 300),
            "year": integer(movie.get("year")),
            "updated_at": at,
        }
    return RecordRows(lookup, rows, film)


__all__ = ["INT_MAX", "INT_MIN", "RecordRows", "integer", "parse_iso", "record_rows", "text"]
