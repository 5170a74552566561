"""Lookup records in the shape the aggregator writes to the outbox."""

from __future__ import annotations

import uuid
from typing import Any


def record(
    title: str = "The Matrix",
    imdb_id: str | None = "tt0133093",
    at: str = "2026-01-02T03:04:05Z",
    value: float = 8.7,
    *,
    year: int | None = 1999,
    tmdb_id: int | None = 603,
    original_title: str | None = None,
    cached: bool = False,
    outcome: str = "ok",
    id: str | None = None,
    observations: bool = True,
) -> dict[str, Any]:
    obs = [
        {
            "name": "imdb",
            "label": "IMDb",
            "value": value,
            "scale": 10.0,
            "normalized": value * 10,
            "votes": 2_000_000,
            "source": "omdb",
            "weight": 0.5,
            "fetched_at": at,
        },
        {
            "name": "tmdb",
            "label": "TMDB",
            "value": value - 0.5,
            "scale": 10.0,
            "normalized": (value - 0.5) * 10,
            "votes": 26_000,
            "source": "tmdb",
            "weight": 0.5,
            "fetched_at": at,
        },
    ]
    return {
        "id": id or uuid.uuid4().hex,
        "at": at,
        "query": {"title": title, "year": None},
        "outcome": outcome,
        "movie": {
            "title": title,
            "year": year,
            "imdb_id": imdb_id,
            "tmdb_id": tmdb_id,
            "original_title": original_title,
        }
        if outcome == "ok"
        else None,
        "score": value * 10 if outcome == "ok" else None,
        "cached": cached,
        "stale": False,
        "errors": [] if outcome == "ok" else [{"source": "movieagg", "message": "no film matches"}],
        "observations": obs if observations and not cached and outcome == "ok" else [],
    }
