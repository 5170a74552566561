"""`movieagg rate` with the anime sources: "not asked" only in -v and --json, never as a warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.fakeapi import FakeAPI


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
        timeout=120,
    )


def test_not_asked_is_detail_not_a_warning(fake: FakeAPI) -> None:
    plain = cli("rate", "Blade Runner")
    assert plain.returncode == 0, plain.stderr
    assert "not asked" not in plain.stdout and "⚠" not in plain.stdout
    verbose = cli("-v", "rate", "Blade Runner")
    assert "anilist: not asked: not an animation or East Asian production" in verbose.stdout
    data = json.loads(cli("rate", "Blade Runner", "--json").stdout)  # the cached answer, quick path
    assert data["cached"] is True
    assert [n["source"] for n in data["not_asked"]] == ["anilist", "jikan"]
    assert fake.counts().get("anilist", 0) == 0 and fake.counts().get("jikan", 0) == 0


def test_an_anime_film_shows_both_scores(fake: FakeAPI) -> None:
    out = cli("rate", "Perfect Blue")
    assert out.returncode == 0, out.stderr
    assert "AniList" in out.stdout and "85/100" in out.stdout
    assert "MyAnimeList" in out.stdout and "8.7/10" in out.stdout
    narrow = subprocess.run(
        [sys.executable, "-m", "movieagg", "rate", "Perfect Blue"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "40"},
    )  # fmt: skip
    assert narrow.returncode == 0 and max(len(line) for line in narrow.stdout.splitlines()) <= 40
