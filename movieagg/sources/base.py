"""What every built-in adapter shares: its base URL, the shared HTTP client, parsing helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from movieagg.core import bounds
from movieagg.core.bounds import Invalid
from movieagg.core.config import Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Query, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.registry import SourceSpec

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class BaseSource:
    """Base for adapters: ``class TMDBSource(BaseSource, spec=TMDB)`` takes the name, label,
    default URL and search ability from the source's registry entry; subclasses add the hooks
    they need."""

    spec: ClassVar[SourceSpec]
    name: ClassVar[str]
    label: ClassVar[str]
    default_url: ClassVar[str]
    can_search: ClassVar[bool] = False
    prefix_search: ClassVar[bool] = False
    only_for: ClassVar[str | None] = None

    def __init_subclass__(cls, *, spec: SourceSpec | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if spec is not None:
            cls.spec = spec
            cls.name, cls.label, cls.default_url = spec.name, spec.label, spec.default_url
            cls.can_search = spec.can_search
            cls.prefix_search = spec.prefix_search
            cls.only_for = spec.only_for

    def __init__(self, http: HttpClient, base_url: str | None = None) -> None:
        self.http = http
        self.base_url = (base_url or self.default_url).rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> BaseSource:
        return cls(http, cls.spec.url(settings))

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        return []

    async def fetch(self, movie: Movie) -> SourceData | None:
        raise NotImplementedError


def score_text(raw: object, what: str) -> tuple[float, float] | None:
    """'8.2/10' → (8.2, 10); '90%' → (90, 100); '89/100' → (89, 100); 'N/A' or None → None.

    Anything else present is :class:`~movieagg.core.bounds.Invalid`; whether the value fits its
    scale is checked where the rating is built (:meth:`Rating.checked`).
    """
    if raw is None or (isinstance(raw, str) and raw.strip() in bounds.ABSENT):
        return None
    if not isinstance(raw, str):
        raise Invalid(f"{what} {bounds.show(raw)} is not a score")
    text = raw.strip()
    if text.endswith("%"):
        number = _NUMBER.fullmatch(text[:-1].strip())
        if number:
            return float(number.group()), 100.0
    elif "/" in text:
        left, _, right = text.partition("/")
        a, b = _NUMBER.fullmatch(left.strip()), _NUMBER.fullmatch(right.strip())
        if a and b:
            return float(a.group()), float(b.group())
    raise Invalid(f"{what} {bounds.show(raw)} is not a score")


def decimal_text(raw: object, what: str) -> float | None:
    """'8.2' → 8.2 (OMDb sends every number as text); 'N/A' or None → None; junk is Invalid."""
    if raw is None or (isinstance(raw, str) and raw.strip() in bounds.ABSENT):
        return None
    if not isinstance(raw, str) or not _NUMBER.fullmatch(raw.strip()):
        raise Invalid(f"{what} {bounds.show(raw)} is not a number")
    return float(raw)


def unusable(source: str, what: str) -> SourceFailure:
    """The failure of an answer none of whose parts could be used, with the first reason noted."""
    reason = bounds.main_note()
    return SourceFailure(source, what + (f" ({reason})" if reason else ""), "malformed")


def as_dict(value: object) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (upstream bodies are untrusted)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
