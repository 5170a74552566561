"""Users' own weights for ratings and families: ``imdb=2,rotten_tomatoes=0,critics=0.5``.

One parser for every face: ``MOVIEAGG_WEIGHTS`` (Settings), ``--weights`` on ``rate`` and
``batch``, ``weights=`` in the library. A name is a rating (``imdb``, ``tmdb``, ``trakt``,
``metacritic``, ``rotten_tomatoes`` …; a rating weighs its whole pool, so
``rotten_tomatoes_average`` is ``rotten_tomatoes``) or a family (``critics``, ``audience``);
a weight is a number from 0 (leave it out) to 100. Unset names weigh 1.
"""

from __future__ import annotations

import math
import re

from movieagg.core.assessment import Weights
from movieagg.core.errors import InvalidQuery
from movieagg.core.models import FAMILIES, pool_of

# Every rating name a source gives (tests/core/test_weights.py checks the adapters against it).
KNOWN_RATINGS = (
    "imdb", "tmdb", "trakt", "letterboxd", "metacritic", "rotten_tomatoes", "rotten_tomatoes_average",
    "anilist", "myanimelist",
)  # fmt: skip
MAX_WEIGHT = 100.0
_SEPARATORS = re.compile(r"[,;]")


def parse_weights(text: str) -> Weights:
    """``imdb=2,rotten_tomatoes=0`` → Weights; a clear InvalidQuery for anything else."""
    found: dict[str, float] = {}
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        name, sep, raw = part.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            given = part.strip()[:30]
            raise InvalidQuery(f"weights are name=number pairs (imdb=2,critics=0.5), not {given!r}")
        if name not in KNOWN_RATINGS and name not in FAMILIES:
            known = ", ".join((*KNOWN_RATINGS, *FAMILIES))
            raise InvalidQuery(f"unknown rating or family {name!r} in the weights (known: {known})")
        try:
            if not raw.strip().isascii():  # float() takes "٢" and "２": ASCII digits only, as for years
                raise ValueError(raw)
            value = float(raw.strip())
        except ValueError:
            raise InvalidQuery(f"the weight of {name} must be a number, not {raw.strip()[:20]!r}") from None
        if not math.isfinite(value):
            raise InvalidQuery(f"the weight of {name} must be a number, not {raw.strip()[:20]!r}")
        if not 0 <= value <= MAX_WEIGHT:
            raise InvalidQuery(f"the weight of {name} must be between 0 and {MAX_WEIGHT:g}, not {value:g}")
        found[name if name in FAMILIES else pool_of(name)] = value
    return Weights(found)


__all__ = ["KNOWN_RATINGS", "Weights", "parse_weights"]
