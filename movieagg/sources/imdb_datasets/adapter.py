"""The ``imdb-datasets`` rating source: IMDb rating, votes and title search from the local import.

No key and no network: every answer is a query on the SQLite file ``movieagg datasets sync``
built (reopened when a new sync swaps it in).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from movieagg.core import bounds
from movieagg.core.bounds import YEARS
from movieagg.core.config import Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import IMDB_ID_RE, Candidate, Movie, Query, Rating, SourceData
from movieagg.core.text import fold
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource, unusable
from movieagg.sources.imdb_datasets.episodes import EPISODES_SQL, SERIES_SQL, SeriesGrid, build
from movieagg.sources.imdb_datasets.files import db_path
from movieagg.sources.imdb_datasets.importer import EPISODE_TYPE, FILM_TYPES, NOT_EPISODE, SERIES_TYPES
from movieagg.sources.registry import IMDB_DATASETS

# The title types a kind of query may be answered with: a film query never gets a series.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    "movie": FILM_TYPES,
    "series": SERIES_TYPES,
    "episode": (EPISODE_TYPE,),
    "any": (*FILM_TYPES, *SERIES_TYPES, EPISODE_TYPE),
}


def _kind_sql(kind: str) -> str:
    """`` AND type IN (…)`` for a kind (the types are constants, never user text)."""
    try:
        types = KIND_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r} (movie, series, episode or any)") from None
    return " AND type IN (" + ",".join(f"'{t}'" for t in types) + ")"


def _query_kind(query: Query) -> str:
    """The kind a query asks for: ``movie`` unless the query says otherwise (Query.kind, #16)."""
    kind = getattr(query, "kind", None)
    return kind if isinstance(kind, str) and kind in KIND_TYPES else "movie"


class ImdbDatasetsSource(BaseSource, spec=IMDB_DATASETS):
    """Answers from the local import: no key, no network."""

    SEARCH_LIMIT: ClassVar[int] = 30

    def __init__(self, http: HttpClient | None = None, base_url: str | None = None, *, path: Path) -> None:
        super().__init__(http, base_url)  # type: ignore[arg-type]
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._inode: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> ImdbDatasetsSource:
        return cls(http, cls.spec.url(settings), path=db_path(settings))

    def _db(self) -> sqlite3.Connection:
        """A read-only connection, reopened when a sync swapped in a new file."""
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            raise SourceFailure(self.name, "no local import; run `movieagg datasets sync`", "auth") from None
        if self._conn is None or inode != self._inode:
            if self._conn is not None:
                self._conn.close()
            try:
                self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                self._conn.execute("PRAGMA query_only=1")
            except sqlite3.Error as exc:
                raise SourceFailure(
                    self.name, f"cannot open the local import ({exc})", "unavailable"
                ) from None
            self._inode = inode
        return self._conn

    def _query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db().execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                why = f"local import unreadable ({type(exc).__name__}); run `movieagg datasets sync`"
                raise SourceFailure(self.name, why, "malformed") from None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    _COLUMNS = "tconst, primary_title, original_title, start_year, runtime, rating, votes"

    def lookup(self, imdb_id: str, kind: str = "movie") -> SourceData | None:
        """The offline lookup by IMDb id (synchronous, well under a millisecond).

        ``kind``: movie (films and TV movies, the default), series, episode or any.
        """
        if not IMDB_ID_RE.match(imdb_id):
            return None
        rows = self._query(
            f"SELECT {self._COLUMNS} FROM titles WHERE tconst = ?{_kind_sql(kind)}",  # noqa: S608
            (int(imdb_id[2:]),),
        )
        return self._data(rows[0], exact=True) if rows else None

    def episodes_of(self, imdb_id: str) -> SeriesGrid | None:
        """A series' seasons and episodes with their IMDb ratings, offline (two indexed queries).

        None when ``imdb_id`` is not a series or mini-series of the import; SourceFailure when
        there is no import. The grid is empty when the sync had no title.episode file.
        """
        if not IMDB_ID_RE.match(imdb_id):
            return None
        tconst = int(imdb_id[2:])
        series = self._query(SERIES_SQL, (tconst,))
        if not series:
            return None
        try:
            return build(series[0], self._query(EPISODES_SQL, (tconst,)))
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable row in the local import ({exc})", "malformed") from None

    def _data(self, row: tuple[Any, ...], *, exact: bool) -> SourceData:
        """A title's row as an answer; the local file is checked like any upstream answer."""
        tconst, primary, original, year, runtime, rating, votes = row
        try:
            imdb = _imdb(tconst)
            title = bounds.text(primary, "primary title", required=True) or ""
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable row in the local import ({exc})", "malformed") from None
        ratings: tuple[Rating, ...] = ()
        with bounds.dropping("IMDb rating dropped"):
            count = bounds.count(votes, "numVotes")
            value = bounds.number(rating, "averageRating", 0, 10)
            if value is not None and count:
                ratings = (Rating.checked("imdb", "IMDb", value, 10.0, count, self.name),)
        movie = Movie(
            title=title,
            year=bounds.lenient(bounds.whole, year, "startYear", lo=YEARS[0], hi=YEARS[1]),
            imdb_id=imdb,
            original_title=bounds.lenient(bounds.text, original, "originalTitle"),
            runtime=bounds.lenient(bounds.whole, runtime, "runtimeMinutes", lo=1, hi=bounds.RUNTIMES[1])
            if runtime != 0
            else None,
        )
        return SourceData(self.name, ratings, movie, exact=exact)

    async def fetch(self, movie: Movie) -> SourceData | None:
        if movie.imdb_id:
            return self.lookup(movie.imdb_id)
        if not movie.title:
            return None
        # Known only by title (another resolver's TMDB id): the best exact-title film.
        norm = fold(movie.title)
        params: list[Any] = [norm]
        year_clause = ""
        if movie.year is not None:
            year_clause = " AND start_year BETWEEN ? AND ?"
            params += [movie.year - 1, movie.year + 1]
        rows = self._query(
            f"SELECT {self._COLUMNS} FROM titles WHERE norm = ? AND {NOT_EPISODE}{year_clause}"  # noqa: S608
            f"{_kind_sql('movie')} "
            "ORDER BY coalesce(votes, 0) DESC LIMIT 1",
            params,
        )
        return self._data(rows[0], exact=False) if rows else None

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        norm = fold(query.title)
        if not norm:
            return []
        kind_sql = _kind_sql(_query_kind(query))
        year_sql, year_params = "", []
        if query.year is not None:
            year_sql = " AND t.start_year BETWEEN ? AND ?"
            year_params = [query.year - 1, query.year + 1]
        exact = self._query(
            f"SELECT t.tconst FROM titles t WHERE t.norm = ? AND {NOT_EPISODE}{year_sql} UNION "  # noqa: S608
            f"SELECT a.tconst FROM akas a JOIN titles t ON t.tconst = a.tconst WHERE a.norm = ?{year_sql}",
            [norm, *year_params, norm, *year_params],
        )
        words = " ".join('"' + w.replace('"', '""') + '"' for w in norm.split())
        fuzzy = self._query(
            "SELECT t.tconst FROM titles_fts f JOIN titles t ON t.tconst = f.rowid "  # noqa: S608
            f"WHERE titles_fts MATCH ?{year_sql} ORDER BY f.rank LIMIT ?",
            [words, *year_params, self.SEARCH_LIMIT],
        )
        ids = list(dict.fromkeys([r[0] for r in exact] + [r[0] for r in fuzzy]))[: self.SEARCH_LIMIT]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._query(
            f"SELECT {self._COLUMNS} FROM titles WHERE tconst IN ({marks}){kind_sql} "  # noqa: S608
            "ORDER BY coalesce(votes, 0) DESC",
            ids,
        )
        aliases: dict[int, list[str]] = {}
        for tconst, title in self._query(f"SELECT tconst, title FROM akas WHERE tconst IN ({marks})", ids):  # noqa: S608
            aliases.setdefault(tconst, []).append(title)
        candidates = []
        for rank, (tconst, primary, original, year, _runtime, _rating, votes) in enumerate(rows):
            with bounds.dropping("search result ignored"):
                candidates.append(
                    Candidate(
                        title=bounds.text(primary, "primary title", required=True) or "",
                        year=bounds.lenient(bounds.whole, year, "startYear", lo=YEARS[0], hi=YEARS[1]),
                        source=self.name,
                        imdb_id=_imdb(tconst),
                        original_title=bounds.lenient(bounds.text, original, "originalTitle"),
                        aliases=tuple(a for a in aliases.get(tconst, ()) if isinstance(a, str))[:20],
                        votes=bounds.lenient(bounds.count, votes, "numVotes"),
                        rank=rank,
                    )
                )
        if rows and not candidates:
            raise unusable(self.name, "no usable title in the local import")
        return candidates[: max(limit, 10)]

    async def suggest(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        """Titles whose words begin like the query's ("did you mean"), the most voted first."""
        norm = fold(query.title)
        if not norm:
            return []
        words = " ".join('"' + w.replace('"', '""') + '"*' for w in norm.split())
        rows = self._query(
            f"SELECT {self._COLUMNS} FROM titles WHERE tconst IN (SELECT rowid FROM titles_fts "  # noqa: S608
            f"WHERE titles_fts MATCH ?){_kind_sql(_query_kind(query))} "
            "ORDER BY coalesce(votes, 0) DESC LIMIT ?",
            [words, max(limit, 10)],
        )
        candidates = []
        for rank, (tconst, title, original, year, _runtime, _rating, votes) in enumerate(rows):
            with bounds.dropping("suggestion ignored"):  # values checked as search() checks them
                candidates.append(
                    Candidate(
                        title=bounds.text(title, "primary title", required=True) or "",
                        year=bounds.lenient(bounds.whole, year, "startYear", lo=YEARS[0], hi=YEARS[1]),
                        source=self.name,
                        imdb_id=_imdb(tconst),
                        original_title=bounds.lenient(bounds.text, original, "originalTitle"),
                        votes=bounds.lenient(bounds.count, votes, "numVotes"),
                        rank=rank,
                    )
                )
        return candidates


def _imdb(tconst: object) -> str:
    """The IMDb id of a row's numeric key (``83658`` → ``tt0083658``)."""
    number = bounds.whole(tconst, "tconst", 1, 99_999_999, required=True)
    return f"tt{number:07d}"
