"""A series' seasons and episodes from the local import: the offline grid (#16).

Kept apart from the adapter so the grid's shape (and its JSON) has one home; the adapter runs the
two queries and hands their rows here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from movieagg.core import bounds
from movieagg.core.bounds import YEARS

# One query for the whole grid: the episodes index is (parent, season, episode).
EPISODES_SQL = (
    "SELECT e.season, e.episode, e.tconst, t.primary_title, t.start_year, t.rating, t.votes "
    "FROM episodes e LEFT JOIN titles t ON t.tconst = e.tconst WHERE e.parent = ? "
    "ORDER BY e.season, e.episode"
)
SERIES_SQL = (
    "SELECT tconst, primary_title, type, start_year, end_year, rating, votes FROM titles "
    "WHERE tconst = ? AND type IN ('tvSeries', 'tvMiniSeries')"
)


@dataclass(frozen=True)
class Episode:
    """One episode: its place in the series, its IMDb id, title, year, and IMDb rating."""

    season: int
    episode: int
    imdb_id: str
    title: str | None
    year: int | None
    rating: float | None
    votes: int | None


@dataclass(frozen=True)
class SeriesGrid:
    """A series and its numbered episodes by season (ascending); ``unnumbered``: IMDb gave no number."""

    imdb_id: str
    title: str
    kind: str  # tvSeries or tvMiniSeries
    start_year: int | None
    end_year: int | None
    rating: float | None
    votes: int | None
    seasons: tuple[tuple[int, tuple[Episode, ...]], ...]
    unnumbered: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "imdb_id": self.imdb_id,
            "title": self.title,
            "kind": self.kind,
            "start_year": self.start_year,
            "end_year": self.end_year,
            "rating": self.rating,
            "votes": self.votes,
            "seasons": [
                {
                    "season": number,
                    "episodes": [
                        {
                            "episode": e.episode,
                            "imdb_id": e.imdb_id,
                            "title": e.title,
                            "year": e.year,
                            "rating": e.rating,
                            "votes": e.votes,
                        }
                        for e in episodes
                    ],
                }
                for number, episodes in self.seasons
            ],
            "unnumbered": self.unnumbered,
        }


def imdb_id(tconst: object) -> str:
    """The IMDb id of a row's numeric key (``903747`` → ``tt0903747``)."""
    number = bounds.whole(tconst, "tconst", 1, 99_999_999, required=True)
    return f"tt{number:07d}"


def _rating(rating: object, votes: object) -> tuple[float | None, int | None]:
    with bounds.dropping("IMDb rating dropped"):
        value = bounds.number(rating, "averageRating", 0, 10)
        count = bounds.count(votes, "numVotes")
        if value is not None and count:
            return value, count
    return None, None


def build(series: tuple[Any, ...], rows: Iterable[tuple[Any, ...]]) -> SeriesGrid:
    """The grid from the series row (SERIES_SQL) and its episode rows (EPISODES_SQL).

    Values are checked as any upstream answer is; an episode with no season or number is counted
    in ``unnumbered``, one with an unusable row is left out.
    """
    tconst, title, kind, start, end, rating, votes = series
    seasons: dict[int, list[Episode]] = {}
    unnumbered = 0
    for season, number, episode_id, ep_title, year, ep_rating, ep_votes in rows:
        if season is None or number is None:
            unnumbered += 1
            continue
        with bounds.dropping("episode ignored"):
            value, count = _rating(ep_rating, ep_votes)
            seasons.setdefault(season, []).append(
                Episode(
                    season=bounds.whole(season, "seasonNumber", 0, 10_000, required=True) or 0,
                    episode=bounds.whole(number, "episodeNumber", 0, 100_000, required=True) or 0,
                    imdb_id=imdb_id(episode_id),
                    title=bounds.lenient(bounds.text, ep_title, "primaryTitle"),
                    year=bounds.lenient(bounds.whole, year, "startYear", lo=YEARS[0], hi=YEARS[1]),
                    rating=value,
                    votes=count,
                )
            )
    value, count = _rating(rating, votes)
    return SeriesGrid(
        imdb_id=imdb_id(tconst),
        title=bounds.text(title, "primary title", required=True) or "",
        kind=kind,
        start_year=bounds.lenient(bounds.whole, start, "startYear", lo=YEARS[0], hi=YEARS[1]),
        end_year=bounds.lenient(bounds.whole, end, "endYear", lo=YEARS[0], hi=YEARS[1]),
        rating=value,
        votes=count,
        seasons=tuple((n, tuple(eps)) for n, eps in sorted(seasons.items())),
        unnumbered=unnumbered,
    )
