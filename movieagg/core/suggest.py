"""Did you mean: the films nearest to a title nothing matched, ranked and trimmed here.

The aggregator gathers a pool when a lookup finds nothing — what the searches answered but
the title rule rejected, titles already in the cache, and looser searches (each distinctive
word alone; a prefix on sources that search by prefix, Wikidata and the offline IMDb
datasets) — and this module ranks it: character similarity of the folded titles (typos), or
every word of the query found in the title (a word of a longer title), best first.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from movieagg.core.errors import Suggestion
from movieagg.core.matching import distinctive_words
from movieagg.core.models import Candidate, Movie, Query
from movieagg.core.text import normalize_title

LIMIT = 5
MIN_SIMILARITY = 0.6
MAX_WORD_VARIANTS = 2
PREFIX_SHARE = 0.6  # of the folded query, for prefix searches ("the matrx" → "the m")


def similarity(query: str, title: str) -> float:
    """0–1: how near a title is to what was typed (typos, or a part of the title)."""
    q, t = normalize_title(query), normalize_title(title)
    if not q or not t:
        return 0.0
    ratio = SequenceMatcher(None, q, t, autojunk=False).ratio()
    q_words, t_words = distinctive_words(q), distinctive_words(t)
    contained = bool(q_words) and q_words <= t_words
    return max(ratio, 0.6 + 0.3 * ratio) if contained else ratio


def rank_suggestions(query: Query, pool: Iterable[Movie | Candidate], limit: int = LIMIT) -> list[Suggestion]:
    """The nearest distinct films of ``pool``, best first, at most ``limit``."""
    scored: list[tuple[float, int, Suggestion]] = []
    for item in pool:
        names = [item.title, item.original_title, *getattr(item, "aliases", ())]
        best = max((similarity(query.title, n) for n in names if n), default=0.0)
        if best < MIN_SIMILARITY:
            continue
        if query.year is not None and item.year is not None and abs(item.year - query.year) <= 1:
            best += 0.05  # the year asked for: a small nudge, never a filter
        votes = getattr(item, "votes", None) or 0
        scored.append((best, votes, Suggestion(item.title, item.year, item.imdb_id)))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    chosen: list[Suggestion] = []
    for _, _, suggestion in scored:
        if any(_same(suggestion, other) for other in chosen):
            continue
        chosen.append(suggestion)
        if len(chosen) >= limit:
            break
    return chosen


def _same(a: Suggestion, b: Suggestion) -> bool:
    if a.imdb_id and b.imdb_id:
        return a.imdb_id == b.imdb_id
    return normalize_title(a.title) == normalize_title(b.title) and a.year == b.year


def word_variants(query: Query) -> list[Query]:
    """Each distinctive word on its own, longest first (a wrong or extra word elsewhere)."""
    words = sorted(distinctive_words(normalize_title(query.title)), key=lambda w: (-len(w), w))
    if len(words) < 2:
        return []  # the search itself already asked for this one word
    return [Query(w) for w in words[:MAX_WORD_VARIANTS] if len(w) >= 3]


def prefix_of(query: Query) -> str | None:
    """The start of the folded title, for prefix searches; None when too short to mean much."""
    folded = normalize_title(query.title)
    if len(folded) < 4:
        return None
    return folded[: max(3, round(len(folded) * PREFIX_SHARE))].rstrip()


__all__ = ["LIMIT", "prefix_of", "rank_suggestions", "similarity", "word_variants"]
