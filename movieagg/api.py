"""The library face: ``movieagg.rate`` / ``movieagg.arate`` and friends.

Each call builds an aggregator from settings (environment and config file unless given),
runs, and closes it — flushing lookup records. For many lookups, build one
:class:`movieagg.Aggregator` with :func:`movieagg.factory.build_aggregator` and reuse it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from movieagg.core.config import Settings
from movieagg.core.errors import NotFound
from movieagg.core.models import Candidate, RatingResult

if TYPE_CHECKING:
    from movieagg.core.episodes import EpisodeGrid

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
    kind: str | None = None,
    season: int | None = None,
    episode: int | None = None,
) -> RatingResult:
    """Rate a film: one aggregate score (0–100) and every source's rating (async).

    ``title``: a title, ``"Heat (1995)"``, an IMDb id or an IMDb/TMDB/Trakt/Letterboxd URL; it
    is matched on the best resolver configured (a year picks between remakes), then every
    source is asked by id. A failing source is listed in ``result.errors``; the others still
    answer. ``sources`` limits every request to those adapters (``["tmdb", "omdb"]``);
    ``refresh`` ignores cached ratings; ``use_cache=False`` neither reads nor writes the cache;
    ``weights``: your weights by rating or family (``"imdb=2,critics=0.5"`` or a mapping).
    ``kind``: ``"movie"``, ``"series"``, ``"episode"`` or ``"any"`` (default: the film, or the
    series when no film has that title); ``season``/``episode`` (or ``"S05E14"`` in the title)
    rate one episode. ``result.kind`` says which it is; ``result.tv`` holds a series' years,
    seasons, networks and creators, or an episode's place in its series.

    Raises :class:`NotFound` (no such film), :class:`InvalidQuery`, :class:`ConfigurationError`
    (no usable source, a rejected key) or :class:`AllSourcesFailed`.

    Example::

        >>> result = await movieagg.arate("Blade Runner", 1982)  # doctest: +SKIP
        >>> result.score, result.movie.imdb_id                    # doctest: +SKIP
        (79.6, 'tt0083658')
    """
    from movieagg.factory import build_aggregator

    if kind is None and season is None and episode is None:
        async with build_aggregator(settings, use_cache=use_cache) as aggregator:
            try:
                return await aggregator.rate(
                    title, year, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
                )
            except NotFound as no_film:  # no film of that title: the series, as the CLI answers
                missing = no_film
        from movieagg.factory import build_runtime
        from movieagg.tvlookup import series_or

        runtime = build_runtime(settings, use_cache=use_cache)
        try:
            named = list(sources) if sources is not None else None
            return await series_or(missing, runtime, title, year, named, weights)
        finally:
            await runtime.aclose()
    from movieagg.factory import build_runtime
    from movieagg.tvlookup import rate_any

    runtime = build_runtime(settings, use_cache=use_cache)
    try:
        return await rate_any(
            runtime,
            title,
            year,
            kind=kind,
            season=season,
            episode=episode,
            sources=list(sources) if sources is not None else None,
            refresh=refresh,
            use_cache=use_cache,
            weights=weights,
        )
    finally:
        await runtime.aclose()


async def arate_imdb(
    imdb_id: str,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Rate a film by its IMDb id (async): no title matching, every source asked by that id.

    Options as for :func:`arate`; raises :class:`InvalidQuery` for a malformed id.

    Example::

        >>> result = await movieagg.arate_imdb("tt1049413")  # doctest: +SKIP
        >>> result.movie.title, result.movie.year           # doctest: +SKIP
        ('Up', 2009)
    """
    from movieagg.factory import build_aggregator

    async with build_aggregator(settings, use_cache=use_cache) as aggregator:
        return await aggregator.rate_imdb(
            imdb_id, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )


async def asearch(
    title: str, year: int | None = None, *, limit: int = 10, settings: Settings | None = None
) -> list[Candidate]:
    """Candidate films for a title, best first (async): to pick between remakes before rating.

    Each :class:`Candidate` has a title, year, IMDb id and TMDB id where the sources know them.

    Example::

        >>> [(c.title, c.year, c.imdb_id) for c in await movieagg.asearch("Dune")]  # doctest: +SKIP
        [('Dune', 2021, 'tt1160419'), ('Dune', 1984, 'tt0087182')]
    """
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
    kind: str | None = None,
    season: int | None = None,
    episode: int | None = None,
) -> RatingResult:
    """Rate a film: one aggregate score (0–100) and every source's rating.

    Matches the title (a year picks between remakes; ``"Heat (1995)"``, an IMDb id or a film
    site's URL work too), then asks every source by id; a failing source is listed in
    ``result.errors`` while the others still answer. ``sources`` limits every request to those
    adapters; ``refresh`` ignores cached ratings; ``weights`` are yours by rating or family
    (``"imdb=2,critics=0.5"``); ``kind="series"`` (or ``"episode"``, ``"any"``) and
    ``season``/``episode`` rate TV series and episodes (``movieagg.rate("Breaking Bad",
    kind="series")``). In async code use :func:`arate`. Raises :class:`NotFound`,
    :class:`InvalidQuery`, :class:`ConfigurationError` or :class:`AllSourcesFailed`.

    Example::

        >>> import movieagg
        >>> result = movieagg.rate("Up", year=2009)                 # doctest: +SKIP
        >>> result.score, [(r.label, r.value) for r in result.ratings]  # doctest: +SKIP
        (83.0, [('TMDB', 7.9), ('IMDb', 8.3), ...])
        >>> result.to_dict()  # == `movieagg rate "Up" -y 2009 --json`, "watch" aside  # doctest: +SKIP
    """
    options: dict[str, Any] = {"sources": sources, "refresh": refresh, "use_cache": use_cache}
    tv: dict[str, Any] = {"kind": kind, "season": season, "episode": episode}
    return _run(arate(title, year, weights=weights, settings=settings, **options, **tv))


def rate_imdb(
    imdb_id: str,
    *,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Weighting = None,
    settings: Settings | None = None,
) -> RatingResult:
    """Rate a film by its IMDb id: no title matching, every source asked by that id.

    Options as for :func:`rate`; in async code use :func:`arate_imdb`.

    Example::

        >>> movieagg.rate_imdb("tt0133093").movie.title  # doctest: +SKIP
        'The Matrix'
    """
    options: dict[str, Any] = {"sources": sources, "refresh": refresh, "use_cache": use_cache}
    return _run(arate_imdb(imdb_id, weights=weights, settings=settings, **options))


def search(
    title: str, year: int | None = None, *, limit: int = 10, settings: Settings | None = None
) -> list[Candidate]:
    """Candidate films for a title, best first: to pick between remakes before rating.

    Each :class:`Candidate` has a title, year, IMDb id and TMDB id where the sources know them.
    In async code use :func:`asearch`.

    Example::

        >>> [(c.year, c.imdb_id) for c in movieagg.search("Godzilla")][:2]  # doctest: +SKIP
        [(2014, 'tt0831387'), (1954, 'tt0047034')]
    """
    return _run(asearch(title, year, limit=limit, settings=settings))


async def aepisodes(
    series: str,
    year: int | None = None,
    *,
    source: str | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    settings: Settings | None = None,
) -> EpisodeGrid:
    """A series' season × episode grid of ratings (async).

    ``series``: its title, ``"Shameless (2011)"`` or its IMDb id; ``year`` (first aired) tells
    same-title series apart. ``source``: whose ratings to draw — ``"imdb"`` (through OMDb),
    ``"tmdb"`` or ``"trakt"``; by default the first configured in that order. Each season is
    cached, so asking again makes no request. A season a source fails on is left out and
    listed in ``grid.errors``. Raises :class:`NotFound`, :class:`InvalidQuery` or
    :class:`ConfigurationError`.

    Example::

        >>> grid = await movieagg.aepisodes("Breaking Bad")   # doctest: +SKIP
        >>> [s.average for s in grid.seasons]                  # doctest: +SKIP
        [8.1, 8.6, 8.6, 8.9, 9.1]
    """
    from movieagg.factory import build_runtime
    from movieagg.grids import draw_grid

    runtime = build_runtime(settings, flush=None, use_cache=use_cache)
    try:
        return await draw_grid(runtime, series, year, source=source, refresh=refresh, use_cache=use_cache)
    finally:
        await runtime.aclose()


def episodes(
    series: str,
    year: int | None = None,
    *,
    source: str | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    settings: Settings | None = None,
) -> EpisodeGrid:
    """A series' season × episode grid of ratings: ``grid.to_dict()`` is the JSON of
    ``movieagg episodes --json`` (per-season averages, best and worst, thin cells marked).
    In async code use :func:`aepisodes`.

    Example::

        >>> grid = movieagg.episodes("Breaking Bad", source="tmdb")  # doctest: +SKIP
        >>> grid.best(1)[0].title                                      # doctest: +SKIP
        'Ozymandias'
    """
    options: dict[str, Any] = {"source": source, "refresh": refresh, "use_cache": use_cache}
    return _run(aepisodes(series, year, settings=settings, **options))
