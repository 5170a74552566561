"""Do the sources agree? The spread of the ratings, and the ones far from the rest.

One value per pool of reviews or votes (as the score counts them, :mod:`movieagg.core.scoring`),
on the 0–100 scale. The rule (also in the README): a rating is an **outlier** when it lies
further from the median of the *other* ratings than three robust standard deviations of those
others (1.4826 × their median absolute deviation), and never closer than 15 points — so a tight
cluster does not flag a 6-point difference, and one wild value cannot hide itself by widening the
yardstick it is measured with. It takes at least three ratings; the spread is max − min.
"""

from __future__ import annotations

from collections.abc import Sequence

from movieagg.core.assessment import Agreement, Outlier
from movieagg.core.models import Rating
from movieagg.core.scoring import Scorecard, representatives

OUTLIER_FLOOR = 15.0  # points on the 0–100 scale
MAD_FACTOR = 3.0
MAD_TO_SIGMA = 1.4826  # the MAD of a normal distribution, as its standard deviation
MIN_RATINGS = 3


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def measure_agreement(ratings: Sequence[Rating] | Scorecard, preference: Sequence[str] = ()) -> Agreement:
    """The spread and outliers of ``ratings`` (one per pool, the copy the score would use; a
    :class:`Scorecard` already knows them)."""
    if isinstance(ratings, Scorecard):
        chosen = list(ratings.representatives)
    else:
        chosen = list(representatives(ratings, preference).values())
    values = [min(max(r.normalized, 0.0), 100.0) for r in chosen]
    if not values:
        return Agreement()
    low, high = min(values), max(values)
    outliers: list[Outlier] = []
    # Within the floor of each other, no rating can be an outlier: most films stop here.
    if len(values) >= MIN_RATINGS and high - low > OUTLIER_FLOOR:
        for i, rating in enumerate(chosen):
            others = values[:i] + values[i + 1 :]
            centre = _median(others)
            mad = _median([abs(x - centre) for x in others])
            if abs(values[i] - centre) > max(MAD_FACTOR * MAD_TO_SIGMA * mad, OUTLIER_FLOOR):
                far = Outlier(rating.name, rating.label, rating.source, values[i], round(centre, 1))
                outliers.append(far)
    return Agreement(round(high - low, 1), low, high, len(values), tuple(outliers))


__all__ = ["MAD_FACTOR", "OUTLIER_FLOOR", "Agreement", "Outlier", "measure_agreement"]
