"""Everything about each source, as data: what it is, what it needs, how to treat it.

A :class:`SourceSpec` carries all a source's knowledge that lives outside its adapter's
requests: its label, key names (secrets), sign-up URL, default base URL, whether and how
authoritatively it resolves titles, which copy wins when two sources report the same rating,
its default rate limit and daily quota, and where its adapter class is. Naming, checking and
listing sources therefore imports no adapter (nor httpx); :class:`~movieagg.sources.lazy.LazySource`
builds one on first use. Third-party adapters register a SourceSpec under the entry-point group
``movieagg.sources``; they are looked up only when a name is not a built-in or when every
source is listed.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from movieagg.core.config import Settings
from movieagg.sources.limits import Limit

log = logging.getLogger("movieagg.sources")
ENTRY_POINT_GROUP = "movieagg.sources"
LAST = 99  # authority / preference of a source that states none


@dataclass(frozen=True)
class SourceSpec:
    """One source: what a user needs to know about it and how movieagg treats it."""

    name: str
    label: str
    target: str  # "package.module:Class"; the class has from_settings(settings, http)
    provides: str
    keys: tuple[str, ...] = ()  # any one of these settings (secrets) configures it; () = keyless
    signup_url: str | None = None
    default_url: str = ""  # base URL; MOVIEAGG_<NAME>_URL overrides it (proxies, fakes)
    more_urls: Mapping[str, str] = field(default_factory=dict)  # other endpoints: setting stem → URL
    can_search: bool = False
    # Lower resolves first: the best title matcher picks the film (TMDB, then OMDb, …).
    authority: int = LAST
    # Its search finds titles by their beginning (Wikidata's wbsearchentities, the offline
    # IMDb datasets' index): "did you mean" asks it with a prefix of a title nothing matched.
    prefix_search: bool = False
    # When two sources report the same rating (Rotten Tomatoes via OMDb and via Wikidata),
    # the copy from the source with the lower preference counts; the other weighs 0.
    preference: int = LAST
    rate_limit: Limit | None = None  # default politeness (MOVIEAGG_<NAME>_RATE_LIMIT overrides)
    daily_limit: int | None = None  # default daily quota (MOVIEAGG_<NAME>_DAILY_LIMIT overrides)
    quota_spent: Callable[[int, Any], bool] | None = None  # how the service says its quota is spent
    default_on: bool = True  # used by default when configured
    # A local file (in the data dir) the adapter reads; configured only once it exists.
    requires_file: str | None = None
    setup_hint: str | None = None  # how to create it, shown by `movieagg sources`
    # The kind of film it knows only ("anime"): asked only for such a film, or when named
    # (movieagg.core.gating); None: any film.
    only_for: str | None = None

    def configured(self, settings: Settings) -> bool:
        if self.requires_file is not None and not (settings.dir("data") / self.requires_file).is_file():
            return False
        return not self.keys or settings.configured(self.keys)

    def needs(self) -> str:
        if self.setup_hint:
            return self.setup_hint
        if not self.keys:
            return "nothing (keyless)"
        where = f"; get one at {self.signup_url}" if self.signup_url else ""
        return f"set {' or '.join(self.keys)}{where}"

    def url(self, settings: Settings, which: str | None = None) -> str:
        """The base URL in effect (``which``: one of :attr:`more_urls`)."""
        if which is None:
            return settings.url(self.name, self.default_url)
        return settings.url(which, self.more_urls[which])

    def load(self) -> Any:
        module_name, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module_name), attr)


def omdb_quota_spent(status: int, body: Any) -> bool:
    """OMDb says a key's daily quota is spent with ``{"Error": "Request limit reached!"}`` (401)."""
    if not isinstance(body, dict) or str(body.get("Response", "")).lower() != "false":
        return False
    return "limit" in str(body.get("Error", "")).lower()


TMDB = SourceSpec(
    "tmdb",
    "TMDB",
    "movieagg.sources.tmdb:TMDBSource",
    "TMDB user score; best title matching",
    keys=("TMDB_API_KEY", "TMDB_ACCESS_TOKEN"),
    signup_url="https://www.themoviedb.org/settings/api",
    default_url="https://api.themoviedb.org/3",
    can_search=True,
    authority=1,
    preference=2,
    rate_limit=Limit(40, 1.0),  # TMDB allows ~40-50/s per IP, 429 beyond
)
OMDB = SourceSpec(
    "omdb",
    "OMDb",
    "movieagg.sources.omdb:OMDbSource",
    "IMDb rating and votes, Rotten Tomatoes, Metacritic",
    keys=("OMDB_API_KEY",),
    signup_url="https://www.omdbapi.com/apikey.aspx",
    default_url="https://www.omdbapi.com/",
    can_search=True,
    authority=2,
    preference=1,
    rate_limit=Limit(30, 1.0),
    daily_limit=1000,  # the free key's daily quota
    quota_spent=omdb_quota_spent,
)
TRAKT = SourceSpec(
    "trakt",
    "Trakt",
    "movieagg.sources.trakt:TraktSource",
    "Trakt community rating and votes",
    keys=("TRAKT_CLIENT_ID",),
    signup_url="https://trakt.tv/oauth/applications/new",
    default_url="https://api.trakt.tv",
    can_search=True,
    authority=4,
    preference=3,
    # A long window: bursts are fine (10/s at most) until the 5-minute budget is used up.
    # Trakt lowered its GET limit to 500 per 5 minutes in 2026 (maintainer, trakt/trakt-api#909);
    # going over blocks every call for 5 minutes, so stay under it.
    rate_limit=Limit(500, 300.0, min_interval=0.1, smooth=False),
)
IMDB_DATASETS = SourceSpec(
    "imdb-datasets",
    "IMDb datasets",
    "movieagg.sources.imdb_datasets:ImdbDatasetsSource",
    "IMDb rating and votes offline, from IMDb's non-commercial datasets (keyless)",
    default_url="https://datasets.imdbws.com/",
    can_search=True,
    authority=3,
    preference=4,
    prefix_search=True,
    requires_file="imdb-datasets.sqlite3",
    setup_hint="run `movieagg datasets sync` once (keyless; personal, non-commercial use)",
)
WIKIDATA = SourceSpec(
    "wikidata",
    "Wikidata",
    "movieagg.sources.wikidata:WikidataSource",
    "Rotten Tomatoes, Metacritic, IMDb review scores (keyless, patchy coverage)",
    default_url="https://query.wikidata.org/sparql",
    more_urls={"wikidata_api": "https://www.wikidata.org/w/api.php"},
    can_search=True,
    authority=5,
    preference=5,
    prefix_search=True,
    rate_limit=Limit(30, 1.0, concurrency=5),  # WDQS policy: ≤ 5 parallel queries per client
)

# The anime sources know only anime: they are asked when TMDB says a film is animation or an
# East Asian production (movieagg.core.gating), or when named with --source. Neither resolves
# titles: each finds the resolved film by its titles, and its match must agree on title, year
# and format (a film is AniList's MOVIE, MyAnimeList's "Movie") or its rating is left out.
ANILIST = SourceSpec(
    "anilist",
    "AniList",
    "movieagg.sources.anilist:AniListSource",
    "AniList average score (anime and East Asian films only; keyless)",
    default_url="https://graphql.anilist.co",
    authority=6,
    preference=6,
    rate_limit=Limit(90, 60.0),  # AniList's stated 90/min (lowered to 30/min at times: 429s teach)
    only_for="anime",
)
JIKAN = SourceSpec(
    "jikan",
    "MyAnimeList",
    "movieagg.sources.jikan:JikanSource",
    "MyAnimeList score and votes via Jikan (anime and East Asian films only; keyless)",
    default_url="https://api.jikan.moe/v4",
    authority=7,
    preference=7,
    # Jikan: 60 a minute and 3 a second, both at once.
    rate_limit=Limit(60, 60.0, smooth=False, also=(Limit(3, 1.0),)),
    only_for="anime",
)

BUILTINS: dict[str, SourceSpec] = {
    spec.name: spec for spec in (TMDB, OMDB, TRAKT, IMDB_DATASETS, WIKIDATA, ANILIST, JIKAN)
}


def _may_have_plugins() -> bool:
    """Whether any installed distribution may declare a ``movieagg.sources`` entry point.

    A plain read of the ``entry_points.txt`` files that importlib.metadata would parse, looking
    for the group's name — far cheaper than importing importlib.metadata (email, zipfile, …)
    and parsing every distribution, which every ``movieagg rate`` would otherwise pay for.
    Conservative: a zip on the path or a distribution finder of another kind answers True.
    """
    import importlib.machinery

    if any(
        hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder
        for finder in sys.meta_path
    ):
        return True
    needle = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except NotADirectoryError:
            return True  # a zip (an egg): let importlib.metadata look inside
        except OSError:
            continue
        with listing:
            for item in listing:
                if not item.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(item.path, "entry_points.txt"), "rb") as fh:
                        if needle in fh.read():
                            return True
                except OSError:
                    continue
    return False


def plugin_specs() -> dict[str, SourceSpec]:
    """Specs registered by installed packages; a broken plugin is logged and skipped."""
    if not _may_have_plugins():
        return {}
    from importlib.metadata import entry_points

    found: dict[str, SourceSpec] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = ep.load()
        except Exception as exc:
            log.warning("source plugin %s failed to load (%s)", ep.name, type(exc).__name__)
            continue
        if isinstance(spec, SourceSpec) and spec.name not in BUILTINS:
            found[spec.name] = spec
    return found


def all_specs(include_plugins: bool = True) -> dict[str, SourceSpec]:
    specs = dict(BUILTINS)
    if include_plugins:
        specs.update(plugin_specs())
    return specs


def default_limits(specs: Mapping[str, SourceSpec] | None = None) -> dict[str, Limit | None]:
    """Each source's default rate limit (built-ins unless ``specs`` are given)."""
    return {name: spec.rate_limit for name, spec in (specs or BUILTINS).items() if spec.rate_limit}


def resolver_order(specs: Sequence[SourceSpec]) -> tuple[str, ...]:
    """Names of the sources that resolve titles, most authoritative first."""
    return tuple(s.name for s in sorted((s for s in specs if s.can_search), key=lambda s: s.authority))


def rating_preference(specs: Sequence[SourceSpec]) -> tuple[str, ...]:
    """Names of the sources, the one whose copy of a shared rating counts first."""
    return tuple(s.name for s in sorted(specs, key=lambda s: s.preference))
