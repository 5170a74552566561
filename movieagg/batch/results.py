"""What one batch item came to (:class:`BatchResult`), as the engine yields it and the writers write it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from movieagg.batch.items import BatchItem
from movieagg.core.errors import SourceErrorInfo
from movieagg.core.models import Movie, RatingResult, alternative_dict

STATUSES = ("found", "ambiguous", "uncertain", "not_found", "invalid", "failed")


@dataclass(frozen=True, slots=True, weakref_slot=True)
class BatchResult:
    """The outcome for one item. ``status``: found, ambiguous, uncertain, not_found, invalid or failed.

    ``uncertain``: rated, but the match confidence is low (the message says why) — review it.
    """

    item: BatchItem
    status: str
    result: RatingResult | None = None
    message: str | None = None
    alternatives: tuple[Movie, ...] = ()  # other films with the same title (ambiguous)
    errors: tuple[SourceErrorInfo, ...] = ()  # source failures (also on a found result)

    @property
    def cached(self) -> bool:
        return self.result is not None and self.result.cached

    @property
    def ok(self) -> bool:
        return self.status in ("found", "ambiguous", "uncertain")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.item.index,
            "input": self.item.to_dict(),
            "status": self.status,
            "message": self.message,
            "score": self.result.score if self.result else None,
            "alternatives": [alternative_dict(m) for m in self.alternatives],
            "result": self.result.to_dict() if self.result else None,
        }
