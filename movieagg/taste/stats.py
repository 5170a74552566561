"""Small statistics for the taste report (no numpy): means, rank correlation, histograms.

Kept free of I/O and of the rest of movieagg so the report's numbers can be checked by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank (as Spearman's rho needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 3 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None  # one side is constant: no ranking to agree with
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation (-1…1); None for fewer than 3 pairs or a constant side."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs pairs")
    return pearson(ranks(xs), ranks(ys))


def histogram(values: Sequence[float], bins: int = 10, low: float = 0.0, high: float = 100.0) -> list[int]:
    """Counts in ``bins`` equal bins over [low, high]; the top edge belongs to the last bin."""
    counts = [0] * bins
    width = (high - low) / bins
    for v in values:
        if not low <= v <= high:
            continue
        counts[min(int((v - low) / width), bins - 1)] += 1
    return counts


def rmse(errors: Sequence[float]) -> float | None:
    return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else None
