"""The quick path of a cached `movieagg rate`: same answer as the typer app, or hands over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.commands.quick import RateArgs, answer_from_cache, parse_rate
from movieagg.core.config import Settings
from movieagg.records.keeper import outbox_dir


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rate", "Up"], ("Up", None, False, ())),
        (["rate", "Dune", "--year", "1984", "--json"], ("Dune", 1984, True, ())),
        (["rate", "--json", "-y", "1984", "Dune"], ("Dune", 1984, True, ())),
        (["rate", "Dune", "--year=1984", "-s", "tmdb", "--source=omdb"], ("Dune", 1984, False, ("tmdb", "omdb"))),
    ],
)
def test_plain_rate_commands_are_understood(argv: list[str], expected: RateArgs) -> None:
    assert parse_rate(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [], ["search", "Up"], ["-v", "rate", "Up"], ["rate"], ["rate", "--help"], ["rate", "Up", "--refresh"],
        ["rate", "Up", "--no-cache"], ["rate", "Up", "--year", "abc"], ["rate", "Up", "--year"],
        ["rate", "Up", "-y", "١٩٩٩"], ["rate", "Up", "-s"], ["rate", "Up", "-s", "--json"], ["rate", "Up", "Down"],
        ["rate", "Up", "--jsn"], ["rate", "-", "Up"], ["rate", "Up", "-y1999"],
    ],
)  # fmt: skip
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert parse_rate(argv) is None
    assert answer_from_cache(argv) is False


def pending_records(home: Path) -> list[dict[str, object]]:
    pending = outbox_dir(Settings.from_env({"MOVIEAGG_HOME": str(home)}, read_file=False)) / "pending.jsonl"
    return [json.loads(line) for line in pending.read_text().splitlines()] if pending.exists() else []


def test_a_hit_prints_what_the_app_prints_and_is_recorded(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from movieagg.cli import app

    argv = ["rate", "The Matrix", "--json"]
    assert answer_from_cache(argv) is False  # a miss: the app does the lookup
    assert capsys.readouterr().out == "" and pending_records(isolated_env) == []
    first = CliRunner().invoke(app, argv)
    assert first.exit_code == 0 and json.loads(first.stdout)["cached"] is False
    by_app = CliRunner().invoke(app, argv)
    assert json.loads(by_app.stdout)["cached"] is True
    calls = fake.counts()

    assert answer_from_cache(argv) is True
    assert capsys.readouterr().out == by_app.stdout
    assert fake.counts() == calls  # no request
    records = pending_records(isolated_env)
    assert records[-1]["cached"] is True and records[-1]["query"] == {"title": "The Matrix", "year": None}

    assert answer_from_cache(["rate", "The Matrix", "-s", "tmdb", "-s", "omdb"]) is True
    table = capsys.readouterr().out
    assert "The Matrix (1999)" in table and "from cache" in table and "Wikidata" not in table


def test_bad_settings_and_unknown_sources_go_to_the_app(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    assert answer_from_cache(["rate", "The Matrix", "-s", "nosuch"]) is False
    monkeypatch.setenv("MOVIEAGG_TIMEOUT", "soon")
    assert answer_from_cache(["rate", "The Matrix"]) is False


def test_a_reader_that_goes_away_gets_no_traceback(fake: FakeAPI) -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "movieagg", "rate", "The Matrix", "--json"]
    assert subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0  # fills the cache
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(60) == 1 and b"Traceback" not in err
