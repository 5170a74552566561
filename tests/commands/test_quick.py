"""The quick path of a cached `movieagg rate`: byte for byte what the typer app prints, or hands over.

Each form the quick path answers (unquoted words, `Title (YYYY)`, an IMDb id or page, a TMDB page,
`--year`, `--weights`, `--source`, a pinned title) is checked against the typer app on the same
warm cache; everything else — invalid input, a miss, a pin whose film is not cached — goes to the
app. A closed stdout ends both paths with exit 141, quietly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.commands.quick import RateArgs, answer_from_cache, parse_rate
from movieagg.core.config import Settings
from movieagg.core.errors import EXIT_BROKEN_PIPE
from movieagg.records.keeper import outbox_dir


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rate", "Up"], ("Up", None, False, (), None, None)),
        (["rate", "The", "Matrix"], ("The Matrix", None, False, (), None, None)),
        (["rate", "Dune", "--year", "1984", "--json"], ("Dune", "1984", True, (), None, None)),
        (["rate", "--json", "-y", "1984", "Dune"], ("Dune", "1984", True, (), None, None)),
        (["rate", "Dune (1984)", "--json"], ("Dune (1984)", None, True, (), None, None)),
        (["rate", "tt0133093"], ("tt0133093", None, False, (), None, None)),
        (["rate", "Up", "--year", "abc"], ("Up", "abc", False, (), None, None)),  # the core says it is bad
        (["rate", "Dune", "--year=1984", "-s", "tmdb", "--source=omdb"], ("Dune", "1984", False, ("tmdb", "omdb"), None, None)),
        (["rate", "Up", "--weights", "imdb=2,critics=0"], ("Up", None, False, (), "imdb=2,critics=0", None)),
        (["rate", "Up", "--weights=critics=0.5"], ("Up", None, False, (), "critics=0.5", None)),
        (["rate", "Up", "--region", "gb"], ("Up", None, False, (), None, "gb")),
        (["rate", "Up", "--region=GB", "--json"], ("Up", None, True, (), None, "GB")),
    ],
)  # fmt: skip
def test_plain_rate_commands_are_understood(argv: list[str], expected: RateArgs) -> None:
    assert parse_rate(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [], ["search", "Up"], ["-v", "rate", "Up"], ["rate"], ["rate", "--help"], ["rate", "Up", "--refresh"],
        ["rate", "Up", "--no-cache"], ["rate", "Up", "--year"], ["rate", "Up", "--year="], ["rate", "Up", "-s"],
        ["rate", "Up", "-s", "--json"], ["rate", "Up", "--jsn"], ["rate", "-", "Up"], ["rate", "Up", "-y1999"],
        ["rate", "--", "Up"], ["rate", "Up", "--weights"], ["rate", "Up", "--json=1"], ["rate", "Up", "--region"],
    ],
)  # fmt: skip
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert parse_rate(argv) is None
    assert answer_from_cache(argv) is False


@pytest.mark.parametrize(
    "argv",
    [
        ["rate", "Up", "--year", "abc"], ["rate", "Up", "-y", "١٩٩٩"], ["rate", "Dune (1984)", "--year", "2021"],
        ["rate", "Up", "--weights", "imdb=lots"], ["rate", "tt٠١٣٣٠٩٣"],
        ["rate", "https://www.imdb.com/title/tt01/"], ["rate", "Up", "-s", "nosuch"],
    ],
)  # fmt: skip
def test_invalid_input_goes_to_the_app_which_reports_it(
    fake: FakeAPI, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer_from_cache(argv) is False
    assert capsys.readouterr() == ("", "")  # nothing said: the app says it, once


def pending_records(home: Path) -> list[dict[str, object]]:
    pending = outbox_dir(Settings.from_env({"MOVIEAGG_HOME": str(home)}, read_file=False)) / "pending.jsonl"
    return [json.loads(line) for line in pending.read_text().splitlines()] if pending.exists() else []


def by_app(*argv: str) -> tuple[int, str, str]:
    from movieagg.cli import app

    result = CliRunner().invoke(app, list(argv))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def flush_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records stay in the outbox (a helper would write them): the test reads them there."""
    monkeypatch.delenv("MOVIEAGG_FLUSH")
    monkeypatch.setattr("movieagg.records.keeper.flush_detached", lambda settings: True)


def quick_matches_app(argv: list[str], capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> str:
    """Warm the cache through the app, then check the quick path prints the app's bytes, asks
    nothing of the network, and records a cached lookup; returns the output."""
    code, _, err = by_app(*argv)
    assert code == 0, err
    code, app_out, app_err = by_app(*argv)  # now a hit for the app too
    assert code == 0 and app_err == "", app_err
    calls = fake.counts()
    capsys.readouterr()
    assert answer_from_cache(argv) is True, argv
    quick = capsys.readouterr()
    assert quick.out == app_out, argv
    assert quick.err == app_err
    assert fake.counts() == calls  # no request
    return quick.out


CASES = [
    ["rate", "The Matrix", "--json"],
    ["rate", "The", "Matrix"],
    ["rate", "Dune (1984)", "--json"],
    ["rate", "Dune", "--year", "1984"],
    ["rate", "tt0133093", "--json"],
    ["rate", "https://www.imdb.com/title/tt0087182/", "--json"],
    ["rate", "https://www.themoviedb.org/movie/603-the-matrix", "--json"],
    ["rate", "The Matrix", "--weights", "imdb=2,critics=0", "--json"],
    ["rate", "The Matrix", "--weights=critics=0.25"],
    ["rate", "The Matrix", "-s", "tmdb", "-s", "omdb"],
    ["rate", "Fargo", "--json"],  # the same-title series among the alternatives (#16), from the cache
    ["rate", "Fargo"],
    ["rate", "Fargo", "-y", "1996"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a[1:]))
def test_a_hit_prints_what_the_app_prints_and_is_recorded(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str], flush_later: None, argv: list[str]
) -> None:
    out = quick_matches_app(argv, capsys, fake)
    record = pending_records(isolated_env)[-1]
    assert record["cached"] is True and record["outcome"] == "ok"
    if "--json" in argv:
        answer = json.loads(out)
        assert answer["cached"] is True and record["query"] == answer["query"]
        assert answer["match"]["confidence"] is not None and "agreement" in answer


def test_a_miss_is_left_to_the_app_and_not_recorded(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str], flush_later: None
) -> None:
    assert answer_from_cache(["rate", "The Matrix", "--json"]) is False
    assert capsys.readouterr() == ("", "") and pending_records(isolated_env) == []


def test_a_film_cached_without_its_series_hint_is_left_to_the_app(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str], flush_later: None
) -> None:
    """`--type movie` caches the film but asks no series: a plain `rate` then needs the app (#16)."""
    assert by_app("rate", "Fargo", "--type", "movie")[0] == 0
    before = pending_records(isolated_env)
    assert answer_from_cache(["rate", "Fargo", "--json"]) is False
    assert capsys.readouterr() == ("", "") and pending_records(isolated_env) == before  # nothing recorded
    out = quick_matches_app(["rate", "Fargo", "--json"], capsys, fake)
    assert "Fargo (TV series, US, 2014–)" in out


def test_a_pin_beats_the_cached_identity(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["rate", "Solaris", "--json"]
    assert json.loads(by_app(*argv)[1])["movie"]["imdb_id"] == "tt0069293"  # the title's identity, cached
    assert by_app("pin", "Solaris", "tt0307479")[0] == 0
    assert answer_from_cache(argv) is False  # the pinned film's ratings are not cached: the app asks
    assert capsys.readouterr() == ("", "")
    pinned = json.loads(quick_matches_app(argv, capsys, fake))
    assert pinned["movie"]["imdb_id"] == "tt0307479" and pinned["match"]["method"] == "pin"
    quick_matches_app(["rate", "Solaris"], capsys, fake)  # the table says it is pinned


def test_a_bad_database_url_on_a_hit_is_what_the_app_says(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cache hit's record carries no observation and waits in the outbox: the app answers with
    exit 0 (a fresh lookup would exit 3, tests/test_hostile_inputs.py), and so does the quick path."""
    argv = ["rate", "The Matrix", "--json"]
    assert by_app(*argv)[0] == 0  # the fresh lookup, recorded
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", "mysql://admin:pw-bad-url-7@db.example/movies")
    quick_matches_app(argv, capsys, fake)


def test_what_the_quick_path_logs_is_said_once(fake: FakeAPI, tmp_path: Path) -> None:
    """A disk cache it cannot open: the quick path hands over and the app warns, once."""
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("not a directory")
    done = run_cli(["rate", "Up", "--json"], MOVIEAGG_CACHE=f"disk://{in_the_way}")
    assert done.returncode == 0 and json.loads(done.stdout)["movie"]["imdb_id"] == "tt1049413"
    lines = [line for line in done.stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and "Not a directory" in lines[0], lines


# The same command through the quick path (the console entry point) and forced through the app.
QUICK = "import sys; from movieagg.cli import main; sys.argv[0] = 'movieagg'; main()"
APP = "import sys; from movieagg.commands.app import app; sys.argv[0] = 'movieagg'; app()"


def run_cli(
    argv: list[str], code: str = QUICK, closed_stdout: bool = False, **env: str
) -> subprocess.CompletedProcess[bytes]:
    cmd = [sys.executable, "-c", code, *argv]
    environ = {**os.environ, "NO_COLOR": "1", **env}
    if not closed_stdout:
        return subprocess.run(cmd, capture_output=True, timeout=60, env=environ)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the answer is written
    err = proc.stderr.read()
    proc.stderr.close()
    return subprocess.CompletedProcess(cmd, proc.wait(60), b"", err)


@pytest.mark.parametrize("argv", [["rate", "The Matrix", "--json"], ["rate", "The", "Matrix"]])
def test_a_reader_that_goes_away_is_exit_141_both_ways(fake: FakeAPI, argv: list[str]) -> None:
    assert run_cli(argv).returncode == 0  # fills the cache
    for code in (QUICK, APP):
        done = run_cli(argv, code, closed_stdout=True)
        assert (done.returncode, done.stderr) == (EXIT_BROKEN_PIPE, b""), (code, done.stderr)


def test_the_console_entry_point_answers_as_the_app(fake: FakeAPI) -> None:
    argv = ["rate", "Dune", "(1984)", "--json"]
    assert run_cli(argv, APP).returncode == 0  # fills the cache
    quick, app = run_cli(argv), run_cli(argv, APP)
    assert (quick.returncode, quick.stdout, quick.stderr) == (app.returncode, app.stdout, app.stderr)
    assert json.loads(quick.stdout)["movie"]["imdb_id"] == "tt0087182"
