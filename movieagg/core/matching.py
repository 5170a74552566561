"""Title matching: which candidate film does a person most likely mean?

Titles are compared on normalised forms (accents, case, punctuation, "&"/"and", number
words, interpuncts and stylised digits such as Se7en or M3GAN). Candidates are ranked by
title agreement first, then year, then popularity and the source's own relevance order,
so an exact title beats a popular near-miss and the year always has its say.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from movieagg.core.models import Candidate, Query

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
}  # fmt: skip
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8"}
_ARTICLES = ("the ", "a ", "an ", "le ", "la ", "les ", "l ", "el ", "der ", "die ", "das ")
_APOSTROPHES = "'’`´ʼ"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_/\\:;,.!?¡¿·•∙‧・()\[\]{}\"“”«»„]+")
_STYLISED_DIGIT = re.compile(r"(?<=[a-z])\d(?=[a-z])|(?<=[a-z])\d$|^\d(?=[a-z]{2})")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form; keeps letters of every script."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("æ", "ae").replace("œ", "oe").replace("ø", "o")
    text = text.replace("ß", "ss").replace("ł", "l").replace("đ", "d")
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = _SEPARATORS.sub(" ", text)
    text = "".join(ch if ch.isalnum() or ch == " " else " " for ch in text)
    return " ".join(text.split())


def normalize_title(text: str) -> str:
    """fold() plus number words and small roman numerals as digits ("Ocean's Eleven" ≈ "Ocean's 11")."""
    words = fold(text).split()
    return " ".join(_NUMBER_WORDS.get(w, _ROMAN.get(w, w) if i else w) for i, w in enumerate(words))


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
    return all(x == y or i in a_digits or i in b_digits for i, (x, y) in enumerate(zip(a, b, strict=True)))


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


def best_title_similarity(query: str, titles: Iterable[str | None]) -> float:
    return max((title_similarity(query, t) for t in titles if t), default=0.0)


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    candidate: Candidate
    score: float
    title_score: float


def score_candidate(query: Query, candidate: Candidate) -> ScoredCandidate:
    """Rank key for one candidate; higher is more likely what the person means."""
    titles = (candidate.title, candidate.original_title, *candidate.aliases)
    title_score = best_title_similarity(query.title, titles)
    score = title_score * 10.0
    if title_score >= 0.95:
        score += 5.0  # an equivalent title beats popularity
    if query.year is not None:
        if candidate.year is None:
            score -= 1.0
        else:
            gap = abs(candidate.year - query.year)
            score += 4.0 if gap == 0 else 2.5 if gap == 1 else -12.0
    votes = candidate.votes or 0
    score += min(math.log10(votes + 1), 7.0) * 0.6
    score += 1.5 / (candidate.rank + 1)  # the source's own relevance (alternative titles)
    return ScoredCandidate(candidate, round(score, 4), title_score)


def rank_candidates(query: Query, candidates: Sequence[Candidate]) -> list[ScoredCandidate]:
    """Candidates best first; candidates more than a year off a given year are dropped."""
    scored = [score_candidate(query, c) for c in candidates]
    if query.year is not None:
        scored = [s for s in scored if s.candidate.year is None or abs(s.candidate.year - query.year) <= 1]
    scored.sort(key=lambda s: (-s.score, s.candidate.rank))
    return scored


def pick(query: Query, candidates: Sequence[Candidate]) -> Candidate | None:
    ranked = rank_candidates(query, candidates)
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
        if scored.title_score < 0.95 or c.year is None or c.year == chosen.year:
            continue
        same_film = (c.imdb_id and c.imdb_id == chosen.imdb_id) or (
            c.tmdb_id is not None and c.tmdb_id == chosen.tmdb_id
        )
        if same_film or (c.title, c.year) in seen:
            continue
        seen.add((c.title, c.year))
        others.append(c)
        if len(others) >= limit:
            break
    return others
