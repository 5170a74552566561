"""What an answer says about itself: how sure the match is, whether the sources agree, and
the user's weights in effect — value objects of the JSON contract, computed elsewhere
(:mod:`movieagg.core.confidence`, :mod:`movieagg.core.agreement`, :mod:`movieagg.core.weights`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from movieagg.core import bounds

UNCERTAIN_BELOW = 0.6  # match confidence under which an answer is flagged for review
METHODS = ("title", "imdb_id", "tmdb_id", "pin")  # how a film was found
MAX_REASONS = 20
MAX_REASON = 2000  # characters: a reason may name three films
MAX_OUTLIERS = 50  # one per rating at most (a result holds at most 50)
_OUTLIER_TEXT = ("name", "label", "source")


class Weights(Mapping[str, float]):
    """Pool and family names → weights (immutable and hashable: part of a lookup's identity)."""

    __slots__ = ("_items", "_map")

    def __init__(self, items: Mapping[str, float] | None = None) -> None:
        self._items = tuple(sorted((items or {}).items()))
        self._map = dict(self._items)

    def __getitem__(self, key: str) -> float:
        return self._map[key]

    def get(self, key: str, default: Any = None) -> Any:  # one dict lookup: the score asks often
        return self._map.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __str__(self) -> str:
        return ",".join(f"{name}={value:g}" for name, value in self._items)

    def __repr__(self) -> str:
        return f"Weights({str(self)!r})"


@dataclass(frozen=True, slots=True)
class Match:
    """How sure the answer is about which film it is: 0–1, how the film was found, and why.

    ``method``: ``title`` (resolved from a title), ``imdb_id`` / ``tmdb_id`` (asked by id) or
    ``pin`` (the user's own pin). Built by :func:`movieagg.core.confidence.assess`.
    """

    confidence: float
    method: str
    reasons: tuple[str, ...] = ()

    @property
    def uncertain(self) -> bool:
        """Low enough to review: the CLI and web app warn, ``batch`` marks the row uncertain."""
        return self.confidence < UNCERTAIN_BELOW

    def to_dict(self) -> dict[str, Any]:
        return {"confidence": self.confidence, "method": self.method, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Match:
        """Inverse of to_dict; raises :class:`~movieagg.core.bounds.Invalid` for a wrong type or
        a value out of range (our JSON read back is foreign input)."""
        if not isinstance(data, dict):
            raise bounds.Invalid("match is not an object")
        method = data.get("method")
        if method not in METHODS:
            raise bounds.Invalid(f"match method {bounds.show(method)} is not one of {', '.join(METHODS)}")
        reasons = data.get("reasons")
        if not isinstance(reasons, list) or len(reasons) > MAX_REASONS:
            raise bounds.Invalid(f"match reasons are not a list of at most {MAX_REASONS}")
        return cls(
            bounds.number(data.get("confidence"), "match confidence", 0.0, 1.0, required=True) or 0.0,
            method,
            tuple(bounds.text(r, "match reason", required=True, limit=MAX_REASON) or "" for r in reasons),
        )


@dataclass(frozen=True, slots=True)
class Outlier:
    """A rating far from the others: where it is, and where the others centre."""

    name: str
    label: str
    source: str
    normalized: float
    centre: float

    @property
    def distance(self) -> float:
        return round(abs(self.normalized - self.centre), 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "source": self.source,
            "normalized": self.normalized,
            "centre": self.centre,
            "distance": self.distance,
        }


@dataclass(frozen=True, slots=True)
class Agreement:
    """How much the ratings agree: ``spread`` (max − min, None without ratings) and outliers."""

    spread: float | None = None
    low: float | None = None
    high: float | None = None
    compared: int = 0
    outliers: tuple[Outlier, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "spread": self.spread,
            "range": [self.low, self.high] if self.low is not None else None,
            "compared": self.compared,
            "outliers": [o.to_dict() for o in self.outliers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Agreement:
        """Inverse of to_dict; raises :class:`~movieagg.core.bounds.Invalid` for a wrong type or
        a value out of range (our JSON read back is foreign input)."""
        if not isinstance(data, dict):
            raise bounds.Invalid("agreement is not an object")
        span = data.get("range") or [None, None]
        outliers = data.get("outliers") or []
        if not isinstance(span, list) or len(span) != 2:
            raise bounds.Invalid("agreement range is not a pair")
        if not isinstance(outliers, list) or len(outliers) > MAX_OUTLIERS:
            raise bounds.Invalid(f"outliers are not a list of at most {MAX_OUTLIERS}")
        return cls(
            bounds.number(data.get("spread"), "spread", 0.0, 100.0),
            bounds.number(span[0], "range", 0.0, 100.0),
            bounds.number(span[1], "range", 0.0, 100.0),
            bounds.whole(data.get("compared") or 0, "compared", 0, MAX_OUTLIERS) or 0,
            tuple(_outlier(o) for o in outliers),
        )


def _outlier(data: object) -> Outlier:
    if not isinstance(data, dict):
        raise bounds.Invalid("an outlier is not an object")
    name, label, source = (
        bounds.text(data.get(k), f"outlier {k}", required=True) or "" for k in _OUTLIER_TEXT
    )
    return Outlier(
        name,
        label,
        source,
        bounds.number(data.get("normalized"), "outlier value", 0.0, 100.0, required=True) or 0.0,
        bounds.number(data.get("centre"), "outlier centre", 0.0, 100.0, required=True) or 0.0,
    )


__all__ = ["UNCERTAIN_BELOW", "Agreement", "Match", "Outlier", "Weights"]
