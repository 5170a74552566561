"""`movieagg pin / pins / unpin`: a user's own word on which film a title means, on every face."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.fakeapi import FakeAPI


def run(*args: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", *args],
        capture_output=True, text=True, timeout=60, input=stdin,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "160", **extra},
    )  # fmt: skip


def test_pin_list_and_unpin(fake: FakeAPI, isolated_env: Path) -> None:
    assert json.loads(run("rate", "Solaris", "--json").stdout)["movie"]["imdb_id"] == "tt0069293"
    out = run("pin", "Solaris", "tt0307479")
    assert out.returncode == 0, out.stderr
    assert "Solaris → tt0307479" in out.stdout
    assert (isolated_env / "pins.toml").is_file()
    rated = json.loads(run("rate", "Solaris", "--json").stdout)  # the cached identity loses to the pin
    assert rated["movie"]["imdb_id"] == "tt0307479"
    assert rated["match"]["method"] == "pin" and rated["match"]["confidence"] == 1.0
    assert "pinned" in run("rate", "Solaris").stdout
    listed = json.loads(run("pins", "--json").stdout)
    assert listed == [{"title": "Solaris", "year": None, "imdb_id": "tt0307479", "from": "file"}]
    assert "tt0307479" in run("pins").stdout
    assert run("unpin", "solaris").returncode == 0
    assert json.loads(run("rate", "Solaris", "--json").stdout)["movie"]["imdb_id"] == "tt0069293"
    missing = run("unpin", "Solaris")
    assert missing.returncode == 1 and "no pin" in missing.stderr


def test_pin_with_a_year_and_by_url_and_in_batch(fake: FakeAPI) -> None:
    assert run("pin", "Heat", "https://www.imdb.com/title/tt0093164/", "--year", "1995").returncode == 0
    assert run("pin", "The", "Matrix", "tt0133093").returncode == 0  # words need no quotes
    rows = [json.loads(line) for line in run("batch", "-", "-f", "ndjson", stdin="Heat (1995)\nHeat\n").stdout.splitlines()]
    by = {r["input"]["year"]: r for r in rows}
    assert by[1995]["result"]["movie"]["imdb_id"] == "tt0093164" and by[1995]["status"] == "found"
    assert by[None]["result"]["movie"]["imdb_id"] == "tt0113277"  # no pin without a year


def test_bad_pins_are_usage_errors(fake: FakeAPI) -> None:
    for args in (["pin", "Solaris"], ["pin", "Solaris", "nm0000206"], ["pin", "tt0069293"], ["pin", "😀", "tt0069293"]):
        out = run(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_servers_take_pins_from_the_environment(fake: FakeAPI) -> None:
    out = run("rate", "Solaris", "--json", MOVIEAGG_PINS="Solaris=tt0307479")
    assert json.loads(out.stdout)["movie"]["imdb_id"] == "tt0307479"
    bad = run("rate", "Solaris", MOVIEAGG_PINS="Solaris")
    assert bad.returncode == 3 and "MOVIEAGG_PINS" in bad.stderr
