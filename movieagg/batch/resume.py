"""Resuming a batch: read an earlier output back, keep what is done, drop failed rows to retry them.

Memory holds one 8-byte key per done item, never the results.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from movieagg.batch.inputs import split_year
from movieagg.batch.items import BatchItem
from movieagg.batch.outputs import ADDED_COLUMNS, CSV_COLUMNS, RESUMABLE, from_spreadsheet
from movieagg.core.errors import InvalidQuery


@dataclass
class ResumeState:
    """What an earlier output already holds: done item keys, their counts, and how to go on."""

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
            older = [c for c in CSV_COLUMNS if c not in ADDED_COLUMNS]
            if header is None or (tuple(header) != CSV_COLUMNS and header != older):
                raise InvalidQuery(
                    f"{path} is not a movieagg batch CSV; choose another --output or remove it"
                )
            widen = header == older  # written before the added columns: rows gain empty cells
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            col = {name: i for i, name in enumerate(header)}
            for row in reader:
                if len(row) != len(header):
                    continue  # torn last row
                if row[col["status"]] == "failed":
                    state.retried += 1
                    continue
                key = _key_from_record(  # the cells as written: formula-like ones quoted
                    row[col["index"]],
                    from_spreadsheet(row[col["input_title"]]),
                    from_spreadsheet(row[col["input_year"]]),
                    from_spreadsheet(row[col["input_imdb_id"]]),
                )
                if key is None:
                    continue
                state.done.add(key)
                state.previous[row[col["status"]]] += 1
                state.previous_cached += row[col["cached"]] == "yes"
                if widen:
                    cells = dict(zip(header, row, strict=True))
                    row = [cells.get(c, "") for c in CSV_COLUMNS]
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
