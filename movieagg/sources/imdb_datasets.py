"""IMDb's non-commercial datasets, offline: IMDb rating and votes by IMDb id, and title search.

``movieagg datasets sync`` imports ``title.basics.tsv.gz``, ``title.ratings.tsv.gz`` and,
optionally, ``title.akas.tsv.gz`` (downloaded from MOVIEAGG_IMDB_DATASETS_URL, default
https://datasets.imdbws.com/, or read from a directory) into ``imdb-datasets.sqlite3`` in the
data directory (MOVIEAGG_HOME when set):

* streaming, constant memory: gzip → lines → batches of rows into SQLite; quoting disabled
  (split on tabs: titles carry quotes as they are), ``\\N`` is null;
* movies and TV movies only; malformed lines are skipped and counted, never fatal;
* an FTS5 index over primary, original and alternative titles, plus a normalised-title index
  for exact matches;
* built in a temporary file and swapped in with an atomic rename, so an interrupted sync
  leaves the previous import in use.

Information courtesy of IMDb (https://www.imdb.com). Used with permission. The datasets are
for personal and non-commercial use only: https://developer.imdb.com/non-commercial-datasets/
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError, SourceFailure
from movieagg.core.matching import fold
from movieagg.core.models import IMDB_ID_RE, Candidate, Movie, Query, Rating, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.base import BaseSource

DB_FILE = "imdb-datasets.sqlite3"
DEFAULT_URL = "https://datasets.imdbws.com/"
BASICS, RATINGS, AKAS = "title.basics.tsv.gz", "title.ratings.tsv.gz", "title.akas.tsv.gz"
KEEP_TYPES = frozenset({b"movie", b"tvMovie"})
ATTRIBUTION = "Information courtesy of IMDb (https://www.imdb.com). Used with permission."
LICENCE = (
    "IMDb's datasets are for personal and non-commercial use only "
    "(https://developer.imdb.com/non-commercial-datasets/)."
)
BATCH_ROWS = 20_000
BASICS_COLUMNS = (
    b"tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres"
)
RATINGS_COLUMNS = b"tconst\taverageRating\tnumVotes"
AKAS_COLUMNS = b"titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle"
NULL = b"\\N"

Progress = Callable[[str, int, int | None], None]  # (phase, done, total) in compressed bytes


def db_path(settings: Settings) -> Path:
    return settings.dir("data") / DB_FILE


# ---------------------------------------------------------------------------- import


@dataclass
class ImportStats:
    basics_rows: int = 0
    titles: int = 0
    ratings_rows: int = 0
    rated: int = 0
    akas_rows: int = 0
    akas: int = 0
    malformed: dict[str, int] = field(default_factory=lambda: {BASICS: 0, RATINGS: 0, AKAS: 0})
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def basics_rate(self) -> float:
        """title.basics rows read per second (the import's speed figure)."""
        took = self.seconds.get(BASICS, 0.0)
        return self.basics_rows / took if took > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "basics_rows": self.basics_rows,
            "titles": self.titles,
            "ratings_rows": self.ratings_rows,
            "rated": self.rated,
            "akas_rows": self.akas_rows,
            "akas": self.akas,
            "malformed": dict(self.malformed),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "basics_rows_per_second": round(self.basics_rate),
        }


class DatasetError(ConfigurationError):
    """A dataset file is missing, not gzip, or not in IMDb's format."""


SCHEMA = """
CREATE TABLE titles (
    tconst INTEGER PRIMARY KEY, type TEXT NOT NULL, primary_title TEXT NOT NULL, original_title TEXT,
    norm TEXT NOT NULL, is_adult INTEGER, start_year INTEGER, runtime INTEGER, genres TEXT,
    rating REAL, votes INTEGER
);
CREATE TABLE akas (tconst INTEGER NOT NULL, title TEXT NOT NULL, norm TEXT NOT NULL, region TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _open_gzip(path: Path) -> tuple[Any, Any]:
    """(line reader, raw file) for a .tsv.gz: the raw file's position is the progress."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        raise DatasetError(f"missing dataset file {path}") from None
    magic = raw.read(2)
    raw.seek(0)
    if magic != b"\x1f\x8b":
        raw.close()
        raise DatasetError(f"{path.name} is not a gzip file (an HTML error page instead of the dataset?)")
    return gzip.GzipFile(fileobj=raw, mode="rb"), raw


def _header(reader: Any, expected: bytes, name: str) -> None:
    try:
        first = reader.readline().rstrip(b"\r\n")
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{name}: the file is damaged or truncated ({type(exc).__name__})") from None
    if first != expected:
        raise DatasetError(f"{name}: unexpected header {first[:120]!r} (is this IMDb's {name}?)")


def _int_or_none(value: bytes) -> int | None:
    if value == NULL:
        return None
    if not value.isdigit():
        raise ValueError
    return int(value)


def _tconst(value: bytes) -> int:
    if not value.startswith(b"tt") or not value[2:].isdigit() or not 7 <= len(value) - 2 <= 9:
        raise ValueError
    return int(value[2:])


def _load(
    conn: sqlite3.Connection,
    path: Path,
    name: str,
    columns: bytes,
    sql: str,
    parse: Callable[[bytes], tuple[Any, ...] | None],
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Stream one .tsv.gz through ``parse`` into ``sql`` in batches: (lines, malformed, changed).

    ``parse`` returns the SQL parameters for a line, None for a line that is not wanted (not a
    film; no exception on this path: it is most lines), and raises ValueError (UnicodeDecodeError
    is one) for a malformed line — skipped and counted, never fatal.
    """
    reader, raw = _open_gzip(path)
    total = path.stat().st_size
    batch: list[tuple[Any, ...]] = []
    lines = malformed = 0
    before = conn.total_changes
    try:
        _header(reader, columns, name)
        for line in reader:
            lines += 1
            try:
                row = parse(line)
            except ValueError:  # UnicodeDecodeError is one
                malformed += 1
                continue
            if row is None:
                continue
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                conn.executemany(sql, batch)
                batch.clear()
                if progress is not None:
                    progress(name, raw.tell(), total)
        if batch:
            conn.executemany(sql, batch)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatasetError(f"{name}: the file is damaged or truncated ({type(exc).__name__})") from None
    finally:
        reader.close()
        raw.close()
    if progress is not None:
        progress(name, total, total)
    return lines, malformed, conn.total_changes - before


def _basics_row(line: bytes) -> tuple[Any, ...] | None:
    # Most rows are TV episodes: look at the type before splitting the whole line.
    head = line.split(b"\t", 2)
    if len(head) < 3 or head[1] not in KEEP_TYPES:
        if line.count(b"\t") != 8:
            raise ValueError
        return None
    parts = line.rstrip(b"\r\n").split(b"\t")
    if len(parts) != 9:
        raise ValueError
    primary = parts[2].decode()
    if not primary or primary == "\\N":
        raise ValueError
    original = parts[3].decode() if parts[3] != NULL else None
    return (
        _tconst(parts[0]), parts[1].decode(), primary, original if original != primary else None,
        fold(primary), 1 if parts[4] == b"1" else 0, _int_or_none(parts[5]), _int_or_none(parts[7]),
        parts[8].decode() if parts[8] != NULL else None,
    )  # fmt: skip


def _ratings_row(line: bytes) -> tuple[Any, ...]:
    parts = line.rstrip(b"\r\n").split(b"\t")
    if len(parts) != 3:
        raise ValueError
    rating, votes = float(parts[1]), int(parts[2])
    if not 0 <= rating <= 10 or votes < 0:
        raise ValueError
    return (rating, votes, _tconst(parts[0]))


def _akas_parser(conn: sqlite3.Connection, ids: sqlite3.Cursor) -> Callable[[bytes], tuple[Any, ...] | None]:
    """Alternative titles of the films kept, each title once per film.

    IMDb's files are sorted by id, so the akas stream is merge-joined with the sorted ids of the
    films kept (a cursor: constant memory) and most of its ~50M lines are skipped undecoded. An
    out-of-order line falls back to asking the database.
    """
    wanted: int | None = next(ids, (None,))[0]
    last = current = -1
    seen: set[str] = set()
    exists = conn.cursor()

    def parse(line: bytes) -> tuple[Any, ...] | None:
        nonlocal wanted, last, current
        tconst = _tconst(line.split(b"\t", 1)[0])
        if tconst >= last:
            while wanted is not None and wanted < tconst:
                wanted = next(ids, (None,))[0]
            kept = wanted == tconst
        else:
            kept = exists.execute("SELECT 1 FROM titles WHERE tconst = ?", (tconst,)).fetchone() is not None
        last = max(last, tconst)
        if not kept:
            return None
        parts = line.rstrip(b"\r\n").split(b"\t")
        if len(parts) != 8:
            raise ValueError
        title = parts[2].decode()
        if tconst != current:
            current = tconst
            seen.clear()
        norm = fold(title)
        if not norm or norm in seen:
            return None
        seen.add(norm)
        return (tconst, title, norm, parts[3].decode(errors="replace") if parts[3] != NULL else None)

    return parse


def import_datasets(
    source_dir: Path,
    target: Path,
    *,
    akas: bool | None = None,
    progress: Progress | None = None,
    origin: str | None = None,
) -> ImportStats:
    """Import the files in ``source_dir`` into ``target``, replacing it atomically at the end.

    ``akas``: None = use title.akas.tsv.gz if present. Until the final rename, readers keep
    using the previous database; an interruption leaves only a partial file, removed on the
    next sync.
    """
    for name in (BASICS, RATINGS):
        if not (source_dir / name).is_file():
            raise DatasetError(f"missing {name} in {source_dir}")
    use_akas = (source_dir / AKAS).is_file() if akas is None else akas
    if use_akas and not (source_dir / AKAS).is_file():
        raise DatasetError(f"missing {AKAS} in {source_dir}")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(target)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    stats = ImportStats()
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache: bounded
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        started = time.perf_counter()
        insert = "INSERT OR REPLACE INTO titles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"
        stats.basics_rows, stats.malformed[BASICS], stats.titles = _load(
            conn, source_dir / BASICS, BASICS, BASICS_COLUMNS, insert, _basics_row, progress
        )
        stats.seconds[BASICS] = time.perf_counter() - started
        started = time.perf_counter()
        stats.ratings_rows, stats.malformed[RATINGS], stats.rated = _load(
            conn, source_dir / RATINGS, RATINGS, RATINGS_COLUMNS,
            "UPDATE titles SET rating = ?, votes = ? WHERE tconst = ?", _ratings_row, progress,
        )  # fmt: skip
        stats.seconds[RATINGS] = time.perf_counter() - started
        if use_akas:
            started = time.perf_counter()
            ids = conn.cursor().execute("SELECT tconst FROM titles ORDER BY tconst")
            try:
                stats.akas_rows, stats.malformed[AKAS], stats.akas = _load(
                    conn, source_dir / AKAS, AKAS, AKAS_COLUMNS,
                    "INSERT INTO akas VALUES (?, ?, ?, ?)", _akas_parser(conn, ids), progress,
                )  # fmt: skip
            finally:
                ids.close()
            stats.seconds[AKAS] = time.perf_counter() - started
        started = time.perf_counter()
        if progress is not None:
            progress("index", 0, None)
        conn.execute("CREATE INDEX titles_norm ON titles (norm, start_year)")
        conn.execute("CREATE INDEX akas_tconst ON akas (tconst)")
        conn.execute("CREATE INDEX akas_norm ON akas (norm)")
        conn.execute(
            "CREATE VIRTUAL TABLE titles_fts USING fts5(names, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "INSERT INTO titles_fts (rowid, names) SELECT t.tconst, t.primary_title || ' ' || "
            "coalesce(t.original_title, '') || ' ' || coalesce((SELECT group_concat(a.title, ' ') "
            "FROM akas a WHERE a.tconst = t.tconst), '') FROM titles t"
        )
        stats.seconds["index"] = time.perf_counter() - started
        meta = {
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "origin": origin or str(source_dir),
            "stats": json.dumps(stats.to_dict()),
            "schema": "1",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("ANALYZE")
    except BaseException:
        conn.close()
        partial.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(partial, target)  # atomic: readers see the old or the new database, whole
    return stats


def remove_stale_partials(target: Path) -> None:
    """Partial files left by syncs that died (their process is gone)."""
    for path in target.parent.glob(f"{target.name}.partial-*"):
        pid = path.name.rsplit("-", 1)[-1]
        alive = False
        if pid.isdecimal():
            try:
                os.kill(int(pid), 0)
                alive = int(pid) != os.getpid()
            except (ProcessLookupError, PermissionError):
                alive = False
        if not alive:
            with contextlib.suppress(OSError):
                path.unlink()


def read_meta(path: Path) -> dict[str, str] | None:
    """What the last sync recorded, or None when there is no (readable) import."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return None


# ---------------------------------------------------------------------------- download


async def download(
    base_url: str,
    names: Sequence[str],
    directory: Path,
    *,
    timeout: float = 60.0,  # noqa: ASYNC109 - per request, not for the whole call
    progress: Progress | None = None,
    transport: Any = None,
) -> None:
    """Stream each file to ``directory`` (a temporary name, renamed when complete)."""
    import httpx

    from movieagg.sources._http import USER_AGENT

    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    base = base_url if base_url.endswith("/") else base_url + "/"
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    async with httpx.AsyncClient(
        timeout=limits, headers={"User-Agent": USER_AGENT}, follow_redirects=True, transport=transport
    ) as client:
        for name in names:
            part = directory / f"{name}.download"
            try:
                async with client.stream("GET", base + name) as response:
                    if response.status_code != 200:
                        raise DatasetError(f"downloading {name} failed (HTTP {response.status_code})")
                    total = int(response.headers.get("Content-Length", "0")) or None
                    done = 0
                    with open(part, "wb") as fh:  # noqa: ASYNC230 - sequential chunks, local disk
                        async for chunk in response.aiter_bytes(1 << 20):
                            fh.write(chunk)
                            done += len(chunk)
                            if progress is not None:
                                progress(f"download {name}", done, total)
            except httpx.TimeoutException:
                part.unlink(missing_ok=True)
                raise DatasetError(f"downloading {name} timed out after {timeout:g}s") from None
            except httpx.TransportError as exc:
                part.unlink(missing_ok=True)
                raise DatasetError(f"downloading {name} failed ({type(exc).__name__})") from None
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            os.replace(part, directory / name)


# ---------------------------------------------------------------------------- the adapter


class ImdbDatasetsSource(BaseSource):
    """Answers from the local import: no key, no network."""

    name = "imdb-datasets"
    label = "IMDb datasets"
    default_url = DEFAULT_URL
    can_search = True
    SEARCH_LIMIT: ClassVar[int] = 30

    def __init__(self, http: HttpClient | None = None, base_url: str | None = None, *, path: Path) -> None:
        super().__init__(http, base_url)  # type: ignore[arg-type]
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._inode: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> ImdbDatasetsSource:
        return cls(http, settings.url(cls.name, cls.default_url), path=db_path(settings))

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

    def lookup(self, imdb_id: str) -> SourceData | None:
        """The offline lookup by IMDb id (synchronous, well under a millisecond)."""
        if not IMDB_ID_RE.match(imdb_id):
            return None
        rows = self._query(f"SELECT {self._COLUMNS} FROM titles WHERE tconst = ?", (int(imdb_id[2:]),))  # noqa: S608
        return self._data(rows[0], exact=True) if rows else None

    def _data(self, row: tuple[Any, ...], *, exact: bool) -> SourceData:
        tconst, primary, original, year, runtime, rating, votes = row
        ratings: tuple[Rating, ...] = ()
        if rating is not None and votes:
            ratings = (Rating("imdb", "IMDb", float(rating), 10.0, int(votes), self.name),)
        movie = Movie(
            title=primary, year=year, imdb_id=_imdb(tconst), original_title=original, runtime=runtime or None
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
            f"SELECT {self._COLUMNS} FROM titles WHERE norm = ?{year_clause} "  # noqa: S608
            "ORDER BY coalesce(votes, 0) DESC LIMIT 1",
            params,
        )
        return self._data(rows[0], exact=False) if rows else None

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        norm = fold(query.title)
        if not norm:
            return []
        year_sql, year_params = "", []
        if query.year is not None:
            year_sql = " AND t.start_year BETWEEN ? AND ?"
            year_params = [query.year - 1, query.year + 1]
        exact = self._query(
            f"SELECT t.tconst FROM titles t WHERE t.norm = ?{year_sql} UNION SELECT a.tconst "  # noqa: S608
            f"FROM akas a JOIN titles t ON t.tconst = a.tconst WHERE a.norm = ?{year_sql}",
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
            f"SELECT {self._COLUMNS} FROM titles WHERE tconst IN ({marks}) ORDER BY coalesce(votes, 0) DESC",  # noqa: S608
            ids,
        )
        aliases: dict[int, list[str]] = {}
        for tconst, title in self._query(f"SELECT tconst, title FROM akas WHERE tconst IN ({marks})", ids):  # noqa: S608
            aliases.setdefault(tconst, []).append(title)
        candidates = []
        for rank, (tconst, primary, original, year, _runtime, _rating, votes) in enumerate(rows):
            candidates.append(
                Candidate(
                    title=primary,
                    year=year,
                    source=self.name,
                    imdb_id=_imdb(tconst),
                    original_title=original,
                    aliases=tuple(aliases.get(tconst, ())[:20]),
                    votes=votes,
                    rank=rank,
                )
            )
        return candidates[: max(limit, 10)]


def _imdb(tconst: int) -> str:
    return f"tt{tconst:07d}"
