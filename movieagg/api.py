"""The library face: ``movieagg.rate`` / ``movieagg.arate`` and friends.

Each call builds an aggregator from settings (environment and config file unless given),
runs, and closes it — flushing lookup records. For many lookups, build one
:class:`movieagg.Aggregator` with :func:`movieagg.factory.build_aggregator` and reuse it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from movieagg.core.config import Settings
from movieagg.core.models import Candidate, RatingResult

T = TypeVar("T")


Weighting = Mapping[str, float] | str | None


async def arate(
    title: str,
    year: int | None = None,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Rate a film: one aggregate score (0–100) and every source's rating.

    ``title``: a title, ``"Heat (1995)"``, an IMDb id or an IMDb/TMDB/Trakt/Letterboxd URL.
    ``weights``: your weights by rating or family (``"imdb=2,critics=0.5"`` or a mapping).
    """
    from movieagg.factory import build_aggregator

    async with build_aggregator(settings, use_cache=use_cache) as aggregator:
        return await aggregator.rate(
            title, year, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )


async def arate_imdb(
    imdb_id: str,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Rate a film by IMDb id (no title matching)."""
    from movieagg.factory import build_aggregator

    async with build_aggregator(settings, use_cache=use_cache) as aggregator:
        return await aggregator.rate_imdb(
            imdb_id, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )


async def asearch(
    title: str, year: int | None = None, *, limit: int = 10, settings: Settings | None = None
) -> list[Candidate]:
    """Candidate films for a title, best first."""
    from movieagg.factory import build_aggregator

    async with build_aggregator(settings, record=False) as aggregator:
        return await aggregator.search(title, year, limit=limit)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("movieagg.rate() was called inside a running event loop; use await movieagg.arate()")


def rate(
    title: str,
    year: int | None = None,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Synchronous :func:`arate`."""
    options: dict[str, Any] = {"sources": sources, "refresh": refresh, "use_cache": use_cache}
    return _run(arate(title, year, weights=weights, settings=settings, **options))


def rate_imdb(
    imdb_id: str,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Synchronous :func:`arate_imdb`."""
    options: dict[str, Any] = {"sources": sources, "refresh": refresh, "use_cache": use_cache}
    return _run(arate_imdb(imdb_id, weights=weights, settings=settings, **options))


def search(
    title: str, year: int | None = None, *, limit: int = 10, settings: Settings | None = None
) -> list[Candidate]:
    """Synchronous :func:`asearch`."""
    return _run(asearch(title, year, limit=limit, settings=settings))
