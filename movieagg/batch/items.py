"""The value one line or row of a batch input becomes: what every other batch module passes along.

Kept apart so the readers, the engine, the writers and resuming share it without importing
each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from movieagg.core.errors import InvalidQuery


class BatchInputError(InvalidQuery):
    """The input cannot be read as a list of titles (exit code 2)."""


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One line or row to rate: a title (and year) or an IMDb id, with its place in the input."""

    index: int  # 1-based line (text) or data row (CSV) number
    title: str | None = None
    year: int | None = None
    imdb_id: str | None = None
    error: str | None = None  # why the line could not be read (rated as "invalid")
    year_text: str | None = None  # a year that is not a year, reported as invalid input
    kind: str = "movie"  # movie, series, episode or any (#16): what the title names

    @property
    def key(self) -> int:
        """Stable identity within one input, for resuming (compact: 8 bytes)."""
        year = self.year or self.year_text or ""
        text = f"{self.index}\x1f{self.title or ''}\x1f{year}\x1f{self.imdb_id or ''}"
        if self.kind != "movie":  # films keep the keys runs before #16 recorded
            text += f"\x1f{self.kind}"
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")

    def label(self) -> str:
        if self.title:
            return f"{self.title} ({self.year})" if self.year else self.title
        return self.imdb_id or f"line {self.index}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "year": self.year if self.year is not None else self.year_text,
            "imdb_id": self.imdb_id,
        }
        if self.kind != "movie":  # a film's input reads as before #16
            data["kind"] = self.kind
        return data
