"""Reading batch inputs: text lines, CSV/TSV (Letterboxd and IMDb exports and their zip), library values.

Everything here turns outside input into :class:`~movieagg.batch.items.BatchItem` s, lazily
(one line at a time), so a 100,000-line file is never held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import re
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from movieagg.batch.items import BatchInputError, BatchItem
from movieagg.core.errors import InvalidQuery
from movieagg.core.query import parse_query

# Id-shaped text in a CSV cell is taken as one and left to the core's validation (ASCII digits
# only), so "tt٠١٢…" is reported as invalid rather than searched as a title (text lines: the
# core's query parser does the same, "(٢٠٠٩)" included).
_IMDB_IN_TEXT = re.compile(r"(?<![a-z0-9])(tt\d{7,8})(?!\d)", re.IGNORECASE)

# Column names, lower-cased, in order of preference (Letterboxd, IMDb exports, our own output).
TITLE_COLUMNS = ("title", "name", "primarytitle", "film", "movie", "input_title", "original title")
YEAR_COLUMNS = ("year", "release year", "startyear", "input_year", "release_year")
IMDB_COLUMNS = ("imdb_id", "imdbid", "imdb id", "const", "tconst", "imdb", "input_imdb_id", "imdb url")
URL_COLUMNS = ("url", "imdb url", "link")


def parse_text_line(line: str, index: int) -> BatchItem | None:
    """A line as the core's query parser reads it (``Title``, ``Title (1999)``, an IMDb id, a
    film URL); blank lines and ``# comments`` → None (``#Alive`` is a film: a comment's ``#``
    stands alone or is followed by a space). A line that names no film is an invalid item."""
    text = line.strip().lstrip("\ufeff")
    if not text or text == "#" or text.startswith(("# ", "#\t", "##")):
        return None
    try:
        parsed = parse_query(text)
    except InvalidQuery as exc:
        return BatchItem(index, text[:200], error=str(exc))
    if parsed.imdb_id is not None:
        return BatchItem(index, imdb_id=parsed.imdb_id)
    if parsed.kind == "tmdb":
        return BatchItem(index, text)  # rated by its TMDB id: the aggregator reads the link again
    return BatchItem(index, parsed.query.title, parsed.query.year)


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


def row_item(row: Sequence[str], cols: CsvColumns, index: int) -> BatchItem | None:
    """One CSV row as the batch reads it (None for a blank row): for readers of other columns
    of the same exports (``movieagg taste`` reads the user's own rating beside the film)."""
    return _csv_item(row, cols, index)


# Letterboxd list exports hold two tables: the list's own row, a blank line, then the films.
# Newer ones begin with a line "Letterboxd list export v7".
_LIST_MARKER = re.compile(r"^\ufeff?letterboxd list export v\d+\s*,*\s*$", re.IGNORECASE)
_LIST_META = ("date", "name", "tags", "url", "description")


def _is_list_meta(header: Sequence[str]) -> bool:
    return tuple(h.strip().lower().lstrip("\ufeff") for h in header[: len(_LIST_META)]) == _LIST_META


def read_items(stream: Iterable[str]) -> Iterator[BatchItem]:
    """Stream items from the lines of a text or CSV input; the format is told by its header."""
    lines = iter(stream)
    first: str | None = None
    for line in lines:
        if line.strip() and not _LIST_MARKER.match(line.strip()):
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
        if _is_list_meta(next(csv.reader([first], delimiter=delimiter))):
            cols = _films_table(reader)
        for index, row in enumerate(reader, start=1):
            item = _csv_item(row, cols, index)
            if item is not None:
                yield item
    except csv.Error as exc:
        raise BatchInputError(f"cannot read the CSV input at row {reader.line_num + 1}: {exc}") from None


def _films_table(reader: Iterator[list[str]]) -> CsvColumns:
    """Skip a Letterboxd list's own table (its row may span lines); the films table's columns."""
    for row in reader:
        if row and row[0].strip().lower() == "position":
            cols = CsvColumns.from_header(row)
            if cols is not None:
                return cols
    raise BatchInputError("this Letterboxd list export has no films table (Position,Name,Year,…)")


def open_input(path: str, member: str | None = None) -> TextIO:
    """A file, a member of an export zip, or ``-`` for stdin, opened for :func:`read_items`.

    The encoding is told by a byte order mark (UTF-8, UTF-16) or else by the bytes (UTF-8, or
    Windows-1252 as older IMDb exports are). ``member`` picks a table of a zip (``ratings``,
    ``lists/NAME``); a zip without it gives ``watched``.
    """
    from movieagg.batch.archive import is_zip, open_member
    from movieagg.batch.decoding import text_stream

    if path == "-":
        import sys

        if member is not None:
            raise BatchInputError("--from reads a member of a zip file; a zip cannot come from stdin")
        return text_stream(sys.stdin.buffer)
    try:
        if member is not None or (path.lower().endswith(".zip") or is_zip(path)):
            if not is_zip(path):
                open(path, "rb").close()
                raise BatchInputError(f"{path} is not a zip file (--from picks a table of an export zip)")
            return text_stream(open_member(path, member))
        return text_stream(open(path, "rb"))
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


def count_items(path: str, member: str | None = None) -> int | None:
    """How many items a file holds (a quick first pass, for the progress bar); None for stdin."""
    if path == "-":
        return None
    with open_input(path, member) as fh:
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
