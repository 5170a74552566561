"""The JSON Schema of a rating result (``rating-result.json``), shipped as package data.

It describes :meth:`movieagg.core.models.RatingResult.to_dict` — ``movieagg rate --json``, the
library's result and ``GET /api/rate`` alike; the API serves it at
``/api/schema/rating-result.json`` and its OpenAPI document links to it. Nothing here needs a
validator at run time (the tests validate real outputs with ``jsonschema``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

FILE = "rating-result.json"
GRID_FILE = "episode-grid.json"  # a series' episode grid (core.episodes): `movieagg episodes --json`


@cache
def rating_result_bytes() -> bytes:
    return files(__name__).joinpath(FILE).read_bytes()


def rating_result_schema() -> dict[str, Any]:
    """The schema as a dict (a fresh copy each call)."""
    schema: dict[str, Any] = json.loads(rating_result_bytes())
    return schema


@cache
def episode_grid_bytes() -> bytes:
    return files(__name__).joinpath(GRID_FILE).read_bytes()


def episode_grid_schema() -> dict[str, Any]:
    """The episode grid's schema as a dict (a fresh copy each call)."""
    schema: dict[str, Any] = json.loads(episode_grid_bytes())
    return schema


__all__ = [
    "FILE",
    "GRID_FILE",
    "episode_grid_bytes",
    "episode_grid_schema",
    "rating_result_bytes",
    "rating_result_schema",
]
