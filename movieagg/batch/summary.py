"""Counts for a batch run and the closing lines the CLI prints (and a resumed run carries on)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from movieagg.batch.results import STATUSES, BatchResult
from movieagg.core.wording import plural


@dataclass
class BatchSummary:
    """Counts for a run (and, when resuming, for what the output file already held)."""

    counts: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    resumed: int = 0  # items skipped because the output already had them
    retried: int = 0  # failed rows dropped from the output to try again
    source_errors: Counter[str] = field(default_factory=Counter)  # "source: kind" → items
    quota: dict[str, str] = field(default_factory=dict)  # source → message, when a quota ran out
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def add(self, result: BatchResult) -> None:
        self.counts[result.status] += 1
        if result.cached:
            self.cached += 1
        for error in result.errors:
            self.source_errors[error.source] += 1
            if error.kind == "quota" and "daily" in error.message:
                self.quota.setdefault(error.source, error.message)

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    @property
    def failures(self) -> int:
        return self.counts["failed"] + self.counts["invalid"]

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.done,
            **{s: self.counts[s] for s in STATUSES},
            "from_cache": self.cached,
            "resumed": self.resumed,
            "source_errors": dict(self.source_errors),
            "quota_spent": dict(self.quota),
            "seconds": round(self.elapsed, 2),
        }

    def lines(self) -> list[str]:
        c = self.counts
        found = f"{c['found'] + c['ambiguous'] + c['uncertain']:,} found"
        notes = []
        if c["ambiguous"]:
            notes.append(f"{c['ambiguous']:,} ambiguous: no year given and remakes exist")
        if c["uncertain"]:
            notes.append(f"{c['uncertain']:,} uncertain: review them")
        if notes:
            found += f" ({'; '.join(notes)})"
        parts = [found, f"{c['not_found']:,} not found", f"{c['failed']:,} failed"]
        if c["invalid"]:
            parts.append(f"{c['invalid']:,} invalid")
        parts.append(f"{self.cached:,} from cache")
        out = [f"{plural(self.done, 'title')}: " + ", ".join(parts) + f" ({self.elapsed:.1f}s)"]
        if self.resumed:
            out.append(
                f"{self.resumed:,} were already in the output (resumed); {self.retried:,} failed ones retried"
            )
        for source, message in sorted(self.quota.items()):
            out.append(f"{source}: {message}; later titles were rated without it")
        if self.source_errors:
            out.append(
                "source errors: " + ", ".join(f"{s} {n:,}" for s, n in self.source_errors.most_common())
            )
        return out
