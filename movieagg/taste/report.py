"""The taste report: the user's ratings set against the looked-up scores, as one plain dict.

Everything the terminal, ``--json`` and ``--html`` show comes from :meth:`TasteReport.to_dict`,
computed here on this machine from the export and the lookups (nothing is sent anywhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from movieagg.core.models import FAMILIES, RatingResult, family_of
from movieagg.taste.exports import Export, TasteRow
from movieagg.taste.fit import (
    DEFAULT_FOLDS,
    DEFAULT_SEED,
    METHOD,
    MIN_FILMS,
    FilmPoint,
    choose_weights,
    cross_validate,
    pool_scores,
    weights_text,
)
from movieagg.taste.stats import histogram, mean, spearman

TOP = 5  # films listed most above and most below the consensus
BINS = 10


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the batch engine made of one row (from a run or read back from its results file)."""

    status: str
    message: str | None = None
    result: RatingResult | None = None


@dataclass
class Matched:
    row: TasteRow
    result: RatingResult

    @property
    def you(self) -> float:
        return self.row.rating or 0.0

    @property
    def consensus(self) -> float:
        return self.result.score if self.result.score is not None else 0.0

    def film(self) -> dict[str, Any]:
        m = self.result.movie
        return {"title": m.title, "year": m.year, "imdb_id": m.imdb_id}


@dataclass
class TasteReport:
    export: Export
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    default_weights: dict[str, float] = field(default_factory=dict)
    folds: int = DEFAULT_FOLDS
    seed: int = DEFAULT_SEED

    # ------------------------------------------------------------------ the numbers

    def offsets(self) -> list[tuple[Matched, float]]:
        return sorted(((m, m.you - m.consensus) for m in self.matched), key=lambda p: -p[1])

    def agreement(self) -> list[dict[str, Any]]:
        """Per rating pool: Spearman's rho between the user and that pool's score, with n films."""
        by_pool: dict[str, list[tuple[float, float]]] = {}
        labels: dict[str, str] = {}
        for m in self.matched:
            for pool, value in pool_scores(m.result.ratings).items():
                by_pool.setdefault(pool, []).append((m.you, value))
            for r in m.result.ratings:
                labels.setdefault(r.pool, r.label.replace(" (average)", ""))
        rows = []
        for pool, pairs in by_pool.items():
            rho = spearman([p[0] for p in pairs], [p[1] for p in pairs])
            rows.append({
                "name": pool,
                "label": labels.get(pool, pool),
                "family": family_of(pool),
                "films": len(pairs),
                "spearman": None if rho is None else round(rho, 3),
            })  # fmt: skip
        return sorted(rows, key=lambda r: (r["spearman"] is None, -(r["spearman"] or 0), r["name"]))

    def families(self) -> dict[str, dict[str, Any]]:
        """Critics against the audience (the families' sub-scores), and the score itself."""
        out: dict[str, dict[str, Any]] = {}
        for name in (*FAMILIES, "score"):
            pairs = [
                (m.you, v)
                for m in self.matched
                if (v := (m.result.score if name == "score" else getattr(m.result, name))) is not None
            ]
            rho = spearman([p[0] for p in pairs], [p[1] for p in pairs])
            out[name] = {"films": len(pairs), "spearman": None if rho is None else round(rho, 3)}
        return out

    def profile(self) -> dict[str, Any]:
        points = [FilmPoint(m.you, m.result.ratings) for m in self.matched if m.result.ratings]
        base = {
            "method": METHOD.format(k=self.folds, seed=self.seed),
            "films": len(points),
            "folds": self.folds,
            "seed": self.seed,
            "default": dict(self.default_weights),
            "default_text": weights_text(self.default_weights) or "(every weight 1)",
        }
        validation = cross_validate(points, self.default_weights, self.folds, self.seed)
        if validation is None:
            return {**base, "fitted": None, "reason": f"{MIN_FILMS} matched films are needed to fit weights"}
        weights, fitted = choose_weights(points, self.default_weights, self.seed)
        return {
            **base,
            "folds": validation.folds,
            "fitted": weights,
            "fitted_text": weights_text(weights) or "(every weight 1)",
            "kept_default": not fitted,  # the guard kept the default on all films
            "heldout_rmse_fitted": round(validation.fitted_rmse, 2),
            "heldout_rmse_default": round(validation.default_rmse, 2),
            "gain": round(validation.gain, 2),
            "better": validation.better and fitted,
        }

    def to_dict(self) -> dict[str, Any]:
        you = [m.you for m in self.matched]
        consensus = [m.consensus for m in self.matched]
        offsets = self.offsets()
        you_mean, cons_mean = mean(you), mean(consensus)

        def film(pair: tuple[Matched, float]) -> dict[str, Any]:
            m, diff = pair
            return {
                **m.film(),
                "you": round(m.you, 1),
                "consensus": m.consensus,
                "difference": round(diff, 1),
            }

        return {
            "export": {
                "kind": self.export.kind,
                "scale": self.export.scale,
                "rows": len(self.export.rows),
                "rated": len(self.export.rated),
            },
            "matched": len(self.matched),
            "unmatched": self.unmatched,
            "uncertain": self.uncertain,
            "you": {
                "mean": None if you_mean is None else round(you_mean, 1),
                "consensus_mean": None if cons_mean is None else round(cons_mean, 1),
                "offset": None if you_mean is None or cons_mean is None else round(you_mean - cons_mean, 1),
            },
            "above": [film(p) for p in offsets[:TOP] if p[1] > 0],
            "below": [film(p) for p in reversed(offsets[-TOP:]) if p[1] < 0],
            "agreement": self.agreement(),
            "families": self.families(),
            "weights": self.profile(),
            "histogram": {
                "edges": [round(100 / BINS * i) for i in range(BINS + 1)],
                "you": histogram(you, BINS),
                "consensus": histogram(consensus, BINS),
            },
            "points": [{**m.film(), "you": round(m.you, 1), "consensus": m.consensus} for m in self.matched],
        }


def _row_info(row: TasteRow) -> dict[str, Any]:
    return {"row": row.item.index, **row.item.to_dict(), "rating": row.given}


def build_report(
    export: Export,
    lookups: Mapping[int, Lookup],
    default_weights: Mapping[str, float] | None = None,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
) -> TasteReport:
    """The report from the export's rows and what each row's lookup (by item key) came to."""
    report = TasteReport(export, default_weights=dict(default_weights or {}), folds=folds, seed=seed)
    for row in export.rows:
        if row.skip is not None or row.rating is None:
            report.unmatched.append({**_row_info(row), "status": "skipped", "reason": row.skip})
            continue
        found = lookups.get(row.item.key)
        if found is None:
            report.unmatched.append({**_row_info(row), "status": "not_looked_up", "reason": "not looked up"})
            continue
        result = found.result
        if found.status == "uncertain" and result is not None:
            m = result.movie
            report.uncertain.append({
                **_row_info(row), "status": "uncertain", "reason": found.message,
                "film": {"title": m.title, "year": m.year, "imdb_id": m.imdb_id},
            })  # fmt: skip
            continue
        if found.status in ("found", "ambiguous") and result is not None and result.score is not None:
            report.matched.append(Matched(row, result))
            continue
        reason = found.message or (
            "no source has a rating for it yet" if result is not None else found.status
        )
        report.unmatched.append({**_row_info(row), "status": found.status, "reason": reason})
    return report


def summary_lines(data: Mapping[str, Any]) -> Sequence[str]:
    """The report's headline in a few plain lines (for logs and the closing note)."""
    you = data["you"]
    lines = [f"{data['matched']} of {data['export']['rated']} rated films matched"]
    if you["mean"] is not None:
        lines.append(
            f"you average {you['mean']:g}, the consensus {you['consensus_mean']:g} "
            f"(offset {you['offset']:+g})"
        )
    return lines
