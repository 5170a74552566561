"""`movieagg datasets sync|status`: download, import, status and rate, in real subprocesses."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from bench.imdb_datasets_gen import generate
from movieagg.core.config import Settings
from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.imdb_datasets.files import RATINGS, db_path
from movieagg.sources.imdb_datasets.importer import read_meta
from tests.sources.imdb_datasets.rows import write_dataset_dir


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return write_dataset_dir(tmp_path / "datasets")


@pytest.fixture
def file_server(dataset_dir: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = partial(Quiet, directory=str(dataset_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **extra},
        timeout=120,
    )


def test_sync_downloads_then_status_and_rate(file_server: str, isolated_env: Path) -> None:
    out = cli("datasets", "sync", "--akas", "--progress", "none", MOVIEAGG_IMDB_DATASETS_URL=file_server)
    assert out.returncode == 0, out.stderr
    assert "imported 8 films and TV movies" in out.stderr and "malformed lines skipped" in out.stderr
    assert "4 series and 4 episodes (4 placed in their seasons)" in out.stderr  # title.episode downloaded
    assert "Information courtesy of IMDb" in out.stderr
    assert not list(isolated_env.glob("imdb-download-*"))  # downloads cleaned up
    status = cli("datasets", "status", "--json")
    assert status.returncode == 0 and '"titles": 8' in status.stdout and '"placed": 4' in status.stdout
    rated = cli(
        "rate", "Le Voyage de Chihiro", "-s", "imdb-datasets", "--json", MOVIEAGG_SOURCES="imdb-datasets"
    )
    assert rated.returncode == 0, rated.stderr
    assert '"imdb_id": "tt0245429"' in rated.stdout


def test_sync_failure_is_one_line_and_keeps_previous(
    file_server: str, dataset_dir: Path, isolated_env: Path
) -> None:
    assert cli("datasets", "sync", "--from", str(dataset_dir), "--progress", "none").returncode == 0
    (dataset_dir / RATINGS).unlink()  # the server now answers 404
    out = cli("datasets", "sync", "--progress", "none", MOVIEAGG_IMDB_DATASETS_URL=file_server)
    assert out.returncode == 3
    assert "HTTP 404" in out.stderr and "previous import" in out.stderr and "Traceback" not in out.stderr
    assert cli("datasets", "status", "--json").stdout.count('"synced": true') == 1


def test_help_states_attribution_and_licence() -> None:
    out = cli("datasets", "sync", "--help")
    assert "Information courtesy of IMDb" in out.stdout and "non-commercial" in out.stdout


def test_interrupted_sync_leaves_the_previous_import(
    dataset_dir: Path, tmp_path: Path, isolated_env: Path
) -> None:
    """Ctrl-C in the middle of an import: exit 130, the previous import answers as before."""
    import signal
    import time

    assert cli("datasets", "sync", "--from", str(dataset_dir), "--progress", "none").returncode == 0
    before = read_meta(db_path(Settings.from_env()))
    big = tmp_path / "big"
    generate(big, 150_000, akas=False, malformed=0.0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "movieagg", "datasets", "sync", "--from", str(big), "--progress", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(isolated_env.glob("*.partial-*")):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "previous import" in err and "Traceback" not in err
    assert read_meta(db_path(Settings.from_env())) == before
    assert not list(isolated_env.glob("*.partial-*"))
    src = ImdbDatasetsSource(path=db_path(Settings.from_env()))
    assert src.lookup("tt0133093") is not None
    src.close()
