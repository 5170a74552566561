"""Batch CSV cells a spreadsheet would run as formulas are neutralised (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from movieagg.batch.items import BatchItem
from movieagg.batch.outputs import OutputWriter, csv_row, from_spreadsheet, spreadsheet_safe
from movieagg.batch.results import BatchResult
from movieagg.batch.resume import prepare_resume
from movieagg.core.models import Movie, Query, RatingResult

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_get_a_leading_quote_and_read_back_whole(cell: str) -> None:
    safe = spreadsheet_safe(cell)
    assert safe == "'" + cell
    assert from_spreadsheet(safe) == cell


@pytest.mark.parametrize("cell", ["The Matrix", "'quoted", "It's", "", "1999", "8.7", "tt0133093"])
def test_other_cells_are_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell and from_spreadsheet(cell) == cell


def test_a_cell_already_starting_with_quote_and_formula_round_trips() -> None:
    assert from_spreadsheet(spreadsheet_safe("'=1")) == "'=1"


def test_csv_rows_never_start_a_cell_with_a_formula() -> None:
    item = BatchItem(1, FORMULAS[0], year_text="=1+1")
    movie = Movie("=cmd|' /C calc'!A0", 2001, "tt9000002")
    result = RatingResult(Query(FORMULAS[0]), movie, (), None)
    for res in (
        BatchResult(item, "found", result),
        BatchResult(item, "invalid", message="@SUM(A1) is not a year"),
    ):
        out = io.StringIO()
        csv.writer(out).writerow(csv_row(res))
        (cells,) = list(csv.reader(io.StringIO(out.getvalue())))
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


def test_a_carriage_return_in_a_cell_does_not_split_the_row() -> None:
    res = BatchResult(BatchItem(1, "Red\rAlert"), "not_found", message="\r=1+1")
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerow(csv_row(res))
    (cells,) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert cells[1] == "Red\nAlert" and cells[-1] == "'\n=1+1"


def test_resume_reads_neutralised_titles_back(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    items = [BatchItem(i, title) for i, title in enumerate(FORMULAS[:-1], start=1)]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = OutputWriter(fh, "csv")
        for item in items:
            writer.write(BatchResult(item, "not_found", message="no film matches"))
    state = prepare_resume(path, "csv")
    assert state.done == {item.key for item in items}
