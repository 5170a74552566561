"""Rate limits as data: "at most N requests in any P seconds", and how users write them.

Pure data and parsing (no asyncio): the source registry declares each source's default
:class:`Limit` with it, and ``MOVIEAGG_<SOURCE>_RATE_LIMIT`` (``"40/1s"``, ``"1000/5m"``,
``"off"``) and ``MOVIEAGG_<SOURCE>_CONCURRENCY`` override it (:func:`limits_from_settings`).
The limiter that enforces a Limit is :mod:`movieagg.sources.limiter`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``calls`` requests in any ``period`` seconds, ``min_interval`` apart."""

    calls: int
    period: float
    min_interval: float = 0.0
    concurrency: int | None = None
    # Share of the period kept free so that network jitter never lets the service see one
    # request too many in its own window (a 429 costs a whole Retry-After; the limiter also
    # bounds each window by when answers came, so a small margin is enough).
    margin: float = 0.02
    # Spread requests evenly over the window (period/calls apart) instead of sending a
    # window's worth at once: bursts arrive unevenly and trip the service's own window.
    smooth: bool = True
    # Further windows that hold at the same time (Jikan: 60/min *and* 3/s); each is enforced
    # by its own limiter, so a request waits for a slot in every one.
    also: tuple[Limit, ...] = ()

    @property
    def interval(self) -> float:
        """Seconds between two requests."""
        even = self.period * (1 + self.margin) / self.calls if self.smooth else 0.0
        return max(self.min_interval, even)

    @property
    def rate(self) -> float:
        """Sustained requests per second this limit allows."""
        per_window = self.calls / (self.period * (1 + self.margin))
        return min(per_window, 1 / self.interval) if self.interval > 0 else per_window


_LIMIT_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min|h)?\s*$", re.IGNORECASE)
_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_limit(text: str, base: Limit | None = None) -> Limit | None:
    """``"40/1s"``, ``"40/s"``, ``"1000/5m"``, ``"off"`` → a Limit (None = unlimited)."""
    if text.strip().lower() in ("off", "none", "0", "unlimited"):
        return None
    match = _LIMIT_RE.match(text)
    if not match or int(match.group(1)) <= 0:
        raise ConfigurationError(f"rate limit must look like 40/1s or 1000/5m, not {text[:30]!r}")
    period = float(match.group(2) or 1) * _UNITS[(match.group(3) or "s").lower()]
    if period <= 0:
        raise ConfigurationError(f"rate limit period must be positive: {text[:30]!r}")
    min_interval = base.min_interval if base else 0.0
    return Limit(
        int(match.group(1)),
        period,
        min_interval=min(min_interval, period / int(match.group(1))),
        concurrency=base.concurrency if base else None,
        also=base.also if base else (),
    )


def limits_from_settings(settings: Settings, defaults: Mapping[str, Limit | None]) -> dict[str, Limit]:
    """Each source's limit: its default (from the registry) with the user's settings applied.

    Sources named only in the settings (a plugin's ``MOVIEAGG_MYPLUGIN_CONCURRENCY``) get a
    limit too; ``off`` removes one.
    """
    limits: dict[str, Limit] = {}
    for name in sorted({*defaults, *settings.sources_with_own_limits()}):
        limit: Limit | None = defaults.get(name)
        raw = settings.rate_limit(name)
        if raw is not None:
            limit = parse_limit(raw, limit)
        concurrency = settings.concurrency(name)
        if concurrency is not None:
            base = limit or Limit(1_000_000, 1.0, margin=0.0)
            limit = dataclasses.replace(base, concurrency=concurrency)
        if limit is not None:
            limits[name] = limit
    return limits


def describe(limits: Mapping[str, Limit]) -> dict[str, str]:
    """Human-readable limits, for ``--help`` and summaries."""
    out = {}
    for name, lim in limits.items():
        text = f"{lim.calls}/{lim.period:g}s"
        if lim.interval:
            text += f", ≥{lim.interval:.3g}s apart"
        if lim.concurrency:
            text += f", ≤{lim.concurrency} in flight"
        for more in lim.also:
            text += f", and {more.calls}/{more.period:g}s"
        out[name] = text
    return out
