"""`movieagg history` against the fake upstream, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from movieagg.commands.history import SPARKS, series, sparkline
from tests.services import pg_url

__all__ = ["pg_url"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = (
        f"sqlite:///{tmp_path / 'history.sqlite3'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", url)
    return url


@pytest.fixture
def matrix_figures(fake: FakeAPI) -> Iterator[dict[str, Any]]:
    """The fake's record for The Matrix, restored afterwards (the fake is shared by the session)."""
    film = fake.state.catalogue.by_imdb["tt0133093"]
    saved = dict(film)
    yield film
    film.clear()
    film.update(saved)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def rate(*args: str) -> None:
    code, _, err = invoke("rate", *args, "--json")
    assert code == 0, err


def test_ratings_over_time(db_url: str, matrix_figures: dict[str, Any]) -> None:
    rate("The Matrix")
    for imdb in (8.8, 8.6):
        matrix_figures["imdb_rating"] = imdb
        rate("The Matrix", "--refresh")
    rate("The Matrix")  # a cache hit: logged, adds no observation
    code, out, err = invoke("history", "the matrix", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["movie"]["imdb_id"] == "tt0133093" and data["movie"]["title"] == "The Matrix"
    imdb = next(s for s in data["series"] if s["name"] == "imdb" and s["source"] == "omdb")
    assert [p["value"] for p in imdb["points"]] == [8.7, 8.8, 8.6]
    assert imdb["change"] == pytest.approx(-1.0)
    assert [p["at"] for p in imdb["points"]] == sorted(p["at"] for p in imdb["points"])
    tmdb = next(s for s in data["series"] if s["source"] == "tmdb")
    assert len(tmdb["points"]) == 3 and tmdb["change"] == 0

    code, out, _ = invoke("history", "The Matrix")
    assert code == 0
    assert "The Matrix (1999)" in out and "tt0133093" in out
    row = next(line for line in out.splitlines() if line.startswith("IMDb"))
    assert "8.7/10" in row and "8.6/10" in row and "-1.0" in row
    assert any(c in row for c in SPARKS)
    code, out, _ = invoke("history", "tt0133093", "--points")
    assert code == 0 and out.count("IMDb") >= 4  # summary row + one per observation


def test_title_resolution(db_url: str, fake: FakeAPI) -> None:
    rate("Dune", "--year", "1984")
    rate("Dune", "--year", "2021")
    rate("Amélie")
    code, _, err = invoke("history", "Dune")
    assert code == 2
    assert "tt0087182" in err and "tt1160419" in err and "--year" in err
    code, out, _ = invoke("history", "Dune", "--year", "1984", "--json")
    assert code == 0 and json.loads(out)["movie"]["imdb_id"] == "tt0087182"
    code, out, _ = invoke("history", "Le Fabuleux Destin d'Amélie Poulain", "--json")
    assert code == 0 and json.loads(out)["movie"]["imdb_id"] == "tt0211915"  # by original title
    # Not in the store but known upstream: resolved, then "no history yet" (exit 1).
    code, _, err = invoke("history", "Up")
    assert code == 1 and "no rating history for Up (2009) tt1049413" in err
    code, _, err = invoke("history", "Qwxyzzy Never Made")
    assert code == 1 and "no film matches" in err
    code, _, err = invoke("history")
    assert code == 2


def test_search_log(db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    rate("The Matrix")
    rate("The Matrix")
    assert invoke("rate", "Qwxyzzy Never Made")[0] == 1
    fake.state.fail = {"omdb"}
    rate("Up")
    code, out, _ = invoke("history", "--searches", "--json")
    assert code == 0
    log = json.loads(out)
    assert [(e["query"]["title"], e["cached"], e["outcome"]) for e in log] == [
        ("Up", False, "ok"),
        ("Qwxyzzy Never Made", False, "not_found"),
        ("The Matrix", True, "ok"),
        ("The Matrix", False, "ok"),
    ]
    assert [e["source"] for e in log[0]["errors"]] == ["omdb"]
    code, out, _ = invoke("history", "--searches", "--limit", "2", "--json")
    assert len(json.loads(out)) == 2
    monkeypatch.setenv("COLUMNS", "120")  # a wide terminal: one line per lookup
    code, out, _ = invoke("history", "--searches")
    assert code == 0
    lines = out.splitlines()
    assert "Cache" in lines[0]
    assert "hit" in next(line for line in lines if "The Matrix" in line)
    assert "not_found" in next(line for line in lines if "Qwxyzzy" in line)
    assert "omdb" in next(line for line in lines if line.split()[2:3] == ["Up"])
    code, _, _ = invoke("history", "Up", "--searches")
    assert code == 2


def test_records_waiting_in_the_outbox_show_up(
    db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/test")
    rate("Blade Runner")
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", db_url)
    code, out, _ = invoke("history", "Blade Runner", "--json")
    assert code == 0 and json.loads(out)["observations"] > 0


def test_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", "postgresql+psycopg://u:pw-hidden-9@127.0.0.1:1/x")
    code, out, err = invoke("history", "--searches")
    assert code == 8 and "pw-hidden-9" not in out + err and "Traceback" not in out + err


def test_sparkline_and_series_helpers() -> None:
    assert sparkline([]) == ""
    assert sparkline([5, 5, 5]) == SPARKS[3] * 3
    assert sparkline([0, 50, 100]) == SPARKS[0] + SPARKS[4] + SPARKS[7]
    assert len(sparkline(list(range(100)))) == 24
    obs = [
        {
            "source": "omdb",
            "name": "imdb",
            "label": "IMDb",
            "value": v,
            "scale": 10.0,
            "normalized": v * 10,
            "votes": 1,
            "fetched_at": at,
        }
        for v, at in ((8.0, "2026-01-02T00:00:00Z"), (7.5, "2026-01-01T00:00:00Z"))
    ]
    [s] = series(obs)
    assert [p["value"] for p in s["points"]] == [7.5, 8.0] and s["change"] == 5.0
