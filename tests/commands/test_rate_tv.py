"""`movieagg rate` for TV series and episodes against the fake upstream (issue #16): the kind
chosen, same-title series told apart, episodes by S05E14 / --season --episode / IMDb id, a film
never answered for a series query nor the reverse, the JSON per schema 1.1."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from movieagg.core.schema import rating_result_schema


def rate(*args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, ["rate", *args, "--json"], env=env)
    try:
        body = json.loads(result.stdout)
    except ValueError:
        body = None
    return result.exit_code, body, result.stderr


def test_a_series_title_answers_the_series(fake: FakeAPI) -> None:
    code, body, err = rate("Breaking Bad")
    assert code == 0, err
    jsonschema.Draft202012Validator(rating_result_schema()).validate(body)
    assert body["schema_version"] == "1.1" and body["kind"] == "series"
    assert body["movie"]["imdb_id"] == "tt0903747"
    assert body["tv"] == {
        "years": "2008–2013",
        "seasons": 5,
        "episodes": 62,
        "networks": ["AMC"],
        "creators": ["Vince Gilligan"],
        "season": None,
        "episode": None,
        "series": None,
    }
    assert {r["name"] for r in body["ratings"]} == {"imdb", "tmdb", "trakt"} and body["score"] > 80


def test_fargo_is_the_film_by_default_and_the_series_on_request(fake: FakeAPI) -> None:
    code, film, _ = rate("Fargo")
    assert code == 0 and film["kind"] == "movie" and film["movie"]["imdb_id"] == "tt0116282"
    assert film["tv"] is None
    code, either, _ = rate("Fargo", "--type", "any")
    assert code == 0 and either["movie"]["imdb_id"] == "tt0116282"
    assert any(a["imdb_id"] == "tt2802850" and "TV series" in a["title"] for a in either["alternatives"])
    code, series, _ = rate("Fargo", "--type", "series")
    assert code == 0 and series["kind"] == "series" and series["movie"]["imdb_id"] == "tt2802850"
    assert series["tv"]["years"] == "2014–"


@pytest.mark.parametrize(
    ("args", "imdb"),
    [
        (("Shameless", "--type", "series", "--year", "2004"), "tt0377260"),
        (("Shameless (2011)", "--type", "series"), "tt1586680"),
        (("The Office", "--type", "series", "-y", "2001"), "tt0290978"),
        (("The Office", "--type", "series", "-y", "2005"), "tt0386676"),
    ],
)
def test_same_title_series_by_year(fake: FakeAPI, args: tuple[str, ...], imdb: str) -> None:
    code, body, err = rate(*args)
    assert code == 0, err
    assert body["movie"]["imdb_id"] == imdb and body["match"]["confidence"] >= 0.9


def test_without_a_year_the_other_series_is_named_and_the_match_less_sure(fake: FakeAPI) -> None:
    code, body, _ = rate("Shameless", "--type", "series")
    assert code == 0 and body["movie"]["imdb_id"] == "tt1586680"  # the more popular
    assert [a["imdb_id"] for a in body["alternatives"]] == ["tt0377260"]
    assert body["match"]["confidence"] < 0.9 and any("GB" in r for r in body["match"]["reasons"])


@pytest.mark.parametrize(
    "args",
    [
        ("Breaking Bad S05E14",),
        ("Breaking Bad 5x14",),
        ("Breaking Bad", "--season", "5", "--episode", "14"),
        ("Breaking Bad", "--type", "episode", "--season", "5", "--episode", "14"),
    ],
)
def test_an_episode(fake: FakeAPI, args: tuple[str, ...]) -> None:
    code, body, err = rate(*args)
    assert code == 0, err
    jsonschema.Draft202012Validator(rating_result_schema()).validate(body)
    assert body["kind"] == "episode" and body["movie"]["title"] == "Ozymandias"
    assert body["tv"]["series"] == {"imdb_id": "tt0903747", "title": "Breaking Bad"}
    assert (body["tv"]["season"], body["tv"]["episode"]) == (5, 14)
    assert {r["source"] for r in body["ratings"]} == {"omdb", "tmdb", "trakt"}


def test_an_episode_by_its_imdb_id(fake: FakeAPI) -> None:
    code, body, err = rate("tt0959621", "--type", "episode")
    assert code == 0, err
    assert body["kind"] == "episode" and body["movie"]["title"] == "Pilot"
    assert body["movie"]["imdb_id"] == "tt0959621" and body["tv"]["series"]["imdb_id"] == "tt0903747"
    assert (body["tv"]["season"], body["tv"]["episode"]) == (1, 1)


def test_a_film_is_never_a_series_nor_the_reverse(fake: FakeAPI) -> None:
    code, _, err = rate("The Matrix", "--type", "series")
    assert code == 1 and "no TV series matches" in err
    code, _, err = rate("Breaking Bad", "--type", "movie")
    assert code == 1
    code, body, _ = rate("The Matrix")
    assert code == 0 and body["kind"] == "movie"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Up", "--type", "documentary"), "type must be one of movie, series, episode, any"),
        (("Breaking Bad", "--episode", "3"), "needs its season"),
        (("Breaking Bad S05E14", "--season", "4"), "season 5 but 4"),
        (("Breaking Bad", "--type", "episode"), "needs its season and number"),
    ],
)
def test_bad_input_is_one_line_exit_2(fake: FakeAPI, args: tuple[str, ...], message: str) -> None:
    code, _, err = rate(*args)
    assert code == 2 and message in err


def test_no_such_title_keeps_the_films_not_found(fake: FakeAPI) -> None:
    code, body, _ = rate("Zzzqx Nothing Like This")
    assert code == 1 and body["error"]["code"] == "not_found"


def test_table_shows_the_series_facts(fake: FakeAPI) -> None:
    result = CliRunner().invoke(app, ["rate", "Breaking Bad"], env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0
    assert "TV series 2008–2013 · 5 seasons, 62 episodes · AMC · created by Vince Gilligan" in result.stdout
    result = CliRunner().invoke(app, ["rate", "Breaking Bad S05E14"], env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert "TV episode S05E14 of Breaking Bad" in result.stdout


def test_library_kind_series(fake: FakeAPI) -> None:
    import movieagg

    result = movieagg.rate("Breaking Bad", kind="series")
    assert result.kind == "series" and result.tv is not None and result.tv.seasons == 5
    episode = movieagg.rate("Breaking Bad", season=5, episode=14)
    assert episode.kind == "episode" and episode.movie.title == "Ozymandias"
    film = movieagg.rate("Fargo")
    assert film.kind == "movie"


def test_a_series_answer_is_cached_like_a_films(fake: FakeAPI) -> None:
    code, first, _ = rate("Shameless", "--type", "series", "-y", "2004")
    assert code == 0 and first["cached"] is False
    fake.counts(reset=True)
    code, again, _ = rate("Shameless", "--type", "series", "-y", "2004")
    assert code == 0 and again["cached"] is True and fake.counts() == {}
    assert (
        again["movie"] == first["movie"] and again["tv"] == first["tv"] and again["score"] == first["score"]
    )
    code, fresh, _ = rate("Shameless", "--type", "series", "-y", "2004", "--refresh")
    assert code == 0 and fresh["cached"] is False and fake.counts()
    code, episode, _ = rate("Breaking Bad S05E14")
    fake.counts(reset=True)
    code, episode_again, _ = rate("Breaking Bad", "--season", "5", "--episode", "14")
    assert code == 0 and episode_again["cached"] is True and episode_again["movie"] == episode["movie"]
    assert set(fake.counts()) <= {"tmdb", "omdb", "trakt", "wikidata"}  # the film lookup's miss only


def test_series_lookups_are_kept_in_history(fake: FakeAPI) -> None:
    code, _, _ = rate("Breaking Bad", "--type", "series")
    assert code == 0
    result = CliRunner().invoke(app, ["history", "tt0903747", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "tt0903747" in result.stdout


def test_where_to_watch_a_series_asks_tmdbs_tv_space_and_an_episode_asks_nothing(fake: FakeAPI) -> None:
    """A series' TMDB id names another title among films: its offers come from ``tv/{id}/…``
    (a film's id at ``movie/{id}/…`` would answer for the wrong title); TMDB has no offers per
    episode, so an episode answer has none and asks for none."""
    fake.paths(reset=True)
    code, body, err = rate("Breaking Bad", "--region", "US")
    assert code == 0, err
    asked = [p.split("?")[0] for p in fake.paths() if "/watch/providers" in p]
    assert asked == ["/tmdb/3/tv/1396/watch/providers"]
    assert body["watch"] is not None and "/tv/1396/watch" in body["watch"]["link"]
    fake.paths(reset=True)
    code, body, err = rate("Breaking Bad S05E14", "--region", "US")
    assert code == 0, err
    assert body["kind"] == "episode" and body["watch"] is None
    assert not [p for p in fake.paths() if "/watch/providers" in p]
