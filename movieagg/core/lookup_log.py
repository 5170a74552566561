"""The record each lookup leaves: the search log, and each fresh rating as an observation.

Built here, in the core, as plain JSON-ready dicts; where they go (the outbox, then the
history store) is the recorder's business (:mod:`movieagg.records`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from movieagg.core.errors import MovieAggError
from movieagg.core.models import Query, RatingResult, utcnow


def new_id() -> str:
    """A record's unique id: 128 random bits in hex (the uuid module would import platform)."""
    return os.urandom(16).hex()


def precise(moment: datetime) -> str:
    """To the microsecond: history orders observations by it, and lookups written in one
    batch must not tie within a second."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def lookup_entry(result: RatingResult) -> dict[str, Any]:
    """An answered lookup; fresh ratings (not from the cache) become observations."""
    fresh = not result.cached and not result.stale
    fetched_at = precise(result.fetched_at)
    return {
        "id": new_id(),
        "at": precise(utcnow()),
        "query": result.query.to_dict(),
        "outcome": "ok",
        "movie": result.movie.to_dict(),
        "score": result.score,
        "cached": result.cached,
        "stale": result.stale,
        "errors": [e.to_dict() for e in result.errors],
        "observations": [{**r.to_dict(), "fetched_at": fetched_at} for r in result.ratings] if fresh else [],
    }


def failure_entry(query: Query, exc: MovieAggError) -> dict[str, Any]:
    """A lookup that ended in an error (no such film, every source failed, bad input)."""
    errors = [e.to_dict() for e in exc.errors]
    return {
        "id": new_id(),
        "at": precise(utcnow()),
        "query": query.to_dict(),
        "outcome": exc.code,
        "movie": None,
        "score": None,
        "cached": False,
        "stale": False,
        "errors": errors or [{"source": "movieagg", "message": str(exc)}],
        "observations": [],
    }
