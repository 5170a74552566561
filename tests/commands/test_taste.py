"""`movieagg taste` end to end: real subprocesses against the local fake upstream, on the REAL
published exports in tests/corpus (see SOURCES) and on exports written here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench.fakeapi import FakeAPI
from bench.films import FILMS
from movieagg.core.config import read_config_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
LETTERBOXD = CORPUS / "letterboxd" / "patrickmjones" / "ratings.csv"
IMDB = CORPUS / "imdb" / "ratings-2021-cp1252.csv"


def run(*args: str, columns: int = 100, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns), **extra}
    return subprocess.run(
        [sys.executable, "-m", "movieagg", "taste", *args],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip


def report(*args: str, **extra: str) -> dict:  # type: ignore[type-arg]
    out = run(*args, "--json", "--progress", "none", **extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def critic_follower(tmp_path: Path) -> Path:
    """A Letterboxd ratings.csv by someone who rates like Metacritic (in half stars)."""
    lines = ["Date,Name,Year,Letterboxd URI,Rating"]
    for i, f in enumerate(FILMS):
        if f["mc"] is None or not f["tmdb_votes"]:
            continue
        stars = min(max(round(f["mc"] / 10) / 2, 0.5), 5.0)
        title = f'"{f["title"]}"' if "," in f["title"] else f["title"]
        lines.append(f"2024-01-{1 + i % 28:02d},{title},{f['year']},https://boxd.it/t{i},{stars:g}")
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_letterboxd_export(fake: FakeAPI) -> None:
    data = report(str(LETTERBOXD))
    assert data["export"] == {"kind": "letterboxd", "scale": 5.0, "rows": 5, "rated": 5}
    assert data["matched"] == 5 and data["unmatched"] == [] and data["uncertain"] == []
    assert data["you"]["mean"] == 86.0  # 5, 5, 1.5, 5, 5 stars
    assert data["below"][0]["title"] == "Backcountry" and data["below"][0]["you"] == 30.0
    assert data["weights"]["fitted"] is None and "10 matched films" in data["weights"]["reason"]
    assert sum(data["histogram"]["you"]) == 5 and data["histogram"]["you"][-1] == 4


def test_real_imdb_export_matched_unmatched_agreement(fake: FakeAPI) -> None:
    data = report(str(IMDB))
    assert data["export"]["rated"] == 58
    assert data["matched"] == 20
    assert len(data["unmatched"]) == 38
    first = data["unmatched"][0]
    assert first["row"] == 1 and first["imdb_id"] == "tt10003008" and first["status"] == "not_found"
    assert "tt10003008" in first["reason"]
    pools = {a["name"]: a for a in data["agreement"]}
    assert set(pools) == {"imdb", "tmdb", "trakt", "metacritic", "rotten_tomatoes"}
    assert pools["imdb"]["films"] == 20 and pools["metacritic"]["films"] == 19  # Begotten has none
    assert all(-1 <= a["spearman"] <= 1 for a in data["agreement"])
    assert set(data["families"]) == {"critics", "audience", "score"}
    w = data["weights"]
    assert w["films"] == 20 and w["folds"] == 5 and "heldout_rmse_default" in w
    hachi = next(f for f in data["above"] if f["imdb_id"] == "tt1028532")
    assert hachi["you"] == 100.0 and hachi["difference"] > 0


def test_terminal_report_fits_40_columns_without_colour(fake: FakeAPI) -> None:
    out = run(str(IMDB), "--progress", "none", columns=40)
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout
    for line in out.stdout.splitlines():
        assert len(line) <= 40, line
    for heading in (
        "Your taste",
        "Agreement with you",
        "How you rate",
        "You (up) against",
        "Your weight profile",
    ):
        assert heading in out.stdout
    assert "Alien³ (1992)" in out.stdout and "Not matched (38)" in out.stdout


def test_fitted_weights_for_a_critics_follower_are_saved(
    fake: FakeAPI, tmp_path: Path, isolated_env: Path
) -> None:
    export = critic_follower(tmp_path)
    data = report(str(export))
    w = data["weights"]
    assert w["better"] and w["heldout_rmse_fitted"] < w["heldout_rmse_default"]
    assert w["fitted"]["critics"] > w["fitted"]["audience"] and w["fitted"]["metacritic"] == 1.0
    pools = {a["name"]: a["spearman"] for a in data["agreement"]}
    assert max(pools, key=lambda p: pools[p]) == "metacritic"
    out = run(str(export), "--save-weights", "--progress", "none")
    assert out.returncode == 0, out.stderr
    config = isolated_env / "config.toml"
    assert f"to {config}" in out.stderr
    saved = read_config_file(config)["MOVIEAGG_WEIGHTS"]
    assert saved == w["fitted_text"]
    again = report(str(export))  # the saved weights are now the default the fit is compared with
    assert again["weights"]["default_text"] == saved


def test_save_weights_refuses_without_enough_films(fake: FakeAPI, isolated_env: Path) -> None:
    out = run(str(LETTERBOXD), "--save-weights", "--progress", "none")
    assert out.returncode == 1
    assert "not saved" in out.stderr and not (isolated_env / "config.toml").exists()


def test_html_report_is_self_contained_and_escapes_titles(fake: FakeAPI, tmp_path: Path) -> None:
    export = tmp_path / "ratings.csv"
    export.write_text(
        "Date,Name,Year,Letterboxd URI,Rating\n"
        "2024-01-01,The Matrix,1999,https://boxd.it/a,4\n"
        '2024-01-02,"<script>alert(1)</script>",1999,https://boxd.it/b,2\n'
    )
    page = tmp_path / "out" / "taste.html"
    out = run(str(export), "--html", str(page), "--progress", "none")
    assert out.returncode == 0, out.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"(src|href)=|@import|url\(|https?://", html.replace("https://boxd.it", ""))
    assert html.count("<svg") == 2 and "The Matrix (1999)" in html


def test_only_titles_leave_the_machine(fake: FakeAPI, tmp_path: Path) -> None:
    export = tmp_path / "ratings.csv"
    export.write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Review\n"
        "2031-07-19,Heat,1995,https://boxd.it/zQ9x,3.5,my secret opinion\n"
        "2031-07-20,Spirited Away,2001,https://boxd.it/kW2y,4.5,another\n"
    )
    fake.paths(reset=True)
    report(str(export), "--refresh")
    sent = "\n".join(fake.paths())
    assert "Heat" in sent or "heat" in sent.lower()
    for private in ("2031", "boxd", "zQ9x", "kW2y", "secret", "3.5", "4.5", "opinion"):
        assert private not in sent, private


def test_results_file_resumes_without_looking_up_again(fake: FakeAPI, tmp_path: Path) -> None:
    results = tmp_path / "lookups.ndjson"
    first = report(str(IMDB), "--results", str(results))
    assert len(results.read_text().splitlines()) == 58
    fake.counts(reset=True)
    second = report(str(IMDB), "--results", str(results), "--refresh")  # done rows are not asked again
    assert sum(fake.counts().values()) == 0
    assert second["matched"] == first["matched"] and second["agreement"] == first["agreement"]
    assert second["you"] == first["you"]


def test_bad_inputs_are_one_line_and_exit_2(fake: FakeAPI, tmp_path: Path) -> None:
    watched = CORPUS / "letterboxd" / "patrickmjones" / "watched.csv"
    for args, message in (
        ([str(watched)], "not a ratings export"),
        ([str(tmp_path / "missing.csv")], "no such file"),
        ([str(LETTERBOXD), "--progress", "sideways"], "unknown progress mode"),
    ):
        out = run(*args)
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and "Traceback" not in out.stderr
    unrated = tmp_path / "unrated.csv"
    unrated.write_text("Date,Name,Year,Letterboxd URI,Rating\n2024-01-01,Heat,1995,https://boxd.it/a,\n")
    out = run(str(unrated))
    assert out.returncode == 2 and "holds no rated films" in out.stderr


def test_help_has_examples() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "movieagg", "taste", "--help"], capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "100"}, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0 and "--save-weights" in out.stdout and "movieagg taste" in out.stdout
