"""JSON bodies the API shapes itself (a rating result is the core's ``to_dict``, as the CLI's)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.core.models import Candidate

TMDB_IMAGE_PATH = "/t/p/"  # TMDB image URLs: https://image.tmdb.org/t/p/<size>/<poster path>


def poster_path(poster_url: str | None) -> str | None:
    """TMDB's size-free poster path (``/abc.jpg``) from its image URL, so a client picks the size.

    None for posters from elsewhere (OMDb's are plain URLs).
    """
    if not poster_url:
        return None
    _, marker, sized = poster_url.partition(TMDB_IMAGE_PATH)
    if not marker:
        return None
    return "/" + sized.split("/", 1)[-1]  # drop the size segment (w342/…)


def candidate(c: Candidate) -> dict[str, Any]:
    """One search result: the candidate's fields plus its poster path."""
    return {
        "title": c.title,
        "year": c.year,
        "imdb_id": c.imdb_id,
        "tmdb_id": c.tmdb_id,
        "original_title": c.original_title,
        "poster_path": poster_path(c.poster_url),
        "poster_url": c.poster_url,
        "votes": c.votes,
        "source": c.source,
    }


def source_rows(settings: Settings, enabled: Collection[str]) -> list[dict[str, Any]]:
    """Every known source, whether this server has it configured and enabled; never a key."""
    from movieagg.sources.registry import all_specs

    return [
        {
            "name": spec.name,
            "label": spec.label,
            "configured": spec.configured(settings),
            "enabled": spec.name in enabled,
            "keyless": not spec.keys,
            "can_search": spec.can_search,
            "provides": spec.provides,
        }
        for spec in all_specs().values()
    ]


__all__ = ["candidate", "poster_path", "source_rows"]
