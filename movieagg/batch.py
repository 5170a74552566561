"""Rate whole lists: parse watchlists and exports, rate with bounded concurrency, stream results.

The library face is :func:`arate_many` (an async iterator, results in completion order) and
:func:`rate_many` (a list in input order). The CLI's ``movieagg batch`` adds input files,
output formats, progress and resuming on top of the same pieces:

* :func:`read_items` streams :class:`BatchItem` s from text (``Title`` or ``Title (1999)``, an
  IMDb id or URL per line) or CSV — any file with a title or IMDb id column, including
  Letterboxd exports (``Name``, ``Year``, ``Letterboxd URI``) and IMDb list/ratings exports
  (``Const``, ``Title``, ``Year`` …).
* :func:`arate_many` keeps at most ``concurrency`` lookups in flight and never holds more
  results than that, so memory stays flat for 100,000 titles. Sources are kept polite by the
  shared HTTP client's per-source rate limits and OMDb's daily quota.
* :class:`OutputWriter` writes csv / ndjson / json (one record a line) and flushes every
  record, so an interrupted run loses nothing; :func:`prepare_resume` reads such a file back,
  drops failed rows (to retry them) and tells which items are done.

Nothing here imports the CLI; the core stays free of both.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from movieagg.core.errors import (
    InvalidQuery,
    MovieAggError,
    SourceErrorInfo,
)
from movieagg.core.models import Movie, RatingResult, alternative_dict

if TYPE_CHECKING:
    from movieagg.core.aggregator import Aggregator
    from movieagg.core.config import Settings
    from movieagg.factory import Runtime

FORMATS = ("table", "csv", "json", "ndjson")
RESUMABLE = ("csv", "json", "ndjson")
STATUSES = ("found", "ambiguous", "not_found", "invalid", "failed")
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 256

_IMDB_IN_TEXT = re.compile(r"(?<![a-z0-9])(tt\d{7,8})(?!\d)", re.IGNORECASE)
_TITLE_YEAR = re.compile(r"^(?P<title>.*?)\s*[(\[](?P<year>\d{4})[)\]]\s*$")

# Column names, lower-cased, in order of preference (Letterboxd, IMDb exports, our own output).
TITLE_COLUMNS = ("title", "name", "primarytitle", "film", "movie", "input_title", "original title")
YEAR_COLUMNS = ("year", "release year", "startyear", "input_year", "release_year")
IMDB_COLUMNS = ("imdb_id", "imdbid", "imdb id", "const", "tconst", "imdb", "input_imdb_id", "imdb url")
URL_COLUMNS = ("url", "imdb url", "link")


class BatchInputError(InvalidQuery):
    """The input file cannot be read as a list of titles (exit code 2)."""


# ---------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One line or row to rate: a title (and year) or an IMDb id, with its place in the input."""

    index: int  # 1-based line (text) or data row (CSV) number
    title: str | None = None
    year: int | None = None
    imdb_id: str | None = None
    error: str | None = None  # why the line could not be read (rated as "invalid")
    year_text: str | None = None  # a year that is not a year, reported as invalid input

    @property
    def key(self) -> int:
        """Stable identity within one input, for resuming (compact: 8 bytes)."""
        year = self.year or self.year_text or ""
        text = f"{self.index}\x1f{self.title or ''}\x1f{year}\x1f{self.imdb_id or ''}"
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")

    def label(self) -> str:
        if self.title:
            return f"{self.title} ({self.year})" if self.year else self.title
        return self.imdb_id or f"line {self.index}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year if self.year is not None else self.year_text,
            "imdb_id": self.imdb_id,
        }


def parse_text_line(line: str, index: int) -> BatchItem | None:
    """``Title``, ``Title (1999)``, ``tt0133093`` or an IMDb URL; blank lines and ``# comments``
    → None (``#Alive`` is a film: a comment's ``#`` stands alone or is followed by a space)."""
    text = line.strip().lstrip("\ufeff")
    if not text or text == "#" or text.startswith(("# ", "#\t", "##")):
        return None
    imdb = _IMDB_IN_TEXT.search(text)
    if imdb and (text.lower() == imdb.group(1).lower() or "imdb.com/" in text.lower()):
        return BatchItem(index, imdb_id=imdb.group(1).lower())
    match = _TITLE_YEAR.match(text)
    if match and match.group("title"):
        return BatchItem(index, match.group("title"), int(match.group("year")))
    return BatchItem(index, text)


def _pick(header: Sequence[str], names: Sequence[str]) -> int | None:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


@dataclass(frozen=True, slots=True)
class CsvColumns:
    title: int | None
    year: int | None
    imdb: int | None
    url: int | None

    @classmethod
    def from_header(cls, header: Sequence[str]) -> CsvColumns | None:
        cols = cls(
            _pick(header, TITLE_COLUMNS),
            _pick(header, YEAR_COLUMNS),
            _pick(header, IMDB_COLUMNS),
            _pick(header, URL_COLUMNS),
        )
        return cols if cols.title is not None or cols.imdb is not None else None


def _sniff_header(first_line: str) -> tuple[str, CsvColumns] | None:
    """If the first line is a CSV/TSV header we understand: (delimiter, columns)."""
    for delimiter in ("\t", ",", ";"):
        if delimiter not in first_line:
            continue
        header = next(csv.reader([first_line], delimiter=delimiter))
        cols = CsvColumns.from_header(header)
        if cols is not None:
            return delimiter, cols
    cols = CsvColumns.from_header([first_line.strip()])  # a one-column CSV ("title")
    if cols is not None and first_line.strip().lower().lstrip("\ufeff") in (*TITLE_COLUMNS, *IMDB_COLUMNS):
        return ",", cols
    return None


def _csv_item(row: Sequence[str], cols: CsvColumns, index: int) -> BatchItem | None:
    def cell(i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    if not any(c.strip() for c in row):
        return None
    imdb_text = cell(cols.imdb) or cell(cols.url)
    imdb_match = _IMDB_IN_TEXT.search(imdb_text) if imdb_text else None
    imdb = imdb_match.group(1).lower() if imdb_match else None
    title = cell(cols.title) or None
    year, year_text = split_year(cell(cols.year))
    if imdb is None and title is None:
        return BatchItem(index, error="no title or IMDb id in this row")
    return BatchItem(index, title, year, imdb, year_text=year_text)


def read_items(stream: Iterable[str]) -> Iterator[BatchItem]:
    """Stream items from the lines of a text or CSV input; the format is told by its header."""
    lines = iter(stream)
    first: str | None = None
    for line in lines:
        if line.strip():
            first = line
            break
    if first is None:
        return
    sniffed = _sniff_header(first)
    if sniffed is None:
        index = 1
        item = parse_text_line(first, index)
        if item is not None:
            yield item
        for line in lines:
            index += 1
            item = parse_text_line(line, index)
            if item is not None:
                yield item
        return
    delimiter, cols = sniffed
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for index, row in enumerate(reader, start=1):
            item = _csv_item(row, cols, index)
            if item is not None:
                yield item
    except csv.Error as exc:
        raise BatchInputError(f"cannot read the CSV input at row {reader.line_num + 1}: {exc}") from None


def open_input(path: str) -> TextIO:
    """A file (or ``-`` for stdin) opened for :func:`read_items`: UTF-8, BOM tolerated."""
    if path == "-":
        import sys

        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
    try:
        return open(path, encoding="utf-8-sig", errors="replace", newline="")
    except FileNotFoundError:
        raise BatchInputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise BatchInputError(f"{path} is a directory, not a list of titles") from None
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None


async def threaded(items: Iterable[BatchItem], buffer: int = 64) -> AsyncIterator[BatchItem]:
    """Read a blocking source (stdin, a pipe) in a daemon thread, so lookups go on while it
    waits and an interrupted run never waits for the pipe's writer to exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    room = threading.Semaphore(buffer)
    end = object()

    def put(value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, value)

    def pump() -> None:
        try:
            for item in items:
                room.acquire()
                put(item)
        except BaseException as exc:  # re-raised in the reader, e.g. a BatchInputError
            put(exc)
        finally:
            put(end)

    threading.Thread(target=pump, name="movieagg-batch-input", daemon=True).start()
    while True:
        value = await queue.get()
        if value is end:
            return
        if isinstance(value, BaseException):
            raise value
        room.release()
        yield value


def count_items(path: str) -> int | None:
    """How many items a file holds (a quick first pass, for the progress bar); None for stdin."""
    if path == "-":
        return None
    with open_input(path) as fh:
        return sum(1 for _ in read_items(fh))


def split_year(value: object) -> tuple[int | None, str | None]:
    """A year as given: ``(year, None)``, or ``(None, text)`` when it is not one (rated "invalid").

    Accepts 1999, "1999" and release dates ("2021-10-22" → 2021); None or "" is no year.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    text = str(value).strip()
    digits = text.split("-")[0].strip()
    if len(digits) == 4 and digits.isascii() and digits.isdigit():
        return int(digits), None
    return None, text[:20]


def coerce_items(titles: Iterable[Any]) -> Iterator[BatchItem]:
    """Library input: strings (``"Title (1999)"``, ``"tt0133093"``), (title, year) pairs,
    mappings with title/year/imdb_id, or BatchItems."""
    for i, value in enumerate(titles, start=1):
        if isinstance(value, BatchItem):
            yield value
        elif isinstance(value, str):
            yield parse_text_line(value, i) or BatchItem(i, error="empty title")
        elif (isinstance(value, tuple) and len(value) == 2) or isinstance(value, Mapping):
            title, year, imdb = (value[0], value[1], None) if isinstance(value, tuple) else (
                value.get("title"), value.get("year"), value.get("imdb_id")
            )  # fmt: skip
            year_int, year_text = split_year(year)
            yield BatchItem(i, str(title) if title else None, year_int, imdb or None, year_text=year_text)
        else:
            yield BatchItem(i, error=f"cannot rate a {type(value).__name__}")


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True, weakref_slot=True)
class BatchResult:
    """The outcome for one item. ``status``: found, ambiguous, not_found, invalid or failed."""

    item: BatchItem
    status: str
    result: RatingResult | None = None
    message: str | None = None
    alternatives: tuple[Movie, ...] = ()  # other films with the same title (ambiguous)
    errors: tuple[SourceErrorInfo, ...] = ()  # source failures (also on a found result)

    @property
    def cached(self) -> bool:
        return self.result is not None and self.result.cached

    @property
    def ok(self) -> bool:
        return self.status in ("found", "ambiguous")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.item.index,
            "input": self.item.to_dict(),
            "status": self.status,
            "message": self.message,
            "score": self.result.score if self.result else None,
            "alternatives": [alternative_dict(m) for m in self.alternatives],
            "result": self.result.to_dict() if self.result else None,
        }


@dataclass
class BatchSummary:
    """Counts for a run (and, when resuming, for what the output file already held)."""

    counts: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    resumed: int = 0  # items skipped because the output already had them
    retried: int = 0  # failed rows dropped from the output to try again
    source_errors: Counter[str] = field(default_factory=Counter)  # "source: kind" → items
    quota: dict[str, str] = field(default_factory=dict)  # source → message, when a quota ran out
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def add(self, result: BatchResult) -> None:
        self.counts[result.status] += 1
        if result.cached:
            self.cached += 1
        for error in result.errors:
            self.source_errors[error.source] += 1
            if error.kind == "quota" and "daily" in error.message:
                self.quota.setdefault(error.source, error.message)

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    @property
    def failures(self) -> int:
        return self.counts["failed"] + self.counts["invalid"]

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.done,
            **{s: self.counts[s] for s in STATUSES},
            "from_cache": self.cached,
            "resumed": self.resumed,
            "source_errors": dict(self.source_errors),
            "quota_spent": dict(self.quota),
            "seconds": round(self.elapsed, 2),
        }

    def lines(self) -> list[str]:
        c = self.counts
        found = f"{c['found'] + c['ambiguous']:,} found"
        if c["ambiguous"]:
            found += f" ({c['ambiguous']:,} ambiguous: no year given and remakes exist)"
        parts = [found, f"{c['not_found']:,} not found", f"{c['failed']:,} failed"]
        if c["invalid"]:
            parts.append(f"{c['invalid']:,} invalid")
        parts.append(f"{self.cached:,} from cache")
        out = [f"{self.done:,} titles: " + ", ".join(parts) + f" ({self.elapsed:.1f}s)"]
        if self.resumed:
            out.append(
                f"{self.resumed:,} were already in the output (resumed); {self.retried:,} failed ones retried"
            )
        for source, message in sorted(self.quota.items()):
            out.append(f"{source}: {message}; later titles were rated without it")
        if self.source_errors:
            out.append(
                "source errors: " + ", ".join(f"{s} {n:,}" for s, n in self.source_errors.most_common())
            )
        return out


# ---------------------------------------------------------------------------- rating


async def _rate_one(
    aggregator: Aggregator, item: BatchItem, sources: Sequence[str] | None, refresh: bool, use_cache: bool
) -> BatchResult:
    if item.error:
        return BatchResult(item, "invalid", message=item.error)
    if item.year_text is not None:
        return BatchResult(item, "invalid", message=f"year must be a whole number, not {item.year_text!r}")
    try:
        if item.imdb_id:
            result = await aggregator.rate_imdb(
                item.imdb_id, sources=sources, refresh=refresh, use_cache=use_cache
            )
        else:
            result = await aggregator.rate(
                item.title or "", item.year, sources=sources, refresh=refresh, use_cache=use_cache
            )
    except MovieAggError as exc:  # the error table says which status: invalid, not_found, failed
        return BatchResult(item, exc.batch_status, message=str(exc), errors=tuple(exc.errors))
    except Exception as exc:  # one bad title must not sink a list of 100,000
        return BatchResult(item, "failed", message=f"internal error ({type(exc).__name__})")
    if result.alternatives:  # no year given and remakes exist (remembered with the identity)
        also = ", ".join(f"{m.title} ({m.year})" for m in result.alternatives)
        return BatchResult(
            item, "ambiguous", result, f"no year given; also: {also}", result.alternatives, result.errors
        )
    return BatchResult(item, "found", result, errors=result.errors)


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[BatchItem]:
    if isinstance(items, AsyncIterable):
        i = 0
        async for value in items:
            i += 1
            (item,) = coerce_items([value])
            yield item if isinstance(value, BatchItem) else dataclasses.replace(item, index=i)
    else:
        for item in coerce_items(items):
            yield item


async def arate_many(
    titles: Iterable[Any] | AsyncIterable[Any],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    settings: Settings | None = None,
    aggregator: Aggregator | None = None,
    skip: set[int] | None = None,
) -> AsyncIterator[BatchResult]:
    """Rate many films; yields a :class:`BatchResult` per item as soon as it is done.

    ``titles``: strings (``"Heat (1995)"``, ``"tt0113277"``), (title, year) pairs, dicts with
    title/year/imdb_id, or :class:`BatchItem` (sync or async iterable; read lazily). At most
    ``concurrency`` lookups are in flight, so memory does not grow with the input. Failures
    are results (``status`` "failed", "not_found", …), never exceptions — except a
    configuration problem that would fail every item (no usable source), raised up front.
    ``skip`` holds :attr:`BatchItem.key` values to leave out (resuming).
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidQuery(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
    chosen = list(sources) if sources is not None else None
    runtime: Runtime | None = None
    if aggregator is None:
        from movieagg.factory import build_runtime

        # Lookup records go to the store as the batch goes ("periodic"), not all at the end.
        runtime = build_runtime(settings, flush="periodic", use_cache=use_cache, patient=True)
        aggregator = runtime.aggregator
    records = runtime.records if runtime is not None else None
    pending: set[asyncio.Future[BatchResult]] = set()
    reading: asyncio.Future[BatchItem] | None = None
    try:
        aggregator.select(chosen)  # unknown/unconfigured sources: fail once, not per item
        items = _aiter(titles).__aiter__()
        exhausted = False
        # Reading the next item is itself awaited alongside the lookups, so a slow input (a
        # pipe that waits for its writer) never holds back results that are ready.
        while True:
            if reading is None and not exhausted and len(pending) < concurrency:
                reading = asyncio.ensure_future(items.__anext__())
            waiting: set[asyncio.Future[Any]] = set(pending)
            if reading is not None:
                waiting.add(reading)
            if not waiting:
                break
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if reading is not None and reading in done:
                done.discard(reading)
                try:
                    item = reading.result()
                except StopAsyncIteration:
                    exhausted = True
                else:
                    if not (skip and item.key in skip):
                        pending.add(
                            asyncio.ensure_future(_rate_one(aggregator, item, chosen, refresh, use_cache))
                        )
                reading = None
            finished = [t for t in done if t in pending]
            pending.difference_update(finished)
            for task in sorted(finished, key=lambda t: t.result().item.index):
                yield task.result()
                if records is not None:
                    await records.after_lookup()
    finally:
        leftovers: list[asyncio.Future[Any]] = [*pending, *([reading] if reading is not None else [])]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
        if runtime is not None:
            await runtime.aclose()


def rate_many(titles: Iterable[Any], **options: Any) -> list[BatchResult]:
    """Synchronous :func:`arate_many`; returns every result, in input order."""
    from movieagg.api import _run

    async def collect() -> list[BatchResult]:
        return [r async for r in arate_many(titles, **options)]

    return sorted(_run(collect()), key=lambda r: r.item.index)


# ---------------------------------------------------------------------------- output

CSV_COLUMNS = (
    "index", "input_title", "input_year", "input_imdb_id", "status", "title", "year", "imdb_id",
    "score", "imdb", "imdb_votes", "rotten_tomatoes", "metacritic", "tmdb", "trakt", "cached", "message",
)  # fmt: skip


def _rating(result: RatingResult | None, name: str) -> Any:
    if result is None:
        return ""
    chosen = [r for r in result.ratings if r.name == name]
    chosen.sort(key=lambda r: -r.weight)
    return f"{chosen[0].value:g}" if chosen else ""


def csv_row(res: BatchResult) -> list[Any]:
    r = res.result
    movie = r.movie if r else None
    imdb_votes = next((x.votes for x in (r.ratings if r else ()) if x.name == "imdb" and x.votes), None)
    message = res.message or "; ".join(f"{e.source}: {e.message}" for e in res.errors)
    return [
        res.item.index, res.item.title or "", res.item.year or res.item.year_text or "",
        res.item.imdb_id or "",
        res.status, movie.title if movie else "", (movie.year if movie else None) or "",
        (movie.imdb_id if movie else None) or "", "" if r is None or r.score is None else f"{r.score:g}",
        _rating(r, "imdb"), imdb_votes or "", _rating(r, "rotten_tomatoes"), _rating(r, "metacritic"),
        _rating(r, "tmdb"), _rating(r, "trakt"), "yes" if res.cached else "no", message,
    ]  # fmt: skip


class OutputWriter:
    """Writes results one record a line and flushes each, so a crash loses at most one.

    ``json`` is a JSON array with one element a line (``[`` … ``]``), valid once finished;
    ``ndjson`` is one object a line; ``csv`` has a header row. ``append`` continues a file
    that :func:`prepare_resume` has made ready.
    """

    def __init__(self, stream: IO[str], fmt: str, *, append: bool = False, fsync: bool = False) -> None:
        if fmt not in RESUMABLE:
            raise InvalidQuery(f"cannot stream {fmt!r} records; use csv, json or ndjson")
        self.stream = stream
        self.fmt = fmt
        self.count = 0
        self._fsync = fsync
        self._csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        self._first = True
        if fmt == "json":
            if append:  # a resumed array is "[" plus rows, without its closing "]"
                self._first = not _json_has_rows(stream)
            else:
                stream.write("[\n")
        elif self._csv is not None and not append:
            self._csv.writerow(CSV_COLUMNS)
        stream.flush()

    def write(self, res: BatchResult) -> None:
        if self._csv is not None:
            self._csv.writerow(csv_row(res))
        else:
            line = json.dumps(res.to_dict(), ensure_ascii=False, separators=(",", ":"))
            if self.fmt == "json":
                line = ("" if self._first else ",\n") + line
                self._first = False
            else:
                line += "\n"
            self.stream.write(line)
        self.count += 1
        self.stream.flush()
        if self._fsync:
            with contextlib.suppress(OSError, ValueError):
                os.fsync(self.stream.fileno())

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("\n]\n" if not self._first else "]\n")
        self.stream.flush()


def _json_has_rows(stream: IO[str]) -> bool:
    try:
        return stream.tell() > 2
    except (OSError, ValueError):
        return True


def infer_format(path: str | None) -> str | None:
    if not path or path == "-":
        return None
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".txt": "table"}.get(
        suffix
    )


@dataclass
class ResumeState:
    done: set[int] = field(default_factory=set)
    previous: Counter[str] = field(default_factory=Counter)
    previous_cached: int = 0
    retried: int = 0
    append: bool = False


def _record_from_json_line(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if text in ("", "[", "]"):
        return None
    text = text.removeprefix(",").removesuffix(",").strip()
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _key_from_record(index: Any, title: Any, year: Any, imdb: Any) -> int | None:
    if not isinstance(index, int):
        if isinstance(index, str) and index.isdecimal():
            index = int(index)
        else:
            return None
    year_int, year_text = split_year(year)  # as the input was read: the same key
    item = BatchItem(index, title or None, year_int, imdb or None, year_text=year_text)
    return item.key


def _foreign_json_lines(path: Path) -> bool:
    """True when a line other than the last is not one of our records: not our file."""
    previous_bad = False
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if previous_bad:
                return True
            record = _record_from_json_line(line)
            ours = record is not None and "status" in record and "index" in record
            previous_bad = not ours and line.strip() not in ("", "[", "]")
    return False


def prepare_resume(path: Path, fmt: str) -> ResumeState:
    """Read an existing output: which items are done; drop failed rows and a torn last line.

    The file is rewritten as it is read (streamed to a temporary file, then atomically
    replaced), so memory holds one 8-byte key per done item, never the results.
    """
    state = ResumeState()
    if not path.exists() or path.stat().st_size == 0:
        return state
    if fmt not in RESUMABLE:
        raise InvalidQuery(f"cannot resume a {fmt!r} output; use csv, json or ndjson with --output")
    if fmt != "csv" and _foreign_json_lines(path):
        raise InvalidQuery(
            f"{path} is not a movieagg batch {fmt} output; choose another --output or remove it"
        )
    tmp = path.with_name(f".{path.name}.resume-{os.getpid()}")
    kept = 0
    with open(path, encoding="utf-8", newline="") as src, open(tmp, "w", encoding="utf-8", newline="") as dst:
        if fmt == "csv":
            reader = csv.reader(src)
            header = next(reader, None)
            if header is None or tuple(header) != CSV_COLUMNS:
                raise InvalidQuery(
                    f"{path} is not a movieagg batch CSV; choose another --output or remove it"
                )
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(header)
            col = {name: i for i, name in enumerate(header)}
            for row in reader:
                if len(row) != len(header):
                    continue  # torn last row
                if row[col["status"]] == "failed":
                    state.retried += 1
                    continue
                key = _key_from_record(
                    row[col["index"]],
                    row[col["input_title"]],
                    row[col["input_year"]],
                    row[col["input_imdb_id"]],
                )
                if key is None:
                    continue
                state.done.add(key)
                state.previous[row[col["status"]]] += 1
                state.previous_cached += row[col["cached"]] == "yes"
                writer.writerow(row)
                kept += 1
        else:
            if fmt == "json":
                dst.write("[\n")
            first = True
            for line in src:
                if not line.endswith("\n") and fmt == "ndjson":
                    break  # torn last line
                record = _record_from_json_line(line)
                if record is None or "status" not in record or "index" not in record:
                    continue
                if record.get("status") == "failed":
                    state.retried += 1
                    continue
                raw_input = record.get("input")
                given: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
                key = _key_from_record(
                    record.get("index"), given.get("title"), given.get("year"), given.get("imdb_id")
                )
                if key is None:
                    continue
                state.done.add(key)
                state.previous[str(record.get("status"))] += 1
                result = record.get("result")
                state.previous_cached += bool(isinstance(result, dict) and result.get("cached"))
                out = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                if fmt == "json":
                    dst.write(("" if first else ",\n") + out)
                else:
                    dst.write(out + "\n")
                first = False
                kept += 1
    os.replace(tmp, path)
    state.append = True
    return state


__all__ = [
    "BatchInputError",
    "BatchItem",
    "BatchResult",
    "BatchSummary",
    "OutputWriter",
    "arate_many",
    "prepare_resume",
    "rate_many",
    "read_items",
]
