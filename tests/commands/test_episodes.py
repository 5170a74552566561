"""`movieagg episodes`: the grid against the fake upstream — JSON per the schema, a cached second
call with no request, --source, readable without colour, 40-column terminals, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from movieagg.core.schema import episode_grid_schema


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_json_grid_validates_and_second_call_is_all_cache(fake: FakeAPI) -> None:
    code, out, err = invoke("episodes", "Breaking Bad", "--json")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.Draft202012Validator(episode_grid_schema()).validate(data)
    assert data["series"] == {
        "imdb_id": "tt0903747",
        "title": "Breaking Bad",
        "years": "2008–2013",
        "seasons": 5,
    }
    assert data["source"] == "imdb" and [len(s["episodes"]) for s in data["seasons"]] == [7, 13, 13, 13, 16]
    assert sum(len(s["episodes"]) for s in data["seasons"]) == 62
    assert data["best"][0] == {"season": 5, "episode": 14, "title": "Ozymandias", "rating": 10.0}
    assert fake.counts(reset=True) == {"omdb": 6}  # the series, then its 5 seasons
    code, out, _ = invoke("episodes", "Breaking Bad", "--json")
    again = json.loads(out)
    assert code == 0 and fake.counts() == {} and again["cached"] is True
    assert again["seasons"] == data["seasons"]


@pytest.mark.parametrize(("source", "service"), [("tmdb", "tmdb"), ("trakt", "trakt")])
def test_source_picks_the_rating(fake: FakeAPI, source: str, service: str) -> None:
    code, out, err = invoke("episodes", "tt0903747", "--source", source, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == source and set(fake.counts()) == {service}
    votes = [e["votes"] for s in data["seasons"] for e in s["episodes"]]
    assert all(isinstance(v, int) for v in votes)


def test_same_title_by_year(fake: FakeAPI) -> None:
    for year, imdb in (("2004", "tt0377260"), ("2011", "tt1586680")):
        code, out, _ = invoke("episodes", "Shameless", "--year", year, "--json")
        assert code == 0 and json.loads(out)["series"]["imdb_id"] == imdb
    code, out, _ = invoke("episodes", "The Office (2001)", "--json")
    assert code == 0 and json.loads(out)["series"]["seasons"] == 2


def test_thin_ratings_are_marked(fake: FakeAPI) -> None:
    code, out, _ = invoke("episodes", "Fargo", "--source", "tmdb", "--json")
    data = json.loads(out)
    thin = [e for s in data["seasons"] for e in s["episodes"] if e["thin"]]
    assert code == 0 and thin and all(e["votes"] < 50 for e in thin)
    code, out, _ = invoke("episodes", "Fargo", "--source", "tmdb", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert code == 0 and "*" in out and "thin: fewer than 50 votes" in out


def test_terminal_grid_without_colour_and_narrow(fake: FakeAPI) -> None:
    code, out, _ = invoke("episodes", "Breaking Bad", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert code == 0 and "\x1b[" not in out
    assert re.search(r"S05 .*10 .* avg 9\.\d", out)  # the numbers are printed, not only coloured
    assert "S05E14 10.0  Ozymandias" in out and "Worst:" in out
    code, out, _ = invoke("episodes", "The Simpsons", env={"NO_COLOR": "1", "COLUMNS": "40"})
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 40
    assert "S36" in out and "E25" in out  # wrapped, not cut


def test_errors_are_one_line_with_exit_codes(fake: FakeAPI) -> None:
    code, _, err = invoke("episodes", "No Such Series Anywhere")
    assert code == 1 and "no series" in err
    code, _, err = invoke("episodes", "Breaking Bad", "--source", "rottentomatoes")
    assert code == 2 and "--source must be one of imdb, tmdb, trakt" in err
    fake.state.fail = {"omdb"}
    code, _, err = invoke("episodes", "tt0903747", "--json")
    assert code == 4 and "omdb" in err


def test_help_has_examples() -> None:
    code, out, _ = invoke("episodes", "--help")
    assert code == 0 and 'movieagg episodes "Breaking Bad"' in out


def test_imdb_datasets_episodes_are_used_when_present(fake: FakeAPI, tmp_path: Path) -> None:
    """With a local IMDb datasets import holding the series, ``--source imdb`` draws every
    season from it (the title still resolves online): no season is asked of OMDb."""
    from movieagg.core.config import Settings
    from movieagg.sources.imdb_datasets.files import db_path
    from movieagg.sources.imdb_datasets.importer import import_datasets
    from tests.sources.imdb_datasets.rows import write_dataset_dir

    import_datasets(write_dataset_dir(tmp_path / "datasets"), db_path(Settings.from_env()))
    code, out, err = invoke("episodes", "Breaking Bad", "--json", "--no-cache", "--source", "imdb")
    assert code == 0, err
    data = json.loads(out)
    drawn = {(s["season"], e["episode"]): (e["imdb_id"], e["rating"]) for s in data["seasons"] for e in s["episodes"]}
    assert drawn[(1, 1)] == ("tt0959621", 9.0) and drawn[(5, 14)] == ("tt2301451", 10.0)
    assert data["source"] == "imdb" and len([v for v in drawn.values() if v[1] is not None]) == 3
    assert fake.counts() == {"omdb": 1}  # the title, online; no season
