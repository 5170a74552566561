"""Title matching: which candidate film does a person most likely mean — if any?

Titles are compared on normalised forms (accents, case, punctuation, "&"/"and", number
words, interpuncts and stylised digits such as Se7en or M3GAN). Candidates are ranked by
title agreement first, then year, then popularity and the source's own relevance order,
so an exact title beats a popular near-miss and the year always has its say.

A candidate is only *accepted* when one of its names (title, original title, alternative
titles) agrees with the query by :func:`title_agreement` — the rule, also in the README:

1. the same title once folded (case, accents, punctuation, articles, spacing, number words,
   stylised digits): ``Amelie`` = ``Amélie``, ``Matrix`` = ``The Matrix``, ``Seven`` = ``Se7en``;
2. the same main title, one side without its subtitle: ``Dune: Part One`` = ``Dune``;
3. the same distinctive words in any order, small words (the, a, and, of, part …) aside:
   ``Godfather 2`` = ``The Godfather Part II``;
4. most distinctive words shared: at least three, and three quarters of all of them.

Anything else — a word of the title (``Runner`` → Blade Runner), a sequel (``The Matrix`` →
The Matrix Reloaded), a typo (``the matrx``) — is not a match: the lookup answers "not found"
with suggestions instead of rating another film.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from movieagg.core.models import Candidate, Query
from movieagg.core.text import fold, normalize_title

_ARTICLES = ("the ", "a ", "an ", "le ", "la ", "les ", "l ", "el ", "der ", "die ", "das ")
# Words that do not tell films apart (rule 3): articles in a few languages, "and", "of", "part".
_FILLER = frozenset({
    "the", "a", "an", "and", "of", "part", "le", "la", "les", "l", "el", "der", "die", "das", "de",
    "du", "des", "il", "lo", "los", "las", "et", "und", "y", "e",
})  # fmt: skip
_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
MOST_WORDS_SHARE = 0.75
MOST_WORDS_MIN = 3
_STYLISED_DIGIT = re.compile(r"(?<=[a-z])\d(?=[a-z])|(?<=[a-z])\d$|^\d(?=[a-z]{2})")


def _strip_article(text: str) -> str:
    for article in _ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            return text[len(article) :]
    return text


def _stylised_equal(a: str, b: str) -> bool:
    """True when the titles differ only by digits standing in for letters (Se7en/Seven)."""
    if len(a) != len(b) or a == b:
        return False
    a_digits = {m.start() for m in _STYLISED_DIGIT.finditer(a)}
    b_digits = {m.start() for m in _STYLISED_DIGIT.finditer(b)}
    if not a_digits and not b_digits:
        return False
    # A digit may stand for a letter, never for another digit ("Toy Story 3" is not "Toy Story 2").
    return all(
        x == y or ((i in a_digits or i in b_digits) and x.isdigit() != y.isdigit())
        for i, (x, y) in enumerate(zip(a, b, strict=True))
    )


def title_similarity(query: str, title: str) -> float:
    """1.0 for equivalent titles, lower for partial agreement, 0.0 for none."""
    q, t = normalize_title(query), normalize_title(title)
    if not q or not t:
        return 0.0
    if q == t:
        return 1.0
    if q.replace(" ", "") == t.replace(" ", ""):
        return 0.99  # WALL·E / WALL-E / WALLE
    if _strip_article(q) == _strip_article(t):
        return 0.97
    if _stylised_equal(fold(query).replace(" ", ""), fold(title).replace(" ", "")):
        return 0.95
    from difflib import SequenceMatcher  # here: a cache hit, which only normalises titles, needs none

    ratio = SequenceMatcher(None, q, t, autojunk=False).ratio()
    q_words, t_words = set(q.split()), set(t.split())
    containment = len(q_words & t_words) / max(len(q_words), 1)
    # A query that is every word of a longer title ("Amelie" vs "Le fabuleux destin d'Amélie
    # Poulain") is a weaker hint than a full match, but better than an unrelated title.
    # Character overlap only means something when it is high (a typo); "dune" and
    # "blade runner" share half their letters and nothing else.
    ratio_score = ratio * 0.9 if ratio >= 0.75 else ratio * 0.5
    return round(max(ratio_score, containment * 0.75), 4)


def best_title_similarity(query: str, titles: Iterable[object]) -> float:
    return max((title_similarity(query, t) for t in titles if isinstance(t, str) and t), default=0.0)


@dataclass(frozen=True, slots=True)
class TitleAgreement:
    """How a candidate's name agrees with the query: which name, how, and how strongly.

    ``name_kind``: ``title``, ``original`` or ``alternative``; ``how``: ``exact``, ``folded``,
    ``main_title``, ``same_words`` or ``most_words`` (the rules, strongest first).
    """

    name: str
    name_kind: str
    how: str
    strength: float

    def describe(self) -> str:
        """A short reason: ``original title "Солярис" matches exactly``."""
        which = {"title": "title", "original": "original title", "alternative": "alternative title"}
        how = {
            "exact": "matches exactly",
            "folded": "matches (ignoring case, accents and punctuation)",
            "main_title": "matches without its subtitle",
            "same_words": "has the same words",
            "most_words": "shares most words",
        }[self.how]
        return f'{which[self.name_kind]} "{self.name}" {how}'


AGREEMENT_STRENGTH = {"exact": 1.0, "folded": 0.97, "main_title": 0.8, "same_words": 0.85, "most_words": 0.7}


def distinctive_words(normalised: str) -> set[str]:
    """The words of a normalised title that tell films apart (not the, a, and, of, part …)."""
    return {w for w in normalised.split() if w not in _FILLER}


def _main_title(text: str) -> str | None:
    """The title before its subtitle (``Dune: Part One`` → ``Dune``), or None without one."""
    parts = _SUBTITLE.split(text.strip(), maxsplit=1)
    return parts[0] if len(parts) == 2 and parts[0] and parts[1] else None


def _equivalent(query: str, name: str) -> bool:
    return title_similarity(query, name) >= 0.95


def name_agreement(query: str, name: str) -> str | None:
    """How one name agrees with the query (the rule that holds), or None."""
    q, n = normalize_title(query), normalize_title(name)
    if not q or not n:
        return None
    if q == n:
        same_text = " ".join(query.casefold().split()) == " ".join(name.casefold().split())
        return "exact" if same_text else "folded"
    if _equivalent(query, name):
        return "folded"
    for whole, part in ((query, _main_title(name)), (name, _main_title(query))):
        if part is not None and distinctive_words(normalize_title(part)) and _equivalent(whole, part):
            return "main_title"
    if q.split()[-1] in _FILLER or n.split()[-1] in _FILLER:
        return None  # "Dune part": something is missing, the words alone cannot tell
    q_words, n_words = distinctive_words(q), distinctive_words(n)
    if q_words and q_words == n_words:
        return "same_words"
    shared = q_words & n_words
    if len(shared) >= MOST_WORDS_MIN and len(shared) / len(q_words | n_words) >= MOST_WORDS_SHARE:
        return "most_words"
    return None


def title_agreement(query: str, candidate: Candidate) -> TitleAgreement | None:
    """The strongest agreement of any of the candidate's names with the query, or None (rejected)."""
    aliases = candidate.aliases if isinstance(candidate.aliases, tuple | list) else ()
    names: list[tuple[object, str]] = [(candidate.title, "title"), (candidate.original_title, "original")]
    names += [(alias, "alternative") for alias in aliases]
    best: TitleAgreement | None = None
    for name, kind in names:
        if not isinstance(name, str) or not name:  # total on any candidate, like the ranking
            continue
        how = name_agreement(query, name)
        if how is None:
            continue
        found = TitleAgreement(name, kind, how, AGREEMENT_STRENGTH[how])
        if best is None or found.strength > best.strength:
            best = found
    return best


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    candidate: Candidate
    score: float
    title_score: float
    agreement: TitleAgreement | None = None  # None: the title does not look like the query


def _whole(value: object) -> int | None:
    """An int as itself; anything else (None, text, a bool, a float) as no number at all."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rank(candidate: Candidate) -> int:
    rank = _whole(candidate.rank)
    return rank if rank is not None and rank >= 0 else 1000


def score_candidate(query: Query, candidate: Candidate) -> ScoredCandidate:
    """Rank key for one candidate; higher is more likely what the person means.

    Total on any candidate: a value of the wrong type or out of range (negative votes, text
    for a year) counts as missing, never as an exception.
    """
    aliases = candidate.aliases if isinstance(candidate.aliases, tuple | list) else ()
    titles = (candidate.title, candidate.original_title, *aliases)
    title_score = best_title_similarity(query.title, titles)
    score = title_score * 10.0
    if title_score >= 0.95:
        score += 5.0  # an equivalent title beats popularity
    year = _whole(candidate.year)
    if query.year is not None:
        if year is None:
            score -= 1.0
        else:
            gap = abs(year - query.year)
            score += 4.0 if gap == 0 else 2.5 if gap == 1 else -12.0
    votes = max(_whole(candidate.votes) or 0, 0)
    score += min(math.log10(votes + 1), 7.0) * 0.6
    score += 1.5 / (_rank(candidate) + 1)  # the source's own relevance (alternative titles)
    agreement = title_agreement(query.title, candidate) if title_score > 0 else None
    return ScoredCandidate(candidate, round(score, 4), title_score, agreement)


def rank_candidates(query: Query, candidates: Sequence[Candidate]) -> list[ScoredCandidate]:
    """Candidates best first; candidates more than a year off a given year are dropped.

    Every candidate is ranked; :func:`accepted` keeps those whose title agrees with the query.
    """
    scored = [score_candidate(query, c) for c in candidates]
    if query.year is not None:
        year = query.year
        scored = [s for s in scored if (y := _whole(s.candidate.year)) is None or abs(y - year) <= 1]
    scored.sort(key=lambda s: (-s.score, _rank(s.candidate)))
    return scored


def accepted(ranked: Sequence[ScoredCandidate]) -> list[ScoredCandidate]:
    """The ranked candidates whose title agrees with the query (best first)."""
    return [s for s in ranked if s.agreement is not None]


def pick(query: Query, candidates: Sequence[Candidate]) -> Candidate | None:
    ranked = accepted(rank_candidates(query, candidates))
    return ranked[0].candidate if ranked else None


def same_title_others(ranked: Sequence[ScoredCandidate], limit: int = 5) -> list[Candidate]:
    """Other films in ``ranked`` (best first) that carry the chosen one's title: remakes.

    Only meaningful without a year: "Dune" picks 2021 and names 1984 so the person can choose.
    """
    if not ranked:
        return []
    chosen = ranked[0].candidate
    seen: set[tuple[str, int]] = set()
    others: list[Candidate] = []
    for scored in ranked[1:]:
        c = scored.candidate
        year = _whole(c.year)
        if scored.title_score < 0.95 or year is None or year == chosen.year or not isinstance(c.title, str):
            continue
        same_film = (c.imdb_id and c.imdb_id == chosen.imdb_id) or (
            c.tmdb_id is not None and c.tmdb_id == chosen.tmdb_id
        )
        if same_film or (c.title, year) in seen:
            continue
        seen.add((c.title, year))
        others.append(c)
        if len(others) >= limit:
            break
    return others
