"""Writing batch results as csv / ndjson / json, one record a line, flushed each, so a crash loses nothing.

The formats here are also the ones :mod:`movieagg.batch.resume` reads back.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path
from typing import IO, Any

from movieagg.batch.results import BatchResult
from movieagg.core.errors import InvalidQuery
from movieagg.core.models import RatingResult

FORMATS = ("table", "csv", "json", "ndjson")
RESUMABLE = ("csv", "json", "ndjson")

CSV_COLUMNS = (
    "index", "input_title", "input_year", "input_imdb_id", "status", "title", "year", "imdb_id",
    "score", "confidence", "imdb", "imdb_votes", "rotten_tomatoes", "metacritic", "tmdb", "trakt", "cached",
    "message",
)  # fmt: skip
# Files written before a column was added still resume: their rows are widened as they are read.
ADDED_COLUMNS = ("confidence",)


def _rating(result: RatingResult | None, name: str) -> Any:
    if result is None:
        return ""
    chosen = [r for r in result.ratings if r.name == name]
    chosen.sort(key=lambda r: -r.weight)
    return f"{chosen[0].value:g}" if chosen else ""


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(…), +cmd|…, @SUM…):
# OWASP's CSV injection guidance is a leading apostrophe, which spreadsheets show as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a formula-like cell gets a leading ``'``.

    Reversible (:func:`from_spreadsheet`): a cell that already starts with quotes before a
    formula character gets one more.
    """
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_START) else cell


def from_spreadsheet(cell: str) -> str:
    """The text :func:`spreadsheet_safe` was given (resuming reads our own CSV back)."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START) else cell


def csv_row(res: BatchResult) -> list[Any]:
    """One CSV row; text from the input or upstream is :func:`spreadsheet_safe`, and a CR in it
    becomes a newline (quoted by the writer; a bare CR would end the row for a reader)."""
    return [
        spreadsheet_safe(c).replace("\r\n", "\n").replace("\r", "\n") if isinstance(c, str) else c
        for c in _csv_cells(res)
    ]


def _csv_cells(res: BatchResult) -> list[Any]:
    r = res.result
    movie = r.movie if r else None
    imdb_votes = next((x.votes for x in (r.ratings if r else ()) if x.name == "imdb" and x.votes), None)
    message = res.message or "; ".join(f"{e.source}: {e.message}" for e in res.errors)
    return [
        res.item.index, res.item.title or "", res.item.year or res.item.year_text or "",
        res.item.imdb_id or "",
        res.status, movie.title if movie else "", (movie.year if movie else None) or "",
        (movie.imdb_id if movie else None) or "", "" if r is None or r.score is None else f"{r.score:g}",
        "" if r is None or r.match is None else f"{r.match.confidence:.2f}",
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
            line = json.dumps(res.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
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
