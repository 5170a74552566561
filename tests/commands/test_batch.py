"""`movieagg batch` end to end: real subprocesses against the local fake upstream."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from bench.films import FILMS


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", **extra}


def run(*args: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", "batch", *args],
        capture_output=True,
        text=True,
        env=env(**extra),
        timeout=120,
        input=stdin,
    )


def test_text_file_table_and_summary(fake: FakeAPI, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("The Matrix\nDune\nDune (1984)\ntt0083658\nNo Such Film Ever\n# note\n\nHeat (19x5)\n")
    out = run(str(listing), MOVIEAGG_SOURCES="tmdb,omdb")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["#", "Score", "Film"]
    by_index = {line.split()[0]: line for line in lines[1:]}
    assert "The Matrix (1999)" in by_index["1"] and "tt0133093" in by_index["1"]
    assert "ambiguous" in by_index["2"] and "Dune (1984)" in by_index["2"]
    assert "Blade Runner (1982)" in by_index["4"]
    assert "not found" in by_index["5"]
    assert "5 found" not in out.stderr and "4 found (1 ambiguous" in out.stderr
    assert "2 not found" in out.stderr and "0 failed" in out.stderr  # "Heat (19x5)" is a title
    assert "Traceback" not in out.stderr


def test_letterboxd_csv_to_csv_file(fake: FakeAPI, tmp_path: Path) -> None:
    src = tmp_path / "watchlist.csv"
    src.write_text(
        "Date,Name,Year,Letterboxd URI\n"
        "2024-01-02,Blade Runner,1982,https://boxd.it/2bcA\n"
        '2024-01-03,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1xYz\n'
        "2024-01-04,Godzilla,1998,https://boxd.it/abc\n"
    )
    dest = tmp_path / "rated.csv"
    out = run(str(src), "-o", str(dest), "--progress", "none", MOVIEAGG_SOURCES="tmdb,omdb")
    assert out.returncode == 0, out.stderr
    import csv

    rows = list(csv.DictReader(dest.open()))
    got = {r["input_title"]: (r["status"], r["imdb_id"], r["score"] != "") for r in rows}
    assert got == {
        "Blade Runner": ("found", "tt0083658", True),
        "Crouching Tiger, Hidden Dragon": ("found", "tt0190332", True),
        "Godzilla": ("found", "tt0120685", True),
    }
    assert out.stdout == ""


def test_ndjson_streams_while_stdin_is_still_open(fake: FakeAPI) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "movieagg", "batch", "-", "-f", "ndjson", "--progress", "none"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(MOVIEAGG_SOURCES="tmdb"),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("Up (2009)\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # arrives before the input is finished
        assert first["status"] == "found" and first["result"]["movie"]["imdb_id"] == "tt1049413"
        assert proc.poll() is None
        proc.stdin.write("M (1931)\n")
        proc.stdin.close()
        second = json.loads(proc.stdout.readline())
        assert second["index"] == 2 and second["result"]["movie"]["title"] == "M"
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_interrupted_batch_resumes_with_the_same_output(fake: FakeAPI, tmp_path: Path) -> None:
    films = [f for f in FILMS if f["imdb_rating"] is not None][:16]
    src = tmp_path / "list.txt"
    src.write_text("".join(f"{f['title']} ({f['year']})\n" for f in films))
    dest = tmp_path / "rated.ndjson"
    fake.state.latency = 0.1
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "movieagg",
            "batch",
            str(src),
            "-o",
            str(dest),
            "-c",
            "1",
            "--progress",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(MOVIEAGG_SOURCES="tmdb"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not dest.exists() or dest.read_text().count("\n") < 4):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "run the same command again to resume" in err and "Traceback" not in err
    done_before = dest.read_text().count("\n")
    assert 4 <= done_before < len(films)

    fake.state.latency = 0.0
    fake.counts(reset=True)
    again = run(str(src), "-o", str(dest), "--progress", "none", MOVIEAGG_SOURCES="tmdb")
    assert again.returncode == 0, again.stderr
    assert f"{done_before} were already in the output (resumed)" in again.stderr
    rows = [json.loads(line) for line in dest.read_text().splitlines()]
    assert sorted(r["index"] for r in rows) == list(range(1, len(films) + 1))
    assert all(r["status"] == "found" for r in rows)
    # Only the remaining titles were looked up: a search and a details call each.
    assert fake.counts().get("tmdb", 0) <= 2 * (len(films) - done_before)


def test_spent_omdb_quota_is_reported_not_fatal(fake: FakeAPI, tmp_path: Path) -> None:
    out = run(
        "-", "-f", "json", stdin="Up (2009)\nM (1931)\nSe7en (1995)\n",
        MOVIEAGG_SOURCES="tmdb,omdb", MOVIEAGG_OMDB_DAILY_LIMIT="1",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["status"] for r in rows] == ["found"] * 3
    assert "omdb: daily quota of 1 requests spent" in out.stderr
    assert "later titles were rated without it" in out.stderr


def test_usage_errors_are_one_line(fake: FakeAPI, tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    fmt = run("-", "-f", "xml", stdin="Up\n")
    assert fmt.returncode == 2 and "unknown format" in fmt.stderr
    unconfigured = run("-", "-s", "omdb", stdin="Up\n", OMDB_API_KEY="")
    assert unconfigured.returncode == 3 and "OMDB_API_KEY" in unconfigured.stderr
    for r in (missing, fmt, unconfigured):
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_concurrency_setting_from_environment_or_config_file(
    fake: FakeAPI, tmp_path: Path, isolated_env: Path
) -> None:
    """The default --concurrency is a setting: environment or config file, checked as the option is."""
    for value in ("0", "x", "300"):
        bad = run("-", stdin="Up\n", MOVIEAGG_BATCH_CONCURRENCY=value)
        assert bad.returncode == 2 and "concurrency" in bad.stderr.lower(), (value, bad.stderr)
        assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    explicit = run("-", "-c", "2", "--progress", "none", stdin="Up (2009)\n",
                   MOVIEAGG_BATCH_CONCURRENCY="x", MOVIEAGG_SOURCES="tmdb")  # fmt: skip
    assert explicit.returncode == 0, explicit.stderr  # an explicit -c wins over the setting
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text("MOVIEAGG_BATCH_CONCURRENCY = 0\n")
    from_file = run("-", stdin="Up\n")
    assert from_file.returncode == 2 and "MOVIEAGG_BATCH_CONCURRENCY" in from_file.stderr
    (isolated_env / "config.toml").write_text("MOVIEAGG_BATCH_CONCURRENCY = 4\n")
    ok = run("-", "-f", "ndjson", "--progress", "none", stdin="Up (2009)\n", MOVIEAGG_SOURCES="tmdb")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "found"


def test_help_describes_formats_and_resume() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "movieagg", "batch", "--help"],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert out.returncode == 0
    for word in ("Letterboxd", "--concurrency", "--output", "resume", "ndjson"):
        assert word in out.stdout


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_restart_overwrites(fake: FakeAPI, tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"o.{fmt}"
    first = run("-", "-o", str(dest), "--progress", "none", stdin="Up (2009)\n", MOVIEAGG_SOURCES="tmdb")
    assert first.returncode == 0, first.stderr
    again = run(
        "-", "-o", str(dest), "--restart", "--progress", "none", stdin="M (1931)\n", MOVIEAGG_SOURCES="tmdb"
    )
    assert again.returncode == 0, again.stderr
    text = dest.read_text()
    assert "tt0022100" in text and "tt1049413" not in text


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_letterboxd_export_zip_and_from(fake: FakeAPI, tmp_path: Path) -> None:
    import zipfile

    zipped = tmp_path / "letterboxd-someone-2026-01-01-00-00-utc.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(CORPUS / "letterboxd" / "patrickmjones" / "ratings.csv", "ratings.csv")
        zf.write(CORPUS / "letterboxd" / "extratone" / "lists" / "media-meta.csv", "lists/media-meta.csv")
    out = run(str(zipped), "--from", "lists/media-meta", "-f", "ndjson", "--progress", "none", MOVIEAGG_SOURCES="tmdb")
    assert out.returncode == 0, out.stderr
    rows = sorted((json.loads(line) for line in out.stdout.splitlines()), key=lambda r: r["index"])
    assert [(r["input"]["title"], r["input"]["year"]) for r in rows][:2] == [("Mad As Hell", 2014), ("Spotlight", 2015)]
    assert len(rows) == 7
    bad = run(str(zipped), "--from", "lists/nope", MOVIEAGG_SOURCES="tmdb")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "lists/nope" in bad.stderr and "ratings" in bad.stderr and "lists/media-meta" in bad.stderr
    plain = run(str(zipped), MOVIEAGG_SOURCES="tmdb")  # no watched.csv in this zip
    assert plain.returncode == 2 and "watched" in plain.stderr


def test_windows_1252_export_titles_are_echoed_as_written(fake: FakeAPI, tmp_path: Path) -> None:
    out = run(str(CORPUS / "imdb" / "ratings-2021-cp1252.csv"), "-f", "ndjson", "--progress", "none", MOVIEAGG_SOURCES="tmdb")
    assert out.returncode == 0, out.stderr
    titles = {json.loads(line)["input"]["title"] for line in out.stdout.splitlines()}
    assert {"Alien³", "Kurôzu zero"} <= titles and not any("\ufffd" in t for t in titles)



def test_weights_option(fake: FakeAPI) -> None:
    out = run("-", "--format", "ndjson", "--weights", "critics=0", stdin="Up (2009)\n", MOVIEAGG_SOURCES="tmdb,omdb")
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout.splitlines()[0])
    assert row["result"]["weights"] == {"critics": 0.0} and row["score"] == row["result"]["audience"]
    bad = run("-", "--weights", "imbd=1", stdin="Up\n")
    assert bad.returncode == 2 and "imbd" in bad.stderr
