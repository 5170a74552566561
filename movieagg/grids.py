"""Drawing a series' episode grid from a runtime: the one way the CLI, the library and the API
do it (which source draws the ratings, which cache keeps the seasons).

``--source imdb`` draws IMDb's ratings: from the local IMDb datasets database when it is
configured and holds the series' episodes (``ImdbDatasetsSource.episodes_of``), else through
OMDb. ``tmdb`` and ``trakt`` draw theirs. With no choice: imdb when OMDb (or the datasets) is
configured, else tmdb, else trakt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from movieagg.core.episodes import EPISODE_SOURCES, EpisodeGrid, GridFetcher
from movieagg.core.errors import ConfigurationError, InvalidQuery
from movieagg.core.query import parse_query

if TYPE_CHECKING:
    from movieagg.core.protocols import Cache
    from movieagg.factory import Runtime

# Where each drawn rating comes from (the adapter that must be configured).
_NEEDS = {"imdb": "omdb", "tmdb": "tmdb", "trakt": "trakt"}


def choose_rating(requested: str | None, configured: dict[str, Any]) -> str:
    """The rating a grid draws: the one asked for (must be usable), else the first usable."""
    if requested is not None:
        if requested not in EPISODE_SOURCES:
            raise InvalidQuery(
                f"--source must be one of {', '.join(EPISODE_SOURCES)}, not {requested[:20]!r}"
            )
        if _NEEDS[requested] not in configured and not (requested == "imdb" and _datasets(configured)):
            raise ConfigurationError(
                f"{requested} episode ratings need the {_NEEDS[requested]} source (see 'movieagg sources')"
            )
        return requested
    for rating in EPISODE_SOURCES:
        if _NEEDS[rating] in configured or (rating == "imdb" and _datasets(configured)):
            return rating
    raise ConfigurationError("episode ratings need OMDb, TMDB or Trakt configured (see 'movieagg sources')")


def _datasets(configured: dict[str, Any]) -> Any:
    """``episodes_of(parent_tconst)`` over the configured IMDb datasets source (its local
    database), as the rows :class:`movieagg.sources.tv.DatasetsEpisodes` reads; None when that
    source is not configured. A series the import lacks gives no rows (the online source draws)."""
    source = configured.get("imdb-datasets")
    if source is None:
        return None

    def episodes_of(parent: str) -> list[Any]:
        adapter: Any = getattr(source, "adapter", source)  # a LazySource builds it now
        grid = adapter.episodes_of(parent)
        if grid is None:
            return []
        return [episode for _number, episodes in grid.seasons for episode in episodes]

    return episodes_of


def fetcher(runtime: Runtime, rating: str | None = None, *, cache: Cache | None = None) -> GridFetcher:
    from movieagg.sources.tv import episode_source

    sources = dict(runtime.aggregator.sources)
    chosen = choose_rating(rating, sources)
    source: Any = episode_source(chosen, sources)
    offline = _datasets(sources) if chosen == "imdb" else None
    if offline is not None:  # IMDb's ratings from the local datasets; identity from OMDb or TMDB
        from movieagg.sources.tv import DatasetsEpisodes

        source = DatasetsEpisodes(offline, source or episode_source("tmdb", sources))
    if source is None:  # pragma: no cover - choose_rating checked it
        raise ConfigurationError(f"no source draws {chosen} episode ratings")
    return GridFetcher(
        source,
        cache if cache is not None else runtime.cache,
        ttl=runtime.settings.ratings_ttl,
    )


async def draw_grid(
    runtime: Runtime,
    text: str,
    year: object = None,
    *,
    source: str | None = None,
    refresh: bool = False,
    use_cache: bool = True,
) -> EpisodeGrid:
    """The grid of the series ``text`` names (a title, ``Title (2008)`` or an IMDb id)."""
    parsed = parse_query(text, year)
    grids = fetcher(runtime, source)
    if not use_cache:
        grids.cache = None
    if parsed.kind == "imdb":
        return await grids.grid(imdb_id=parsed.imdb_id, refresh=refresh)
    if parsed.kind != "title":
        raise InvalidQuery("give the series by title or IMDb id (tt…)")
    return await grids.grid(title=parsed.query.title, year=parsed.query.year, refresh=refresh)
