"""One query parser for every face: titles, `Title (YYYY)`, IMDb ids, and film URLs."""

from __future__ import annotations

import pytest

from movieagg.core.errors import InvalidQuery
from movieagg.core.models import Query
from movieagg.core.query import parse_query


@pytest.mark.parametrize(
    ("text", "title", "year"),
    [
        ("Up (2009)", "Up", 2009),
        ("Psycho (1960)", "Psycho", 1960),
        ("Heat [1995]", "Heat", 1995),
        ("  Dune   (1984)  ", "Dune", 1984),
        ("Crouching Tiger, Hidden Dragon (2000)", "Crouching Tiger, Hidden Dragon", 2000),
        ("#Alive (2020)", "#Alive", 2020),
        # a title that merely contains a number stays a title
        ("1917", "1917", None),
        ("2001: A Space Odyssey", "2001: A Space Odyssey", None),
        ("Blade Runner 2049", "Blade Runner 2049", None),
        ("(500) Days of Summer", "(500) Days of Summer", None),
        ("Wonder Woman 1984", "Wonder Woman 1984", None),
        ("The Matrix 1999", "The Matrix 1999", None),
        ("1984 (1984)", "1984", 1984),
        ("Foo (1234)", "Foo (1234)", None),  # not a plausible year: part of the title
        ("Amélie", "Amélie", None),
    ],
)
def test_titles_and_years(text: str, title: str, year: int | None) -> None:
    parsed = parse_query(text)
    assert parsed.kind == "title"
    assert parsed.query == Query(title, year)


@pytest.mark.parametrize(
    "text",
    [
        "tt1049413",
        "TT1049413",
        " tt1049413 ",
        "https://www.imdb.com/title/tt1049413/",
        "https://www.imdb.com/title/tt1049413/?ref_=nv_sr_srsg_0",
        "http://imdb.com/title/tt1049413",
        "https://m.imdb.com/title/tt1049413/ratings/",
        "https://www.imdb.com/de/title/tt1049413/",
        "www.imdb.com/title/tt1049413/",
    ],
)
def test_imdb_ids_and_urls(text: str) -> None:
    parsed = parse_query(text)
    assert (parsed.kind, parsed.imdb_id) == ("imdb", "tt1049413")


def test_blade_runner_imdb_url_from_the_issue() -> None:
    assert parse_query("https://www.imdb.com/title/tt0083658/").imdb_id == "tt0083658"


@pytest.mark.parametrize(
    ("text", "tmdb"),
    [
        ("https://www.themoviedb.org/movie/603-the-matrix", 603),
        ("https://www.themoviedb.org/movie/603", 603),
        ("https://themoviedb.org/movie/603-the-matrix?language=de-DE", 603),
        ("themoviedb.org/movie/14160-up", 14160),
    ],
)
def test_tmdb_urls_are_tmdb_ids(text: str, tmdb: int) -> None:
    parsed = parse_query(text)
    assert (parsed.kind, parsed.tmdb_id) == ("tmdb", tmdb)


@pytest.mark.parametrize(
    ("text", "title", "year"),
    [
        ("https://letterboxd.com/film/heat-1995/", "Heat", 1995),
        ("https://letterboxd.com/film/the-matrix/", "The Matrix", None),
        ("letterboxd.com/film/2001-a-space-odyssey/", "2001 A Space Odyssey", None),
        ("https://letterboxd.com/film/1917/", "1917", None),
        ("https://letterboxd.com/film/blade-runner-2049/", "Blade Runner 2049", None),
        ("https://letterboxd.com/someone/film/psycho-1960/", "Psycho", 1960),
        ("https://trakt.tv/movies/the-matrix-1999", "The Matrix", 1999),
        ("https://trakt.tv/movies/blade-runner-2049-2017", "Blade Runner 2049", 2017),
        ("https://app.trakt.tv/movies/up-2009/", "Up", 2009),
    ],
)
def test_letterboxd_and_trakt_slugs_are_a_title_and_a_year(text: str, title: str, year: int | None) -> None:
    parsed = parse_query(text)
    assert parsed.kind == "title"
    assert parsed.query == Query(title, year)


def test_a_slug_year_that_may_be_part_of_the_title_keeps_the_other_reading() -> None:
    parsed = parse_query("https://letterboxd.com/film/wonder-woman-1984/")
    assert parsed.query == Query("Wonder Woman", 1984)
    assert parsed.fallback is not None and parsed.fallback.query == Query("Wonder Woman 1984", None)
    assert parse_query("https://letterboxd.com/film/the-matrix/").fallback is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("https://www.imdb.com/name/nm0000206/", "not a film"),
        ("https://www.themoviedb.org/tv/1399-game-of-thrones", "not a film"),
        ("https://trakt.tv/shows/breaking-bad", "not a film"),
        ("https://boxd.it/2bcA", "boxd.it"),
        ("https://example.com/film/heat-1995/", "example.com"),
        ("https://www.themoviedb.org/person/287", "not a film"),
    ],
)
def test_other_links_are_clear_errors(text: str, needle: str) -> None:
    with pytest.raises(InvalidQuery, match=needle):
        parse_query(text)


def test_an_explicit_year_agrees_or_is_a_clear_error() -> None:
    assert parse_query("Psycho (1960)", 1960).query == Query("Psycho", 1960)
    assert parse_query("Psycho", "1998").query == Query("Psycho", 1998)
    with pytest.raises(InvalidQuery, match=r"1960.*1998"):
        parse_query("Psycho (1960)", 1998)
    with pytest.raises(InvalidQuery, match=r"1995.*1986"):
        parse_query("https://letterboxd.com/film/heat-1995/", 1986)


def test_a_year_beside_an_id_is_not_needed() -> None:
    parsed = parse_query("tt0054215", 1960)
    assert (parsed.kind, parsed.imdb_id) == ("imdb", "tt0054215")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\ufeff",
        "\u200b\u200b",  # zero-width spaces
        "\ufffd",
        "😀🎬",
        "\u200d\ufe0f",
        "!!!",
    ],
)
def test_titles_empty_after_folding_are_invalid(text: str) -> None:
    with pytest.raises(InvalidQuery):
        parse_query(text)
    with pytest.raises(InvalidQuery):
        Query.create(text)


def test_non_text_is_invalid() -> None:
    with pytest.raises(InvalidQuery):
        parse_query(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery):
        parse_query(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- one validation (#11 with #13)


@pytest.mark.parametrize(
    "text",
    [
        "Up (\u0662\u0660\u0660\u0669)",  # a year of Arabic-Indic digits: no year, and no title either
        "Up [\uff12\uff10\uff10\uff19]",  # fullwidth digits
        "tt\u0660\u0661\u0663\u0663\u0660\u0669\u0663",  # an IMDb id of Arabic-Indic digits
        "https://www.imdb.com/title/tt0133093\ud800/",  # a lone surrogate in a link
        "Up \udcc3",  # argv's undecodable bytes
        "https://www.themoviedb.org/movie/99999999999-huge",  # a TMDB id past the store's INTEGER
    ],
)
def test_id_and_year_shaped_text_gets_the_cores_validation(text: str) -> None:
    with pytest.raises(InvalidQuery):
        parse_query(text)


# ---------------------------------------------------------------- series and episodes (#16)


@pytest.mark.parametrize(
    ("text", "season", "episode", "title"),
    [
        ("Breaking Bad S05E14", 5, 14, "Breaking Bad"),
        ("breaking bad s5e14", 5, 14, "breaking bad"),
        ("Breaking Bad 5x14", 5, 14, "Breaking Bad"),
        ("The Office (2005) S02E01", 2, 1, "The Office"),
        ("Breaking Bad", None, None, "Breaking Bad"),
        ("Blade Runner 2049", None, None, "Blade Runner 2049"),
    ],
)
def test_episode_marks(text: str, season: int | None, episode: int | None, title: str) -> None:
    from movieagg.core.query import parse_episode_query

    parsed = parse_episode_query(text)
    assert (parsed.season, parsed.episode, parsed.query.title) == (season, episode, title)


def test_episode_options_and_conflicts() -> None:
    from movieagg.core.query import parse_episode_query

    parsed = parse_episode_query("Breaking Bad", None, "5", "14")
    assert (parsed.season, parsed.episode) == (5, 14)
    assert parse_episode_query("Breaking Bad S05E14", None, 5, 14).episode == 14
    assert (
        parse_episode_query("Fargo", None, 2).season == 2
        and parse_episode_query("Fargo", None, 2).episode is None
    )
    for args, message in (
        (("Breaking Bad S05E14", None, 4), "season 5 but 4"),
        (("Breaking Bad", None, None, 3), "needs its season"),
        (("Breaking Bad", None, "٥", 1), "whole number"),
        (("Breaking Bad", None, 5, 100000), "from 0 to 400"),
    ):
        with pytest.raises(InvalidQuery, match=message):
            parse_episode_query(*args)
    assert parse_episode_query("tt0959621").imdb_id == "tt0959621"


@pytest.mark.parametrize("value", ["movie", "SERIES", " episode ", "any"])
def test_types(value: str) -> None:
    from movieagg.core.query import validate_type

    assert validate_type(value) == value.strip().lower()
    assert validate_type(None) is None


def test_bad_type_is_one_clear_line() -> None:
    from movieagg.core.query import validate_type

    with pytest.raises(InvalidQuery, match="type must be one of movie, series, episode, any"):
        validate_type("documentary")
