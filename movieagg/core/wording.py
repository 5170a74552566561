"""Words that agree with their numbers: "1 title", "2 titles" (no I/O, used by every face)."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "candidate": "candidates"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``plural(1, "film")`` → ``"1 film"``; ``plural(1200, "film")`` → ``"1,200 films"``."""
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {many or _IRREGULAR.get(word, word + 's')}"
