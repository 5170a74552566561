"""What the series adapters share: picking a series among search hits, countries, names,
and the ratings TMDB and Trakt give a series or an episode."""

from __future__ import annotations

from typing import Any

from movieagg.core import bounds
from movieagg.core.models import Rating
from movieagg.core.text import fold
from movieagg.sources.base import as_dict, as_list


def pick_series(items: list[tuple[str, int | None, float, Any]], title: str, year: int | None) -> Any:
    """The series a title means: an exact (folded) title first, then the year (±1), then
    popularity/votes. Same-title series (Shameless UK 2004 / US 2011) are told apart by year."""
    want = fold(title)

    def key(item: tuple[str, int | None, float, Any]) -> tuple[int, int, float]:
        name, start, weight, _ = item
        exact = 0 if fold(name) == want else 1
        if year is None:
            off = 0
        elif start is None:
            off = 3
        else:
            off = 0 if start == year else 1 if abs(start - year) <= 1 else 2
        return (off, exact, -weight)

    ranked = sorted(items, key=key)
    if not ranked:
        return None
    if year is not None and key(ranked[0])[0] >= 2:
        return None  # no series of that year
    return ranked[0][3]


COUNTRIES = {"United States": "US", "USA": "US", "United Kingdom": "GB", "UK": "GB", "Canada": "CA"}


def country_code(raw: object) -> str | None:
    return raw.upper() if isinstance(raw, str) and len(raw) == 2 and raw.isascii() and raw.isalpha() else None


def names_of(raw: object) -> tuple[str, ...]:
    """TMDB's networks / created_by: objects with a name (the first few)."""
    names = []
    for item in as_list(raw)[:10]:
        name = bounds.lenient(bounds.text, as_dict(item).get("name"), "name")
        if name:
            names.append(name)
    return tuple(names)


def trakt_rating(body: dict[str, Any], source: str) -> tuple[Rating, ...]:
    with bounds.dropping("Trakt rating dropped"):
        votes = bounds.count(body.get("votes"), "votes", required=True)
        value = bounds.number(body.get("rating"), "rating", 0, 10, required=True)
        if votes:
            return (Rating.checked("trakt", "Trakt", round(value or 0.0, 3), 10.0, votes, source),)
    return ()


def tmdb_rating(body: dict[str, Any], source: str) -> tuple[Rating, ...]:
    with bounds.dropping("TMDB rating dropped"):
        votes = bounds.count(body.get("vote_count"), "vote_count", required=True)
        average = bounds.number(body.get("vote_average"), "vote_average", 0, 10, required=True)
        if votes:
            return (Rating.checked("tmdb", "TMDB", round(average or 0.0, 3), 10.0, votes, source),)
    return ()
