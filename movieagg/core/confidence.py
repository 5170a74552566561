"""Match confidence: how sure an answer is about *which film* it is, with short concrete reasons.

An IMDb or TMDB id, or the user's own pin, is certain (1.0). A title starts from how its
best name agreed with the query (exact 1.0, folded 0.97, same words 0.85, main title 0.8,
most words 0.7 — :mod:`movieagg.core.matching`) and is multiplied down by what argues for
another film (the rule, also in the README):

* the year asked for is one off: × 0.9 (more is never accepted);
* no year, and other films carry the title: × 0.85 — the reasons name them;
* a second resolver, asked because the title is ambiguous, ranks another film first: × 0.6;
* a source insists on another IMDb id (asked again by id, it still disagrees): × 0.8 each;
* a rating far from the others whose source reports another film or a distant year: × 0.75 each.

Below :data:`UNCERTAIN_BELOW` (0.6) an answer is uncertain: the CLI and the web app warn and
``batch`` marks the row ``uncertain`` for review. Solaris without a year (TMDB picks 1972,
OMDb 2002) lands at 0.51.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from movieagg.core import bounds
from movieagg.core.assessment import UNCERTAIN_BELOW, Agreement, Match
from movieagg.core.matching import AGREEMENT_STRENGTH, TitleAgreement, name_agreement
from movieagg.core.models import Movie, Query, SourceData

YEAR_OFF = 0.9
NAMESAKES = 0.85
DISPUTED = 0.6
CONTRADICTION = 0.8
ODD_OUTLIER = 0.75
YEAR_GAP = 3  # years between a source's release year and the film's that mean another film
_NAME_KINDS = frozenset({"title", "original", "alternative"})


@dataclass(frozen=True, slots=True)
class MatchEvidence:
    """What resolving a title learnt, kept with the title's identity in the cache.

    ``agreement``: how the chosen film's name agreed with the query; ``resolver``: who picked
    it; ``second_opinion``: the resolver asked again because the title is ambiguous, and
    ``disputed_by`` the film it ranks first when that is another one.
    """

    agreement: TitleAgreement
    resolver: str
    second_opinion: str | None = None
    disputed_by: Movie | None = None

    def to_dict(self) -> dict[str, Any]:
        a = self.agreement
        return {
            "agreement": {"name": a.name, "name_kind": a.name_kind, "how": a.how, "strength": a.strength},
            "resolver": self.resolver,
            "second_opinion": self.second_opinion,
            "disputed_by": _short(self.disputed_by) if self.disputed_by is not None else None,
        }

    @classmethod
    def from_dict(cls, data: object) -> MatchEvidence | None:
        """The cached form back, checked like any cache entry (:mod:`movieagg.core.bounds`: a
        strength in 0–1, known kinds, bounded text, a valid film); None for anything else (an
        older or damaged entry)."""
        if not isinstance(data, dict):
            return None
        try:
            a = data["agreement"]
            strength = a["strength"]
            if a["how"] not in AGREEMENT_STRENGTH or a["name_kind"] not in _NAME_KINDS:
                return None
            if isinstance(strength, bool) or not isinstance(strength, int | float) or not 0 <= strength <= 1:
                return None  # NaN fails the comparison too
            agreement = TitleAgreement(
                bounds.text(a["name"], "name", required=True) or "", a["name_kind"], a["how"], float(strength)
            )
            disputed = data.get("disputed_by")
            return cls(
                agreement,
                bounds.text(data["resolver"], "resolver", required=True) or "",
                bounds.text(data.get("second_opinion"), "second opinion"),
                Movie.from_dict(disputed) if isinstance(disputed, dict) else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def _short(movie: Movie) -> dict[str, Any]:
    return {"title": movie.title, "year": movie.year, "imdb_id": movie.imdb_id}


def _film(movie: Movie) -> str:
    return f"{movie.title} ({movie.year})" if movie.year else movie.title


def assess(
    method: str,
    query: Query,
    movie: Movie,
    evidence: MatchEvidence | None,
    *,
    alternatives: Sequence[Movie] = (),
    confirmations: Sequence[str] = (),
    contradictions: Mapping[str, str] | None = None,
    odd_outliers: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> Match:
    """The confidence that ``movie`` is the film ``query`` means, and the reasons, in order.

    ``confirmations``: sources that report the film's IMDb id; ``contradictions``: source →
    the other IMDb id it insists on; ``odd_outliers``: reasons about ratings far from the rest
    whose source seems to describe another film (from the agreement check); ``labels``:
    source names as people know them (``omdb`` → OMDb).
    """
    names = labels or {}
    reasons: list[str] = []
    confidence = 1.0
    if method == "pin":
        reasons.append(f"pinned by you: “{query.title}” means {movie.imdb_id}")
    elif method == "imdb_id":
        reasons.append(f"asked by IMDb id {movie.imdb_id}")
    elif method == "tmdb_id":
        imdb = f" (IMDb id {movie.imdb_id})" if movie.imdb_id else ""
        reasons.append(f"asked by TMDB id {movie.tmdb_id}{imdb}")
    else:
        confidence = _title_confidence(query, movie, evidence, alternatives, reasons, names)
    if confirmations and movie.imdb_id:
        n = len(confirmations)
        reasons.append(f"{n} source{'s' if n > 1 else ''} report{'' if n > 1 else 's'} {movie.imdb_id}")
    for source, other in sorted((contradictions or {}).items())[:2]:
        reasons.append(f"{names.get(source, source)} insists on another film ({other})")
        confidence *= CONTRADICTION if method == "title" else 1.0
    for note in odd_outliers[:2]:
        reasons.append(note)
        confidence *= ODD_OUTLIER if method == "title" else 1.0
    return Match(round(max(0.0, min(1.0, confidence)), 2), method, tuple(reasons))


def _title_confidence(
    query: Query,
    movie: Movie,
    evidence: MatchEvidence | None,
    alternatives: Sequence[Movie],
    reasons: list[str],
    names: Mapping[str, str],
) -> float:
    agreement = evidence.agreement if evidence is not None else _agreement_again(query, movie)
    if agreement is None:
        reasons.append(f"the title “{movie.title}” differs from “{query.title}”")
        confidence = 0.5
    else:
        reasons.append(agreement.describe())
        confidence = agreement.strength
    if query.year is not None and movie.year is not None:
        if movie.year == query.year:
            reasons.append(f"released {movie.year}, as asked")
        else:
            reasons.append(f"released {movie.year}; asked {query.year} (one year apart is tolerated)")
            confidence *= YEAR_OFF
    elif query.year is None:
        if alternatives:
            others = ", ".join(_film(m) for m in alternatives[:3])
            reasons.append(f"no year given; “{query.title}” could also mean {others}")
            confidence *= NAMESAKES
        else:
            reasons.append("no other film of that title turned up")
    if evidence is not None and evidence.second_opinion:
        judge = f"{names.get(evidence.second_opinion, evidence.second_opinion)}'s search"
        if evidence.disputed_by is not None:
            reasons.append(f"{judge} puts {_film(evidence.disputed_by)} first")
            confidence *= DISPUTED
        else:
            reasons.append(f"{judge} agrees")
    return confidence


def odd_outliers(
    movie: Movie, agreement: Agreement, data: Mapping[str, SourceData], labels: Mapping[str, str]
) -> list[str]:
    """Reasons for outlying ratings whose source seems to describe another film: another IMDb
    id, or a release year :data:`YEAR_GAP` or more away (festival vs release is one year)."""
    notes: list[str] = []
    for outlier in agreement.outliers:
        item = data.get(outlier.source)
        seen = item.movie if item is not None else None
        if seen is None:
            continue
        far = f"{outlier.label} via {labels.get(outlier.source, outlier.source)} is far from the others"
        detail = f" ({outlier.normalized:.0f} against {outlier.centre:.0f})"
        if seen.imdb_id and movie.imdb_id and seen.imdb_id != movie.imdb_id:
            notes.append(f"{far}{detail} and reports another film, {seen.imdb_id}")
        elif seen.year and movie.year and abs(seen.year - movie.year) >= YEAR_GAP:
            notes.append(f"{far}{detail} and reports {seen.year}, not {movie.year}")
    return notes


def _agreement_again(query: Query, movie: Movie) -> TitleAgreement | None:
    """For identities cached without evidence: compare the title with the film's names again."""
    for name, kind in ((movie.title, "title"), (movie.original_title, "original")):
        if name and (how := name_agreement(query.title, name)) is not None:
            return TitleAgreement(name, kind, how, AGREEMENT_STRENGTH[how])
    return None


__all__ = ["UNCERTAIN_BELOW", "MatchEvidence", "assess"]
