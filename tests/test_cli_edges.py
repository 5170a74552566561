"""The CLI's rough edges: typos, broken pipes, narrow terminals, wording (runner at 40/80/120 columns)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app

WIDTHS = (40, 80, 120)


def invoke(*args: str, width: int = 120, **env: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(app, list(args), env={"COLUMNS": str(width), "NO_COLOR": "1", **env})
    stderr = result.stderr if result.stderr_bytes is not None else ""
    return result.exit_code, result.stdout, stderr


def test_a_typo_suggests_the_command_once() -> None:
    code, out, err = invoke("rat", "Up")
    assert code == 2
    assert (out + err).count("Did you mean 'rate'?") == 1


# ------------------------------------------------------------------ broken pipes


@pytest.mark.parametrize(
    "args",
    [("rate", "Psycho"), ("search", "Dune"), ("sources",), ("rate", "Psycho", "--json"), ("history", "--searches")],
    ids=lambda a: " ".join(a),
)
def test_a_closed_pipe_ends_quietly_with_141(fake: FakeAPI, args: tuple[str, ...]) -> None:
    if args[0] == "history":
        subprocess.run([sys.executable, "-m", "movieagg", "search", "Dune"], capture_output=True, timeout=60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "movieagg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0` (or a pager quit early): the reader is gone before we write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


def test_batch_into_a_closed_pipe_ends_with_141_and_its_summary(fake: FakeAPI, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("The Matrix\nDune\nHeat\nUp\nAlien\n" * 200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "movieagg", "batch", str(listing), "-f", "ndjson", "--progress", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "MOVIEAGG_SOURCES": "tmdb"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "titles:" in err


# ------------------------------------------------------------------ narrow terminals


def cells_intact(text: str, *cells: str) -> None:
    assert "…" not in text, text
    for cell in cells:
        assert any(cell in line for line in text.splitlines()), f"{cell!r} cut in:\n{text}"


@pytest.mark.parametrize("width", WIDTHS)
def test_sources_never_cut_the_signup_url(width: int) -> None:
    code, out, _ = invoke("sources", width=width, TMDB_API_KEY="", OMDB_API_KEY="")
    assert code == 0
    cells_intact(
        out,
        "https://www.themoviedb.org/settings/api",
        "https://www.omdbapi.com/apikey.aspx",
        "https://trakt.tv/oauth/applications/new",
        "TMDB_API_KEY",
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_search_never_cuts_ids(fake: FakeAPI, width: int) -> None:
    code, out, _ = invoke("search", "Dune", width=width)
    assert code == 0, out
    cells_intact(out, "tt1160419", "tt0087182", "438631", "1984", "2021")


@pytest.mark.parametrize("width", WIDTHS)
def test_rate_never_cuts_values(fake: FakeAPI, width: int) -> None:
    code, out, _ = invoke("rate", "Blade Runner", "--year", "1982", width=width)
    assert code == 0, out
    cells_intact(out, "Blade Runner", "1982", "tt0083658", "7.9/10", "8.1/10", "89%", "84/100", "819k", "Score 80", "critics 79 · audience 80")
    assert max(len(line) for line in out.splitlines()) <= width


# ------------------------------------------------------------------ wording


def _render(result: object, width: int = 80) -> str:
    from io import StringIO

    from rich.console import Console

    from movieagg._render import render_result

    buffer = StringIO()
    render_result(result, Console(file=buffer, width=width))  # type: ignore[arg-type]
    return buffer.getvalue()


def test_alternatives_are_named_by_their_own_titles() -> None:
    from datetime import UTC, datetime

    from movieagg.core.models import Movie, Query, RatingResult

    result = RatingResult(
        query=Query("Se7en"), movie=Movie("Se7en", 1995, imdb_id="tt0114369"), ratings=(), score=None,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC), alternatives=(Movie("Seven", 1979, imdb_id="tt0079894"),),
    )
    text = _render(result, 120)
    also = next(line for line in text.splitlines() if "1979" in line)
    assert "“Se7en”" in also and "Seven (1979, tt0079894)" in also


def test_plurals(fake: FakeAPI, tmp_path: Path) -> None:
    from movieagg.batch.summary import BatchSummary

    one = BatchSummary()
    one.counts["found"] = 1
    assert one.lines()[0].startswith("1 title: 1 found")
    many = BatchSummary()
    many.counts["found"] = 2
    assert many.lines()[0].startswith("2 titles:")


def test_no_score_reads_as_a_sentence() -> None:
    from datetime import UTC, datetime

    from movieagg.core.models import Movie, Query, RatingResult

    result = RatingResult(query=Query("Brand New"), movie=Movie("Brand New", 2026), ratings=(), score=None,
                          fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
    for width in WIDTHS:
        text = _render(result, width)
        assert "Score no score" not in text and "No score yet" in text


def test_datasets_status_is_human_text_and_json(isolated_env: Path, tmp_path: Path) -> None:
    from bench.imdb_datasets_gen import generate

    generate(tmp_path / "ds", 7, akas=True, malformed=0.0)
    code, _, err = invoke("datasets", "sync", "--from", str(tmp_path / "ds"), "--progress", "none")
    assert code == 0, err
    code, out, _ = invoke("datasets", "status")
    assert code == 0
    assert "True" not in out and "{" not in out and "': " not in out  # no Python reprs
    assert re.search(r"titles:\s+[\d,]+ films and TV movies, [\d,]+ rated", out), out
    code, out, _ = invoke("datasets", "status", "--json")
    assert '"synced": true' in out


# ------------------------------------------------------------------ --source limits every request


def test_source_limits_resolving_too(fake: FakeAPI) -> None:
    code, out, _ = invoke("rate", "Blade Runner", "--year", "1982", "-s", "omdb", "--json", MOVIEAGG_SOURCES="tmdb,omdb,wikidata")
    assert code == 0, out
    assert set(fake.counts()) == {"omdb"}, fake.counts()  # TMDB, the better resolver, is not asked


@pytest.mark.parametrize("wikidata_up", [True, False], ids=["wikidata-up", "wikidata-down"])
def test_rejected_key_with_one_source_is_exit_3_whatever_else_is_reachable(fake: FakeAPI, wikidata_up: bool) -> None:
    env = {"TMDB_API_KEY": "a-wrong-key-0123456789abcdef00", "MOVIEAGG_SOURCES": "tmdb,wikidata"}
    if not wikidata_up:
        env["MOVIEAGG_WIKIDATA_URL"] = "http://127.0.0.1:9/sparql"
        env["MOVIEAGG_WIKIDATA_API_URL"] = "http://127.0.0.1:9/w/api.php"
    code, out, err = invoke("rate", "Heat", "-s", "tmdb", **env)
    assert code == 3, out + err


def test_every_source_unreachable_says_what_to_check() -> None:
    env = {"MOVIEAGG_WIKIDATA_URL": "http://127.0.0.1:9/sparql", "MOVIEAGG_WIKIDATA_API_URL": "http://127.0.0.1:9/w/api.php"}
    code, out, err = invoke("rate", "The Matrix", **env)
    assert code == 4
    message = out + err
    assert "wikidata: connection failed" in message
    assert "network" in message and "proxy" in message and "MOVIEAGG_WIKIDATA_URL" in message
    from movieagg.core.errors import AllSourcesFailed, SourceErrorInfo

    public = AllSourcesFailed("x", [SourceErrorInfo("wikidata", "connection failed", "unavailable")]).public_message()
    assert "proxy" not in public and len(public) < 100  # the API's message stays short
