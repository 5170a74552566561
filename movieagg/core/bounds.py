"""The values movieagg accepts from outside, in one place, and a note of every one it drops.

Upstream bodies are untrusted (anyone can edit Wikidata; a proxy can answer anything) and so
are cache entries. Adapters read ids, counts, years and text through these checks where they
parse; a value outside its range is dropped — with the rating or the id it belongs to — and
:func:`note`-d, and the aggregator lists the notes of each source call in the answer's
``errors``. The ranges follow the store's columns (32-bit INTEGER: ``movieagg.store.tables``)
and the year range of a query.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import re
from collections.abc import Callable, Iterator
from typing import TypeVar

log = logging.getLogger("movieagg")

T = TypeVar("T")

INT4_MAX = 2**31 - 1  # PostgreSQL INTEGER: ids, vote counts and years are stored as one
IDS = (1, INT4_MAX)  # TMDB and Trakt ids
COUNTS = (0, INT4_MAX)  # votes, review counts
YEARS = (1870, 2100)  # the first films to well past any release date announced
RUNTIMES = (1, 100_000)  # minutes (the longest films run for days)
MAX_SCALE = 1000.0  # a rating's scale: 10, 100, 5 … anything above is nonsense
MAX_TEXT = 300  # titles, labels, names (the store's title column)
MAX_NAMES = 1000  # a list of names (OMDb's "Director" of an anthology film); not stored
MAX_URL = 2048
IMDB_ID = re.compile(r"^tt[0-9]{7,8}$")  # ASCII digits: \d also admits "٠١٢" and "０１２"
ABSENT = frozenset({"", "N/A", "\\N"})  # how sources say "no value" (OMDb, the IMDb datasets)
NOTES_PER_CALL = 8

_WHOLE = re.compile(r"^\+?\d+(\.0*)?$")
_LEADING_YEAR = re.compile(r"^\s*\+?(-?\d+)")


class Invalid(ValueError):
    """A value outside what movieagg accepts; the message says which value and why."""


def show(raw: object) -> str:
    """A foreign value for a message: repr (control characters escaped), at most 40 characters."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def _span(lo: float, hi: float) -> str:
    return f"{lo:,g}–{hi:,g}" if isinstance(lo, float) else f"{lo:,}–{hi:,}"


def _absent(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() in ABSENT)


def _missing(what: str, required: bool) -> None:
    if required:
        raise Invalid(f"{what} is missing")


def whole(raw: object, what: str, lo: int, hi: int, *, required: bool = False) -> int | None:
    """A whole number in [lo, hi]: an int, an integral float, or text like ``"618,858"``, ``"+250"``."""
    if _absent(raw):
        _missing(what, required)
        return None
    value: int
    if isinstance(raw, bool):
        raise Invalid(f"{what} {show(raw)} is not a number")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not (math.isfinite(raw) and raw.is_integer()):
            raise Invalid(f"{what} {show(raw)} is not a whole number")
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.replace(",", "").replace(" ", "").strip()
        negative = text.startswith("-")
        if not _WHOLE.match(text.removeprefix("-")) or len(text) > 40:
            raise Invalid(f"{what} {show(raw)} is not a whole number")
        value = int(text.removeprefix("-").lstrip("+").split(".")[0]) * (-1 if negative else 1)
    else:
        raise Invalid(f"{what} {show(raw)} is not a number")
    if not lo <= value <= hi:
        raise Invalid(f"{what} {value} is out of range ({_span(lo, hi)})")
    return value


def number(raw: object, what: str, lo: float, hi: float, *, required: bool = False) -> float | None:
    """A finite JSON number in [lo, hi] (text is not a number here: a wrong type is an error)."""
    if raw is None:
        _missing(what, required)
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise Invalid(f"{what} {show(raw)} is not a number")
    value = float(raw)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise Invalid(f"{what} {show(raw)} is out of range ({_span(float(lo), float(hi))})")
    return value


def count(raw: object, what: str, *, required: bool = False) -> int | None:
    """Votes or reviews: 0 to the store's INTEGER maximum."""
    return whole(raw, what, *COUNTS, required=required)


def ident(raw: object, what: str, *, required: bool = False) -> int | None:
    """A numeric id (TMDB, Trakt): 1 to the store's INTEGER maximum."""
    return whole(raw, what, *IDS, required=required)


def year(raw: object, what: str, *, required: bool = False) -> int | None:
    """A year from a number or the start of a date: ``1982``, ``"1982-06-15"``, ``"2014–"``."""
    if _absent(raw):
        _missing(what, required)
        return None
    if isinstance(raw, bool):
        raise Invalid(f"{what} {show(raw)} is not a year")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and (match := _LEADING_YEAR.match(raw)):
        value = int(match.group(1)) if len(match.group(1)) <= 9 else YEARS[1] + 1
    else:
        raise Invalid(f"{what} {show(raw)} is not a year")
    if not YEARS[0] <= value <= YEARS[1]:
        raise Invalid(f"{what} {show(raw)} is not a year in {YEARS[0]}–{YEARS[1]}")
    return value


def imdb_id(raw: object, what: str = "IMDb id", *, required: bool = False) -> str | None:
    """``tt`` and 7 or 8 digits."""
    if _absent(raw):
        _missing(what, required)
        return None
    if not isinstance(raw, str) or not IMDB_ID.match(raw):
        raise Invalid(f"{what} {show(raw)} is not an IMDb id")
    return raw


def text(raw: object, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """Non-empty text of at most ``limit`` characters."""
    if _absent(raw):
        _missing(what, required)
        return None
    if not isinstance(raw, str):
        raise Invalid(f"{what} {show(raw)} is not text")
    if len(raw) > limit:
        raise Invalid(f"{what} is {len(raw):,} characters long (at most {limit:,})")
    return raw


def url(raw: object, what: str) -> str | None:
    """An http(s) URL of sensible length; anything else is no URL."""
    value = text(raw, what, limit=MAX_URL)
    if value is not None and not value.startswith(("https://", "http://")):
        raise Invalid(f"{what} {show(raw)} is not a web address")
    return value


def score(value: float, scale: float, what: str) -> None:
    """A rating's value and scale: finite, 0 ≤ value ≤ scale, 0 < scale ≤ MAX_SCALE."""
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not math.isfinite(scale):
        raise Invalid(f"{what} scale {show(scale)} is not a finite number")
    if not 0 < scale <= MAX_SCALE:
        raise Invalid(f"{what} scale {show(scale)} is out of range (above 0, at most {MAX_SCALE:g})")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"{what} {show(value)} is not a finite number")
    if not 0 <= value <= scale:
        raise Invalid(f"{what} {value:g} is outside its scale (0–{scale:g})")


# ---------------------------------------------------------------------- notes of what was dropped

_NOTES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("movieagg_dropped", default=None)


@contextlib.contextmanager
def noting() -> Iterator[list[str]]:
    """Collect the notes of one source call (the aggregator lists them with the answer)."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(message: str) -> None:
    """Record that a value was dropped (kept once; at most :data:`NOTES_PER_CALL` per call)."""
    log.debug("dropped: %s", message)
    notes = _NOTES.get()
    if notes is None or message in notes:
        return
    if len(notes) < NOTES_PER_CALL:
        notes.append(message)
    elif len(notes) == NOTES_PER_CALL:
        notes.append("… and more values dropped")


def main_note(notes: list[str] | None = None) -> str | None:
    """The note that best explains a failure: the first about a whole thing dropped (a rating, a
    search result) rather than one field ignored. Default: the source call in progress's notes."""
    notes = _NOTES.get() if notes is None else notes
    if not notes:
        return None
    return next((n for n in notes if not n.endswith("; ignored")), notes[0])


class dropping:  # reads as a verb: ``with dropping("TMDB rating dropped"):``
    """Run a block that builds something from foreign values; an :class:`Invalid` value inside
    skips the rest of the block and is noted with ``consequence`` ("TMDB rating dropped")."""

    def __init__(self, consequence: str) -> None:
        self.consequence = consequence

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, Invalid):
            note(f"{exc}; {self.consequence}")
            return True
        return False


def lenient(check: Callable[..., T | None], raw: object, what: str, **kwargs: object) -> T | None:
    """``check(raw, what)``, or None (noted as ignored) when the value is invalid."""
    try:
        return check(raw, what, **kwargs)
    except Invalid as exc:
        note(f"{exc}; ignored")
        return None
