"""Batch inputs: text lines, generic CSV/TSV, Letterboxd and IMDb exports, years as given."""

from __future__ import annotations

import io

import pytest

from movieagg.batch.inputs import BatchInputError, read_items


def items(text: str) -> list[tuple[int, str | None, int | None, str | None]]:
    return [(i.index, i.title, i.year, i.imdb_id) for i in read_items(io.StringIO(text))]


# ---------------------------------------------------------------------------- input formats


def test_text_lines_titles_years_ids_comments() -> None:
    text = (
        "\ufeffThe Matrix\n"
        "Dune (1984)\n"
        "  Blade Runner 2049  \n"
        "\n"
        "# a comment\n"
        "tt0083658\n"
        "https://www.imdb.com/title/tt0114369/?ref_=x\n"
        "Crouching Tiger, Hidden Dragon (2000)\n"
        "2001: A Space Odyssey\n"
        "#Alive (2020)\n"
        "1917\n"
    )
    assert items(text) == [
        (1, "The Matrix", None, None),
        (2, "Dune", 1984, None),
        (3, "Blade Runner 2049", None, None),
        (6, None, None, "tt0083658"),
        (7, None, None, "tt0114369"),
        (8, "Crouching Tiger, Hidden Dragon", 2000, None),
        (9, "2001: A Space Odyssey", None, None),
        (10, "#Alive", 2020, None),
        (11, "1917", None, None),
    ]


def test_generic_csv_with_title_year_imdb_columns() -> None:
    text = 'title,year,imdb_id\nThe Matrix,1999,\n"Crouching Tiger, Hidden Dragon",2000,\n,,tt0083658\n,,\n'
    assert items(text) == [
        (1, "The Matrix", 1999, None),
        (2, "Crouching Tiger, Hidden Dragon", 2000, None),
        (3, None, None, "tt0083658"),
    ]


def test_letterboxd_export() -> None:
    text = (
        "Date,Name,Year,Letterboxd URI,Rating\r\n"
        "2024-01-02,Blade Runner,1982,https://boxd.it/2bcA,4.5\r\n"
        '2024-01-03,"Ocean\'s Eleven",2001,https://boxd.it/1xYz,3\r\n'
    )
    assert items(text) == [(1, "Blade Runner", 1982, None), (2, "Ocean's Eleven", 2001, None)]


def test_imdb_list_and_ratings_exports() -> None:
    lst = (
        "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,"
        "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
        '1,tt0114369,2024-01-01,2024-01-01,,Se7en,Se7en,https://www.imdb.com/title/tt0114369/,Movie,8.6,127,1995,"Crime, Drama",1812345,1995-09-15,David Fincher\n'
    )
    assert items(lst) == [(1, "Se7en", 1995, "tt0114369")]
    ratings = (
        "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,"
        "Num Votes,Release Date,Directors\n"
        "tt0022100,9,2023-02-01,M,M,https://www.imdb.com/title/tt0022100/,Movie,8.3,117,1931,Crime,168123,1931-05-11,Fritz Lang\n"
    )
    assert items(ratings) == [(1, "M", 1931, "tt0022100")]


def test_tsv_and_one_column_csv_and_bad_year() -> None:
    assert items("tconst\tprimaryTitle\tstartYear\ntt0133093\tThe Matrix\t1999\n") == [
        (1, "The Matrix", 1999, "tt0133093")
    ]
    assert items("Title\nUp\nM\n") == [(1, "Up", None, None), (2, "M", None, None)]
    (bad,) = list(read_items(io.StringIO("title,year\nHeat,nineteen95\n")))
    assert bad.year is None and bad.year_text == "nineteen95"


def test_years_as_given() -> None:
    from movieagg.batch.inputs import split_year

    assert split_year(1999) == (1999, None) and split_year("1999") == (1999, None)
    assert split_year("2021-10-22") == (2021, None) and split_year(None) == (None, None)
    assert split_year("²⁰²¹") == (None, "²⁰²¹") and split_year("19x5") == (None, "19x5")
    (item,) = list(read_items(io.StringIO("title,year\nHeat,1995-12-15\n")))
    assert item.year == 1995


def test_broken_csv_is_a_clear_input_error() -> None:
    with pytest.raises(BatchInputError, match="row"):
        list(read_items(io.StringIO('title,year\n"' + "x" * 200_000 + '",1999\n')))


def test_text_lines_go_through_the_core_query_parser() -> None:
    text = (
        "https://letterboxd.com/film/heat-1995/\n"
        "https://trakt.tv/movies/the-matrix-1999\n"
        "www.imdb.com/title/tt0054215/\n"
        "Psycho [1960]\n"
        "TT0133093\n"
    )
    assert items(text) == [
        (1, "Heat", 1995, None),
        (2, "The Matrix", 1999, None),
        (3, None, None, "tt0054215"),
        (4, "Psycho", 1960, None),
        (5, None, None, "tt0133093"),
    ]


def test_unreadable_lines_are_invalid_items_not_lookups() -> None:
    got = list(read_items(io.StringIO("😀🎬\n\u200b\u200b\nhttps://boxd.it/2bcA\nhttps://www.themoviedb.org/movie/603-the-matrix\n")))
    assert [(i.index, bool(i.error)) for i in got] == [(1, True), (2, True), (3, True), (4, False)]
    assert "letters" in (got[0].error or "") and "boxd.it" in (got[2].error or "")
    # a TMDB link is rated by its TMDB id: the text goes to the aggregator as it is
    assert got[3].title == "https://www.themoviedb.org/movie/603-the-matrix"
