"""Batch outputs read back: a re-run keeps what is done, retries failures, refuses foreign files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from movieagg.batch.items import BatchItem
from movieagg.batch.outputs import CSV_COLUMNS, OutputWriter
from movieagg.batch.results import BatchResult
from movieagg.batch.resume import prepare_resume
from movieagg.core.models import Movie, Query, Rating


def _result(index: int, status: str = "found") -> BatchResult:
    from movieagg.core.models import RatingResult

    item = BatchItem(index, f"Film {index}", 2000)
    if status != "found":
        return BatchResult(item, status, message="boom")
    movie = Movie(f"Film {index}", 2000, imdb_id=f"tt{1000000 + index:07d}")
    rating = Rating("imdb", "IMDb", 7.0, 10.0, 10, "omdb", weight=1.0)
    return BatchResult(item, "found", RatingResult(Query(item.title or ""), movie, (rating,), 70.0))


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_writer_resume_drops_failed_and_torn_rows(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = OutputWriter(fh, fmt)
        for r in (_result(1), _result(2, "failed"), _result(3), _result(4, "not_found")):
            w.write(r)
        if fmt != "json":  # a crash mid-line
            fh.write('{"index":5,"inp' if fmt == "ndjson" else "5,Film 5,20")
    state = prepare_resume(path, fmt)
    assert state.retried == 1 and state.previous == {"found": 2, "not_found": 1}
    assert state.done == {BatchItem(i, f"Film {i}", 2000).key for i in (1, 3, 4)}
    with open(path, "a", encoding="utf-8", newline="") as fh:
        w = OutputWriter(fh, fmt, append=True)
        w.write(_result(2))
        w.write(_result(5))
        w.close()
    text = path.read_text()
    if fmt == "json":
        indexes = [row["index"] for row in json.loads(text)]
    elif fmt == "ndjson":
        indexes = [json.loads(line)["index"] for line in text.splitlines()]
    else:
        lines = text.splitlines()
        assert tuple(lines[0].split(",")) == CSV_COLUMNS
        indexes = [int(line.split(",")[0]) for line in lines[1:]]
    assert sorted(indexes) == [1, 2, 3, 4, 5]


def test_resume_refuses_a_foreign_csv(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(Exception, match="not a movieagg batch CSV"):
        prepare_resume(path, "csv")
    assert path.read_text() == "a,b\n1,2\n"  # untouched


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_resume_refuses_foreign_json_lines(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"notes.{fmt}"
    path.write_text('{"my": "notes"}\n{"more": 1}\n')
    with pytest.raises(Exception, match="not a movieagg batch"):
        prepare_resume(path, fmt)
    assert path.read_text() == '{"my": "notes"}\n{"more": 1}\n'  # untouched


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_uncertain_rows_are_answers_kept_on_resume(tmp_path: Path, fmt: str) -> None:
    from dataclasses import replace

    from movieagg.core.models import Match

    path = tmp_path / f"out.{fmt}"
    found = _result(1)
    assert found.result is not None
    doubtful = BatchResult(
        BatchItem(2, "Film 2", 2000),
        "uncertain",
        replace(found.result, match=Match(0.51, "title", ("OMDb's search puts Film 2 (2001) first",))),
        "match 0.51: OMDb's search puts Film 2 (2001) first",
    )
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = OutputWriter(fh, fmt)
        w.write(found)
        w.write(doubtful)
        w.close()
    if fmt == "csv":
        import csv

        rows = list(csv.DictReader(path.open()))
        assert (rows[1]["status"], rows[1]["confidence"]) == ("uncertain", "0.51")
        assert "first" in rows[1]["message"]
    state = prepare_resume(path, fmt)
    assert state.retried == 0 and state.previous == {"found": 1, "uncertain": 1}


def test_a_csv_written_before_the_confidence_column_resumes(tmp_path: Path) -> None:
    old_columns = [c for c in CSV_COLUMNS if c != "confidence"]
    path = tmp_path / "old.csv"
    path.write_text(",".join(old_columns) + "\n1,Film 1,2000,,found,Film 1,2000,tt1000001,70,7,,,,,,no,\n")
    state = prepare_resume(path, "csv")
    assert state.previous == {"found": 1}
    lines = path.read_text().splitlines()
    assert tuple(lines[0].split(",")) == CSV_COLUMNS and len(lines[1].split(",")) == len(CSV_COLUMNS)
