"""Which adapters exist, what each needs, and how to load one only when it is used.

Built-ins are listed here as data, so naming and checking them imports no adapter (nor
httpx). Third-party adapters register a :class:`SourceSpec` under the entry-point group
``movieagg.sources``; they are looked up only when a name is not a built-in or when every
adapter is listed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from movieagg.core.config import Settings
from movieagg.core.models import Candidate, Movie, Query, SourceData

if TYPE_CHECKING:
    from movieagg.sources._http import HttpClient
    from movieagg.sources.base import BaseSource

log = logging.getLogger("movieagg.sources")
ENTRY_POINT_GROUP = "movieagg.sources"


@dataclass(frozen=True)
class SourceSpec:
    """What a user needs to know about an adapter, and where its code lives."""

    name: str
    label: str
    target: str  # "package.module:Class"; the class has from_settings(settings, http)
    provides: str
    keys: tuple[str, ...] = ()  # any one of these env vars configures it; () = keyless
    signup_url: str | None = None
    can_search: bool = False
    default_on: bool = True  # used by default when configured
    # A local file (in the data dir) the adapter reads; configured only once it exists.
    requires_file: str | None = None
    setup_hint: str | None = None  # how to create it, shown by `movieagg sources`

    def configured(self, settings: Settings) -> bool:
        if self.requires_file is not None and not (settings.dir("data") / self.requires_file).is_file():
            return False
        return not self.keys or any(settings.get(k) for k in self.keys)

    def needs(self) -> str:
        if self.setup_hint:
            return self.setup_hint
        if not self.keys:
            return "nothing (keyless)"
        where = f"; get one at {self.signup_url}" if self.signup_url else ""
        return f"set {' or '.join(self.keys)}{where}"

    def load(self) -> Any:
        module_name, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module_name), attr)


BUILTINS: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            "tmdb",
            "TMDB",
            "movieagg.sources.tmdb:TMDBSource",
            "TMDB user score; best title matching",
            keys=("TMDB_API_KEY", "TMDB_ACCESS_TOKEN"),
            signup_url="https://www.themoviedb.org/settings/api",
            can_search=True,
        ),
        SourceSpec(
            "omdb",
            "OMDb",
            "movieagg.sources.omdb:OMDbSource",
            "IMDb rating and votes, Rotten Tomatoes, Metacritic",
            keys=("OMDB_API_KEY",),
            signup_url="https://www.omdbapi.com/apikey.aspx",
            can_search=True,
        ),
        SourceSpec(
            "trakt",
            "Trakt",
            "movieagg.sources.trakt:TraktSource",
            "Trakt community rating and votes",
            keys=("TRAKT_CLIENT_ID",),
            signup_url="https://trakt.tv/oauth/applications/new",
            can_search=True,
        ),
        SourceSpec(
            "imdb-datasets",
            "IMDb datasets",
            "movieagg.sources.imdb_datasets:ImdbDatasetsSource",
            "IMDb rating and votes offline, from IMDb's non-commercial datasets (keyless)",
            can_search=True,
            requires_file="imdb-datasets.sqlite3",
            setup_hint="run `movieagg datasets sync` once (keyless; personal, non-commercial use)",
        ),
        SourceSpec(
            "wikidata",
            "Wikidata",
            "movieagg.sources.wikidata:WikidataSource",
            "Rotten Tomatoes, Metacritic, IMDb review scores (keyless, patchy coverage)",
            can_search=True,
        ),
    )
}


def plugin_specs() -> dict[str, SourceSpec]:
    """Specs registered by installed packages; a broken plugin is logged and skipped."""
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


class LazySource:
    """A RatingSource that imports and builds its adapter on first use (not on a cache hit)."""

    def __init__(self, spec: SourceSpec, settings: Settings, http: HttpClient) -> None:
        self.spec = spec
        self.name = spec.name
        self.label = spec.label
        self.can_search = spec.can_search
        self._settings = settings
        self._http = http
        self._adapter: BaseSource | None = None

    @property
    def adapter(self) -> BaseSource:
        if self._adapter is None:
            cls = self.spec.load()
            self._adapter = cls.from_settings(self._settings, self._http)
        return self._adapter

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        return await self.adapter.search(query, limit)

    async def fetch(self, movie: Movie) -> SourceData | None:
        return await self.adapter.fetch(movie)
