"""Import IMDb's .tsv.gz datasets into the local SQLite database the adapter reads.

Streaming, constant memory: gzip → lines → batches of rows into SQLite; quoting disabled
(split on tabs: titles carry quotes as they are), ``\\N`` is null. Films (movies, TV movies),
series (TV series, mini-series) and their episodes are kept, the rest skipped undecoded; with
``title.episode.tsv.gz`` each episode gets its series, season and number (the offline grid).
Malformed lines are skipped and counted, never fatal. An FTS5 index covers primary, original
and alternative titles, plus a normalised-title index for exact matches. The database is built
in a temporary file and swapped in with an atomic rename, so an interrupted sync leaves the
previous import in use.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from movieagg.core.text import fold
from movieagg.sources.imdb_datasets.files import AKAS, BASICS, EPISODES, RATINGS, DatasetError, Progress

FILM_TYPES = ("movie", "tvMovie")
SERIES_TYPES = ("tvSeries", "tvMiniSeries")
EPISODE_TYPE = "tvEpisode"
KEEP_TYPES = frozenset(t.encode() for t in (*FILM_TYPES, *SERIES_TYPES, EPISODE_TYPE))
BATCH_ROWS = 20_000
# IMDb's lines are well under 2 kB; a longer one (a file without newlines) is read in pieces of
# this size, skipped and counted — never held whole in memory.
MAX_LINE = 1024 * 1024
MAX_DIGITS = 9  # a year, a runtime: more digits is a malformed line, not an overflow later
MAX_VOTES_DIGITS = 12
BASICS_COLUMNS = (
    b"tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres"
)
RATINGS_COLUMNS = b"tconst\taverageRating\tnumVotes"
EPISODES_COLUMNS = b"tconst\tparentTconst\tseasonNumber\tepisodeNumber"
AKAS_COLUMNS = b"titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle"
NULL = b"\\N"


@dataclass
class ImportStats:
    """What an import read, kept and skipped, and how long each phase took."""

    basics_rows: int = 0
    titles: int = 0
    ratings_rows: int = 0
    rated: int = 0
    akas_rows: int = 0
    akas: int = 0
    series: int = 0
    episodes: int = 0  # tvEpisode rows of title.basics
    episodes_rows: int = 0  # lines of title.episode
    placed: int = 0  # title.episode lines imported with a season and an episode number
    malformed: dict[str, int] = field(default_factory=lambda: {BASICS: 0, RATINGS: 0, AKAS: 0, EPISODES: 0})
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
            "series": self.series,
            "episodes": self.episodes,
            "episodes_rows": self.episodes_rows,
            "placed": self.placed,
            "malformed": dict(self.malformed),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "basics_rows_per_second": round(self.basics_rate),
        }


SCHEMA = """
CREATE TABLE titles (
    tconst INTEGER PRIMARY KEY, type TEXT NOT NULL, primary_title TEXT NOT NULL, original_title TEXT,
    norm TEXT NOT NULL, is_adult INTEGER, start_year INTEGER, runtime INTEGER, genres TEXT,
    rating REAL, votes INTEGER, end_year INTEGER
);
CREATE TABLE episodes (
    tconst INTEGER PRIMARY KEY, parent INTEGER NOT NULL, season INTEGER, episode INTEGER
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
        first = reader.readline(MAX_LINE).rstrip(b"\r\n")
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{name}: the file is damaged or truncated ({type(exc).__name__})") from None
    if first != expected:
        raise DatasetError(f"{name}: unexpected header {first[:120]!r} (is this IMDb's {name}?)")


def _int_or_none(value: bytes) -> int | None:
    if value == NULL:
        return None
    if not value.isdigit() or len(value) > MAX_DIGITS:  # ASCII digits; never an overflow in SQLite
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
    short_sql: str | None = None,
) -> tuple[int, int, int]:
    """Stream one .tsv.gz through ``parse`` into ``sql`` in batches: (lines, malformed, changed).

    ``parse`` returns the SQL parameters for a line, None for a line that is not wanted (not a
    film; no exception on this path: it is most lines), and raises ValueError (UnicodeDecodeError
    is one) for a malformed line — skipped and counted, never fatal. With ``short_sql``, rows of
    three values go there instead (title.basics' episodes: fewer columns, a cheaper insert).
    Lines are read at most MAX_LINE bytes at a time: a longer one is skipped and counted too.
    """
    reader, raw = _open_gzip(path)
    total = path.stat().st_size
    batch: list[tuple[Any, ...]] = []
    short: list[tuple[Any, ...]] = []
    lines = malformed = 0
    overlong = False  # inside a line longer than MAX_LINE: skipping to its end
    before = conn.total_changes
    try:
        _header(reader, columns, name)
        for line in iter(functools.partial(reader.readline, MAX_LINE), b""):
            if len(line) == MAX_LINE and line[-1] != 10:  # no newline yet: too long for IMDb
                overlong = True
                continue
            lines += 1
            if overlong:  # the last piece of a line too long to be one of IMDb's
                overlong = False
                malformed += 1
                continue
            try:
                row = parse(line)
            except ValueError:  # UnicodeDecodeError is one
                malformed += 1
                continue
            if row is None:
                continue
            if short_sql is not None and len(row) == 3:
                short.append(row)
                if len(short) >= BATCH_ROWS:
                    conn.executemany(short_sql, short)
                    short.clear()
                continue
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                conn.executemany(sql, batch)
                batch.clear()
                if progress is not None:
                    progress(name, raw.tell(), total)
        if overlong:  # the file ended inside an overlong line
            lines += 1
            malformed += 1
        if batch:
            conn.executemany(sql, batch)
        if short:
            conn.executemany(short_sql, short)  # type: ignore[arg-type]  # short only fills with short_sql
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:  # zlib: a corrupt deflate stream
        raise DatasetError(f"{name}: the file is damaged or truncated ({type(exc).__name__})") from None
    finally:
        reader.close()
        raw.close()
    if progress is not None:
        progress(name, total, total)
    return lines, malformed, conn.total_changes - before


def _basics_row(line: bytes) -> tuple[Any, ...] | None:
    # Shorts, videos, games…: look at the type before splitting the whole line.
    head = line.split(b"\t", 2)
    if len(head) < 3 or head[1] not in KEEP_TYPES:
        if line.count(b"\t") != 8:
            raise ValueError
        return None
    if head[1] == b"tvEpisode":  # most kept rows: only what the grid shows (never searched: no norm)
        # The checks of _tconst and _int_or_none inlined: this runs for ~75% of the file's lines.
        parts = line.split(b"\t", 6)
        if len(parts) != 7 or parts[6].count(b"\t") != 2:
            raise ValueError
        tconst, year = parts[0], parts[5]
        if tconst[:2] != b"tt" or not tconst[2:].isdigit() or not 9 <= len(tconst) <= 11:
            raise ValueError
        if year == NULL:
            start = None
        elif year.isdigit() and len(year) <= MAX_DIGITS:
            start = int(year)
        else:
            raise ValueError
        title = parts[2].decode()
        if not title or title == "\\N":
            raise ValueError
        return (int(tconst[2:]), title, start)  # EPISODE_INSERT
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
        parts[8].decode() if parts[8] != NULL else None, _int_or_none(parts[6]),
    )  # fmt: skip


def _episode_row(line: bytes) -> tuple[Any, ...]:
    """A title.episode line: (episode, series, season, number); ``\\N`` season or number is null."""
    parts = line.rstrip(b"\r\n").split(b"\t")
    if len(parts) != 4:
        raise ValueError
    return (_tconst(parts[0]), _tconst(parts[1]), _int_or_none(parts[2]), _int_or_none(parts[3]))


def _ratings_row(line: bytes) -> tuple[Any, ...]:
    parts = line.rstrip(b"\r\n").split(b"\t")
    if len(parts) != 3:
        raise ValueError
    if not parts[2].isdigit() or len(parts[2]) > MAX_VOTES_DIGITS:  # 10^23 votes: not a count
        raise ValueError
    rating, votes = float(parts[1]), int(parts[2])
    if not 0 <= rating <= 10:  # NaN and infinities fail too
        raise ValueError
    return (rating, votes, _tconst(parts[0]))


def _akas_parser(conn: sqlite3.Connection, ids: sqlite3.Cursor) -> Callable[[bytes], tuple[Any, ...] | None]:
    """Alternative titles of the films and series kept (not episodes), each title once per title.

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
            sql = f"SELECT 1 FROM titles WHERE tconst = ? AND {NOT_EPISODE}"  # noqa: S608 - constants
            kept = exists.execute(sql, (tconst,)).fetchone() is not None
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
    episodes: bool | None = None,
) -> ImportStats:
    """Import the files in ``source_dir`` into ``target``, replacing it atomically at the end.

    ``akas``, ``episodes``: None = use title.akas.tsv.gz, title.episode.tsv.gz if present.
    Until the final rename, readers keep using the previous database; an interruption leaves
    only a partial file, removed on the next sync.
    """
    for name in (BASICS, RATINGS):
        if not (source_dir / name).is_file():
            raise DatasetError(f"missing {name} in {source_dir}")
    use_akas = (source_dir / AKAS).is_file() if akas is None else akas
    if use_akas and not (source_dir / AKAS).is_file():
        raise DatasetError(f"missing {AKAS} in {source_dir}")
    use_episodes = (source_dir / EPISODES).is_file() if episodes is None else episodes
    if use_episodes and not (source_dir / EPISODES).is_file():
        raise DatasetError(f"missing {EPISODES} in {source_dir}")
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
        insert = "INSERT OR REPLACE INTO titles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)"
        stats.basics_rows, stats.malformed[BASICS], _kept = _load(
            conn, source_dir / BASICS, BASICS, BASICS_COLUMNS, insert, _basics_row, progress, EPISODE_INSERT
        )
        stats.seconds[BASICS] = time.perf_counter() - started
        started = time.perf_counter()
        stats.ratings_rows, stats.malformed[RATINGS], stats.rated = _load(
            conn, source_dir / RATINGS, RATINGS, RATINGS_COLUMNS,
            "UPDATE titles SET rating = ?, votes = ? WHERE tconst = ?", _ratings_row, progress,
        )  # fmt: skip
        stats.seconds[RATINGS] = time.perf_counter() - started
        if use_episodes:
            started = time.perf_counter()
            stats.episodes_rows, stats.malformed[EPISODES], _ = _load(
                conn, source_dir / EPISODES, EPISODES, EPISODES_COLUMNS,
                "INSERT OR REPLACE INTO episodes VALUES (?, ?, ?, ?)", _episode_row, progress,
            )  # fmt: skip
            stats.seconds[EPISODES] = time.perf_counter() - started
        _count(conn, stats)
        if use_akas:
            started = time.perf_counter()
            ids = conn.cursor().execute(f"SELECT tconst FROM titles WHERE {NOT_EPISODE} ORDER BY tconst")  # noqa: S608
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
        conn.execute(f"CREATE INDEX titles_norm ON titles (norm, start_year) WHERE {NOT_EPISODE}")
        conn.execute("CREATE INDEX episodes_parent ON episodes (parent, season, episode)")
        conn.execute("CREATE INDEX akas_tconst ON akas (tconst)")
        conn.execute("CREATE INDEX akas_norm ON akas (norm)")
        conn.execute(
            "CREATE VIRTUAL TABLE titles_fts USING fts5(names, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "INSERT INTO titles_fts (rowid, names) SELECT t.tconst, t.primary_title || ' ' || "  # noqa: S608
            "coalesce(t.original_title, '') || ' ' || coalesce((SELECT group_concat(a.title, ' ') "
            f"FROM akas a WHERE a.tconst = t.tconst), '') FROM titles t WHERE {NOT_EPISODE}"
        )
        stats.seconds["index"] = time.perf_counter() - started
        meta = {
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "origin": origin or str(source_dir),
            "stats": json.dumps(stats.to_dict()),
            "schema": "2",
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("ANALYZE")
    except BaseException as exc:
        conn.close()
        partial.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):  # a full disk, say: the files were fine
            raise DatasetError(f"cannot write the import in {target.parent}: {exc}") from None
        raise
    conn.close()
    os.replace(partial, target)  # atomic: readers see the old or the new database, whole
    return stats


EPISODE_INSERT = (
    "INSERT OR REPLACE INTO titles (tconst, type, primary_title, norm, start_year) "  # noqa: S608 - constants
    f"VALUES (?, '{EPISODE_TYPE}', ?, '', ?)"
)
NOT_EPISODE = f"type <> '{EPISODE_TYPE}'"  # the title search covers films and series, not episodes


def _count(conn: sqlite3.Connection, stats: ImportStats) -> None:
    """Films kept and rated, series, episodes and those placed in their series (one scan)."""
    films = ",".join(f"'{t}'" for t in FILM_TYPES)
    series = ",".join(f"'{t}'" for t in SERIES_TYPES)
    row = conn.execute(
        f"SELECT coalesce(sum(type IN ({films})), 0), "  # noqa: S608 - constants
        f"coalesce(sum(type IN ({films}) AND rating IS NOT NULL), 0), "
        f"coalesce(sum(type IN ({series})), 0), coalesce(sum(type = '{EPISODE_TYPE}'), 0) FROM titles"
    ).fetchone()
    stats.titles, stats.rated, stats.series, stats.episodes = row
    stats.placed = conn.execute(
        "SELECT count(*) FROM episodes WHERE season IS NOT NULL AND episode IS NOT NULL"
    ).fetchone()[0]


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
