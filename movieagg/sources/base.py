"""What every built-in adapter shares: its base URL, the shared HTTP client, parsing helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from movieagg.core.config import Settings
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

    def __init_subclass__(cls, *, spec: SourceSpec | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if spec is not None:
            cls.spec = spec
            cls.name, cls.label, cls.default_url = spec.name, spec.label, spec.default_url
            cls.can_search = spec.can_search
            cls.prefix_search = spec.prefix_search

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


def parse_int(value: object) -> int | None:
    """'618,858' → 618858; 'N/A', '', None → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if not isinstance(value, str):
        return None
    digits = value.replace(",", "").replace(" ", "").strip()
    return int(digits) if digits.isdecimal() else None


def parse_year(value: object) -> int | None:
    """First four-digit year in '1982', '2014–', '2021-10-22'; None for '' or 'N/A'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1800 <= value <= 2200 else None
    if not isinstance(value, str):
        return None
    match = re.search(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)", value)
    return int(match.group(1)) if match else None


def parse_score(value: object) -> tuple[float, float] | None:
    """'8.2/10' → (8.2, 10); '90%' → (90, 100); '89/100' → (89, 100); junk → None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("%"):
        number = _NUMBER.fullmatch(text[:-1].strip())
        return (float(number.group()), 100.0) if number else None
    if "/" in text:
        left, _, right = text.partition("/")
        a, b = _NUMBER.fullmatch(left.strip()), _NUMBER.fullmatch(right.strip())
        if a and b and float(b.group()) > 0:
            value_f, scale = float(a.group()), float(b.group())
            return (value_f, scale) if 0 <= value_f <= scale else None
    return None


def as_dict(value: object) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (upstream bodies are untrusted)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
