"""Batch inputs against REAL export files (tests/corpus, sources in tests/corpus/SOURCES).

Every file is read the way `movieagg batch FILE` reads it (open_input → read_items): exactly the
films it holds, with their years, and the titles as written in the file (whatever its encoding).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from movieagg.batch.inputs import BatchInputError, count_items, open_input, read_items

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PJ = CORPUS / "letterboxd" / "patrickmjones"
EX = CORPUS / "letterboxd" / "extratone"


def read(path: Path | str, member: str | None = None) -> list[tuple[str | None, int | None, str | None]]:
    with open_input(str(path), member=member) as fh:
        return [(i.title, i.year, i.imdb_id) for i in read_items(fh)]


def years(path: Path | str, member: str | None = None) -> list[int | None]:
    return [y for _, y, _ in read(path, member)]


# ------------------------------------------------------------------ Letterboxd: lists, both layouts


LISTS = {
    # old layout: blank first line, the list's own table, blank line, the films table
    PJ / "lists" / "zatoichi.csv": (
        [1962, 1962, 2003, 2010],
        "The Tale of Zatoichi",
        "Zatoichi: The Last",
    ),
    PJ / "lists" / "made-in-hong-kong-film-festival-2020.csv": ([2019] * 6, "Better Days", "A Witness Out of the Blue"),
    PJ / "lists" / "ffc-slipstreams-follow-along.csv": (
        [1945, 2016, 2022, 1988, 1943, 2016, 2017, 2000, 1999, 2001, 2012, 1988, 2019, 1994, 1989,
         1989, 1956, 2020, 2022, 2019, 1964, 2002, 1991, 2000, 1977, 1983, 1956, 1997, 1999, 1961],
        "The Clock",
        "Mother Joan of the Angels",
    ),
    # v7 layout: "Letterboxd list export v7" first, CRLF line endings
    EX / "lists" / "media-meta.csv": ([2014, 2015, 2018, 2010, 2014, 1976, 2014], "Mad As Hell", "Life Itself"),
    EX / "lists" / "contact.csv": ([2021], "Val", "Val"),
}


@pytest.mark.parametrize("path", list(LISTS), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_letterboxd_list_exports_are_exactly_their_films_with_years(path: Path) -> None:
    want_years, first, last = LISTS[path]
    got = read(path)
    assert [y for _, y, _ in got] == want_years
    assert got[0][0] == first and got[-1][0] == last
    assert all(imdb is None for _, _, imdb in got)
    assert count_items(str(path)) == len(want_years)


def test_list_item_indexes_are_the_films_positions() -> None:
    with open_input(str(EX / "lists" / "media-meta.csv")) as fh:
        assert [i.index for i in read_items(fh)] == [1, 2, 3, 4, 5, 6, 7]


# ------------------------------------------------------------------ Letterboxd: the other exports


def test_letterboxd_watched_ratings_diary_watchlist_reviews() -> None:
    watched = read(PJ / "watched.csv")
    assert len(watched) == 30
    assert watched[0] == ("Never-Ending Man: Hayao Miyazaki", 2016, None) and watched[-1] == ("Hard Boiled", 1992, None)
    assert years(PJ / "ratings.csv") == [1980, 2019, 2014, 2021, 1999]
    diary = read(PJ / "diary.csv")
    assert len(diary) == 20 and diary[0] == ("Soylent Green", 1973, None) and diary[-1] == ("Taken 2", 2012, None)
    watchlist = read(PJ / "watchlist.csv")
    assert len(watchlist) == 20 and watchlist[-1] == ("Death to Smoochy", 2002, None)
    assert watchlist[7] == ("Heaven’s Waiting", None, None)  # the export has no year for it
    # reviews span several lines inside quotes: 12 records in 19 lines
    reviews = read(PJ / "reviews.csv")
    assert [y for _, y, _ in reviews] == [2018, 2017, 1980, 1986, 1975, 1967, 1997, 1974, 2014, 2018, 2019, 2001]
    assert reviews[0][0] == "Roma" and reviews[-1][0] == "Wretched Lives"
    crlf = read(EX / "watched.csv")
    assert len(crlf) == 20 and crlf[0] == ("Summer with Monika", 1953, None) and crlf[-1] == ("Chernobyl Diaries", 2012, None)


# ------------------------------------------------------------------ IMDb: column sets and encodings


def test_imdb_ratings_export_in_windows_1252_keeps_its_titles() -> None:
    got = read(CORPUS / "imdb" / "ratings-2021-cp1252.csv")
    assert len(got) == 58
    assert got[0] == ("The Rental", 2020, "tt10003008")
    assert got[-1] == ("Alien³", 1992, "tt0103644")
    titles = {t for t, _, _ in got}
    assert {"Kurôzu zero", "Alien³"} <= titles
    assert not any("\ufffd" in (t or "") for t in titles)


def test_imdb_watchlist_2018_columns_in_windows_1252() -> None:
    got = read(CORPUS / "imdb" / "watchlist-2018-cp1252.csv")
    assert len(got) == 30
    assert got[0] == ("Holy Ghost", 2014, "tt3747978") and got[-1] == ("L.A. Confidential", 1997, "tt0119488")


def test_imdb_ratings_2024_columns_quoted_with_original_title() -> None:
    got = read(CORPUS / "imdb" / "ratings-2024.csv")
    assert len(got) == 30
    assert got[0] == ("Dexter: If I Had A Hammer", 2009, "tt1444426")
    assert got[1] == ("Den vilda roboten", 2024, "tt29623480")  # rated by id; the title is as exported


def test_imdb_old_quoted_export_in_greek() -> None:
    got = read(CORPUS / "imdb" / "watchlist-2015-old.csv")
    assert len(got) == 30
    assert got[0] == ("Οι επίλεκτοι", 2007, "tt0861739") and got[-1] == ("Η Κάθοδος 2", 2009, "tt1073105")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_byte_order_marks_choose_the_encoding(tmp_path: Path, encoding: str) -> None:
    text = (CORPUS / "imdb" / "ratings-2021-cp1252.csv").read_bytes().decode("cp1252")
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        data = ("\ufeff" + text).encode(codec)
    else:
        data = text.encode(encoding)
    path = tmp_path / "ratings.csv"
    path.write_bytes(data)
    got = read(path)
    assert len(got) == 58 and got[-1] == ("Alien³", 1992, "tt0103644")


def test_utf8_stays_utf8_even_with_a_bad_byte_late(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes("Amélie\n".encode() + b"Caf\xe9\n")  # UTF-8 first: a stray byte is replaced
    assert [t for t, _, _ in read(path)] == ["Amélie", "Caf\ufffd"]


def test_cp1252_detected_after_a_long_ascii_prefix(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"Heat\n" * 50_000 + b"Alien\xb3\n")  # the first non-ASCII byte is past 200 KB
    got = read(path)
    assert len(got) == 50_001 and got[-1][0] == "Alien³"


def test_stdin_is_decoded_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    data = (CORPUS / "imdb" / "ratings-2021-cp1252.csv").read_bytes()
    fake_stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "stdin", fake_stdin)
    got = read("-")
    assert len(got) == 58 and got[-1][0] == "Alien³"


# ------------------------------------------------------------------ the Letterboxd export zip


def export_zip(tmp_path: Path) -> Path:
    """A zip laid out as Letterboxd's letterboxd-USER-DATE.zip, holding the real corpus files."""
    path = tmp_path / "letterboxd-someone-2026-01-01-00-00-utc.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("watched.csv", "ratings.csv", "diary.csv", "watchlist.csv", "reviews.csv"):
            zf.write(PJ / name, name)
        zf.write(PJ / "lists" / "zatoichi.csv", "lists/zatoichi.csv")
        zf.write(EX / "lists" / "media-meta.csv", "lists/media-meta.csv")
        zf.writestr("profile.csv", "Date Joined,Username\n2019-01-01,someone\n")
    return path


def test_export_zip_reads_watched_by_default(tmp_path: Path) -> None:
    zipped = export_zip(tmp_path)
    assert read(zipped) == read(PJ / "watched.csv")
    assert count_items(str(zipped)) == 30


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("ratings", PJ / "ratings.csv"),
        ("diary", PJ / "diary.csv"),
        ("watchlist", PJ / "watchlist.csv"),
        ("reviews", PJ / "reviews.csv"),
        ("lists/zatoichi", PJ / "lists" / "zatoichi.csv"),
        ("lists/media-meta.csv", EX / "lists" / "media-meta.csv"),
    ],
)
def test_export_zip_from_picks_a_member(tmp_path: Path, member: str, expected: Path) -> None:
    zipped = export_zip(tmp_path)
    assert read(zipped, member) == read(expected)
    assert count_items(str(zipped), member=member) == len(read(expected))


def test_export_zip_unknown_member_lists_what_it_holds(tmp_path: Path) -> None:
    zipped = export_zip(tmp_path)
    with pytest.raises(BatchInputError) as err:
        read(zipped, "lists/nope")
    message = str(err.value)
    assert "lists/nope" in message
    for name in ("watched", "ratings", "diary", "watchlist", "reviews", "lists/zatoichi", "lists/media-meta"):
        assert name in message


def test_export_zip_bomb_is_refused_without_extracting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import movieagg.batch.archive as inputs

    monkeypatch.setattr(inputs, "ZIP_MEMBER_LIMIT", 1_000_000)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("watched.csv", "Date,Name,Year,Letterboxd URI\n" + "2024-01-01,Heat,1995,u\n" * 200_000)
    with pytest.raises(BatchInputError, match="larger than"):
        read(path)


def test_export_zip_member_size_is_checked_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member whose header lies about its size is stopped by the bytes actually read."""
    import movieagg.batch.archive as inputs

    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("watched.csv", "Date,Name,Year,Letterboxd URI\n" + "2024-01-01,Heat,1995,u\n" * 1000)
    stream = inputs._CappedReader(io.BytesIO(b"x" * 5000), limit=4096, name="watched.csv")
    with pytest.raises(BatchInputError, match="larger than"):
        stream.read()
    assert read(path)[0] == ("Heat", 1995, None)


def test_zip_member_names_never_reach_the_filesystem(tmp_path: Path) -> None:
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../evil.csv", "title\nHeat\n")
        zf.writestr("watched.csv", "Date,Name,Year,Letterboxd URI\n2024-01-01,Heat,1995,u\n")
    before = set(tmp_path.parent.rglob("*"))
    assert read(path) == [("Heat", 1995, None)]
    with pytest.raises(BatchInputError):
        read(path, "../../evil")
    assert set(tmp_path.parent.rglob("*")) == before


def test_not_a_zip_with_from_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("Heat\n")
    with pytest.raises(BatchInputError, match="zip"):
        read(path, "ratings")
