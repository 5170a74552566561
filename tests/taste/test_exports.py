"""Reading a person's ratings: the REAL Letterboxd and IMDb exports in tests/corpus (see SOURCES)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from movieagg.batch.items import BatchInputError
from movieagg.taste.exports import parse_export, read_export

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PJ = CORPUS / "letterboxd" / "patrickmjones"


def test_letterboxd_ratings_csv_stars_become_0_to_100() -> None:
    export = read_export(str(PJ / "ratings.csv"))
    assert export.kind == "letterboxd" and export.scale == 5
    got = [(r.item.title, r.item.year, r.rating, r.given) for r in export.rows]
    assert got == [
        ("The Shining", 1980, 100.0, "5"),
        ("Parasite", 2019, 100.0, "5"),
        ("Backcountry", 2014, 30.0, "1.5"),
        ("The Green Knight", 2021, 100.0, "5"),
        ("The Matrix", 1999, 100.0, "5"),
    ]
    assert len(export.rated) == 5


def test_letterboxd_export_zip_reads_its_ratings_table(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # the real member names of an export
        for name in ("watched.csv", "ratings.csv", "diary.csv"):
            z.write(PJ / name, name)
    path = tmp_path / "letterboxd-pj-2021-12-13-utc.zip"
    path.write_bytes(buf.getvalue())
    export = read_export(str(path))
    assert [r.item.title for r in export.rated][:2] == ["The Shining", "Parasite"]
    assert len(export.rows) == 5  # ratings.csv, not watched.csv (30 films)


def test_imdb_2021_export_in_windows_1252() -> None:
    export = read_export(str(CORPUS / "imdb" / "ratings-2021-cp1252.csv"))
    assert export.kind == "imdb" and export.scale == 10
    assert len(export.rows) == 58 and len(export.rated) == 58  # tvMovie and video are films
    first = export.rows[0]
    assert (first.item.imdb_id, first.item.title, first.rating) == ("tt10003008", "The Rental", 60.0)
    assert export.rows[-1].item.title == "Alien³"
    assert any(r.item.title == "Kurôzu zero" for r in export.rows)


def test_imdb_2024_export_leaves_out_tv_episodes_with_a_reason() -> None:
    export = read_export(str(CORPUS / "imdb" / "ratings-2024.csv"))
    skipped = [r for r in export.rows if r.skip]
    assert sorted(r.skip or "" for r in skipped) == ["not a film (TV Episode)"] * 21 + [
        "not a film (TV Series)"
    ]
    assert len(export.rated) == len(export.rows) - len(skipped) > 0


def test_rows_without_or_with_a_bad_rating_are_skipped_with_the_reason() -> None:
    export = parse_export([
        "Date,Name,Year,Letterboxd URI,Rating\n",
        "2024-01-01,Heat,1995,https://boxd.it/a,\n",
        "2024-01-01,Up,2009,https://boxd.it/b,7\n",
        "2024-01-01,M,1931,https://boxd.it/c,4.25\n",
        "2024-01-01,Se7en,1995,https://boxd.it/d,٤\n",
        "2024-01-01,WALL·E,2008,https://boxd.it/e,0.5\n",
    ])  # fmt: skip
    assert [r.skip for r in export.rows] == [
        "no rating in this row",
        "rating '7' is not on the 0.5–5 scale",
        "rating '4.25' is not on the 0.5–5 scale",
        "rating '٤' is not a number",
        None,
    ]
    assert export.rows[-1].rating == 10.0


@pytest.mark.parametrize("name", ["watched.csv", "watchlist.csv"])
def test_an_export_without_ratings_is_a_clear_error(name: str) -> None:
    with pytest.raises(BatchInputError, match="not a ratings export"):
        read_export(str(PJ / name))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(BatchInputError, match="empty"):
        read_export(str(tmp_path / "empty.csv"))
    with pytest.raises(BatchInputError, match="no such file"):
        read_export(str(tmp_path / "nope.csv"))
