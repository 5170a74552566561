"""What a rating answer says about a TV series or an episode beyond a film's identity: its years,
counts, networks and creators, or an episode's place in its series (``tv`` in the JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from movieagg.core import bounds
from movieagg.core.bounds import Invalid

TitleKind = Literal["movie", "series", "episode"]
KINDS: tuple[TitleKind, ...] = ("movie", "series", "episode")
KIND_LABELS = {"movie": "film", "series": "TV series", "episode": "TV episode"}
MAX_SEASONS, MAX_EPISODES_TOTAL = 80, 20_000


def kind_of(raw: object) -> TitleKind:
    """A stored kind; absent (answers stored before #16) is a film."""
    if raw is None:
        return "movie"
    for kind in KINDS:
        if raw == kind:
            return kind
    raise Invalid(f"kind {bounds.show(raw)} is not movie, series or episode")


@dataclass(frozen=True, slots=True)
class TVInfo:
    """A series' facts (years, seasons, episodes, networks, creators) or an episode's place
    (season, episode, and the series it belongs to)."""

    years: str | None = None  # "2008–2013"; a running series "2014–"
    seasons: int | None = None
    episodes: int | None = None
    networks: tuple[str, ...] = ()
    creators: tuple[str, ...] = ()
    season: int | None = None  # an episode's
    episode: int | None = None
    series_imdb_id: str | None = None
    series_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        series = None
        if self.series_imdb_id is not None:
            series = {"imdb_id": self.series_imdb_id, "title": self.series_title}
        return {
            "years": self.years,
            "seasons": self.seasons,
            "episodes": self.episodes,
            "networks": list(self.networks),
            "creators": list(self.creators),
            "season": self.season,
            "episode": self.episode,
            "series": series,
        }

    @classmethod
    def from_dict(cls, data: object) -> TVInfo:
        """Inverse of to_dict; raises Invalid for a wrong type or a value out of range."""
        if not isinstance(data, dict):
            raise Invalid("tv is not an object")

        def names(key: str) -> tuple[str, ...]:
            value = data.get(key) or []
            if not isinstance(value, list) or len(value) > 20:
                raise Invalid(f"{key} is not a short list of names")
            return tuple(bounds.text(v, key, required=True) or "" for v in value)

        series = data.get("series")
        if series is not None and not isinstance(series, dict):
            raise Invalid("series is not an object")
        return cls(
            years=bounds.text(data.get("years"), "years", limit=20),
            seasons=bounds.whole(data.get("seasons"), "seasons", 0, MAX_SEASONS),
            episodes=bounds.whole(data.get("episodes"), "episodes", 0, MAX_EPISODES_TOTAL),
            networks=names("networks"),
            creators=names("creators"),
            season=bounds.whole(data.get("season"), "season", 0, MAX_SEASONS),
            episode=bounds.whole(data.get("episode"), "episode", 0, 400),
            series_imdb_id=bounds.imdb_id(series.get("imdb_id"), required=True) if series else None,
            series_title=bounds.text(series.get("title"), "series title") if series else None,
        )
