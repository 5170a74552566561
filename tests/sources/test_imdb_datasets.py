"""The offline IMDb datasets: import of files in the exact format (malformed lines included),
lookups, title search, atomic replacement, download, and the source in the aggregator."""

from __future__ import annotations

import gzip
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from bench.imdb_datasets_gen import AKAS_HEADER, BASICS_HEADER, RATINGS_HEADER, generate
from movieagg.core.config import Settings
from movieagg.core.models import Movie, Query
from movieagg.factory import build_aggregator, choose_specs
from movieagg.sources.imdb_datasets import (
    AKAS,
    BASICS,
    RATINGS,
    DatasetError,
    ImdbDatasetsSource,
    db_path,
    import_datasets,
    read_meta,
)

# Hand-made rows in IMDb's exact format: no quoting, \N for null, tabs only.
BASICS_ROWS = [
    "tt0133093\tmovie\tThe Matrix\tThe Matrix\t0\t1999\t\\N\t136\tAction,Sci-Fi",
    "tt0245429\tmovie\tSpirited Away\tSen to Chihiro no kamikakushi\t0\t2001\t\\N\t125\tAnimation",
    'tt0499549\tmovie\tAvatar "Special"\tAvatar "Special"\t0\t2009\t\\N\t\\N\t\\N',
    "tt0087182\tmovie\tDune\tDune\t0\t1984\t\\N\t137\tSci-Fi",
    "tt1160419\tmovie\tDune\tDune: Part One\t0\t2021\t\\N\t155\tSci-Fi",
    "tt0583459\ttvEpisode\tThe One Where Dune\tThe One Where Dune\t0\t1995\t\\N\t22\tComedy",
    "tt0944947\ttvSeries\tGame of Thrones\tGame of Thrones\t0\t2011\t2019\t57\tDrama",
    "tt1234567\ttvMovie\tA TV Film\t\\N\t0\t\\N\t\\N\t90\tDrama",
    "tt7777777\tmovie\tBroken row\t0\t1999",  # too few columns
    "tt8888888\tmovie\tBad Year\tBad Year\t0\tabcd\t\\N\t90\tDrama",  # year is not a number
    "nm0000001\tmovie\tNot A Title Id\tx\t0\t2000\t\\N\t90\tDrama",  # bad id
    "",  # blank line
    "tt10872600\tmovie\tEight Digit Id\tEight Digit Id\t0\t2021\t\\N\t148\tAction",
]
RATINGS_ROWS = [
    "tt0133093\t8.7\t2112345",
    "tt0245429\t8.6\t876543",
    "tt0583459\t8.1\t3000",  # an episode: not kept
    "tt0087182\t6.3\t160000",
    "tt1160419\t8.0\t812000",
    "tt10872600\t8.2\t880000",
    "tt0499549\tN/A\t12",  # malformed
]
AKAS_ROWS = [
    "tt0133093\t1\tМатрица\tRU\tru\timdbDisplay\t\\N\t0",
    "tt0133093\t2\tThe Matrix\tUS\t\\N\timdbDisplay\t\\N\t0",
    "tt0245429\t1\t千と千尋の神隠し\tJP\tja\timdbDisplay\t\\N\t0",
    "tt0245429\t2\tLe Voyage de Chihiro\tFR\t\\N\timdbDisplay\t\\N\t0",
    "tt0583459\t1\tIgnored Episode Title\tUS\t\\N\t\\N\t\\N\t0",
    "tt1160419\t1\tDune: Part One\tUS\t\\N\t\\N\t\\N\t0",
    "tt1160419\t2\ttoo\tfew",  # malformed
]


def write_gz(path: Path, header: str, rows: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as fh:
        fh.write(header + "\n")
        for row in rows:
            fh.write(row + "\n")


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    d = tmp_path / "datasets"
    d.mkdir()
    write_gz(d / BASICS, BASICS_HEADER, BASICS_ROWS)
    write_gz(d / RATINGS, RATINGS_HEADER, RATINGS_ROWS)
    write_gz(d / AKAS, AKAS_HEADER, AKAS_ROWS)
    return d


@pytest.fixture
def imported(dataset_dir: Path, isolated_env: Path) -> Path:
    target = db_path(Settings.from_env())
    import_datasets(dataset_dir, target)
    return target


def test_import_keeps_films_skips_and_counts_malformed(dataset_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "db.sqlite3"
    stats = import_datasets(dataset_dir, target)
    assert stats.basics_rows == len(BASICS_ROWS)
    assert stats.titles == 7  # 6 movies (3 malformed skipped) + 1 TV movie; no episode, no series
    assert stats.malformed == {BASICS: 4, RATINGS: 1, AKAS: 1}
    assert stats.rated == 5
    assert stats.akas == 5  # episode akas are not kept
    meta = read_meta(target)
    assert meta is not None and meta["origin"] == str(dataset_dir) and "imported_at" in meta


async def test_lookup_by_imdb_id_offline(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    data = await src.fetch(Movie("x", imdb_id="tt0133093"))
    assert data is not None and data.exact
    (rating,) = data.ratings
    assert (rating.name, rating.value, rating.scale, rating.votes, rating.source) == (
        "imdb",
        8.7,
        10.0,
        2112345,
        "imdb-datasets",
    )
    assert data.movie is not None and (data.movie.title, data.movie.year, data.movie.runtime) == (
        "The Matrix",
        1999,
        136,
    )
    quoted = src.lookup("tt0499549")  # quotes kept as they are; \N → None; no rating
    assert quoted is not None and quoted.movie is not None
    assert quoted.movie.title == 'Avatar "Special"' and quoted.movie.runtime is None and quoted.ratings == ()
    tv = src.lookup("tt1234567")
    assert tv is not None and tv.movie is not None and tv.movie.year is None
    eight = src.lookup("tt10872600")
    assert eight is not None and eight.movie is not None and eight.movie.imdb_id == "tt10872600"
    assert src.lookup("tt0583459") is None  # episodes are not imported
    assert src.lookup("tt0944947") is None
    src.close()


async def test_search_titles_original_and_alternative(imported: Path) -> None:
    src = ImdbDatasetsSource(path=imported)
    dune = await src.search(Query("Dune"))
    assert {(c.imdb_id, c.year) for c in dune} >= {("tt0087182", 1984), ("tt1160419", 2021)}
    assert dune[0].imdb_id == "tt1160419"  # most votes first
    assert [c.imdb_id for c in await src.search(Query("Dune", 1984))] == ["tt0087182"]
    assert (await src.search(Query("千と千尋の神隠し")))[0].imdb_id == "tt0245429"
    assert (await src.search(Query("Le Voyage de Chihiro")))[0].imdb_id == "tt0245429"
    assert (await src.search(Query("Матрица")))[0].imdb_id == "tt0133093"
    assert (await src.search(Query('Avatar "Special"')))[0].imdb_id == "tt0499549"  # quotes in a MATCH
    assert await src.search(Query("No Such Film")) == []
    by_title = await src.fetch(Movie("Dune", 2021))  # known only by title and year
    assert by_title is not None and by_title.movie is not None and by_title.movie.imdb_id == "tt1160419"
    assert not by_title.exact
    src.close()


def test_failed_sync_keeps_the_previous_import(imported: Path, dataset_dir: Path, tmp_path: Path) -> None:
    before = read_meta(imported)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / BASICS).write_bytes((dataset_dir / BASICS).read_bytes())
    data = (dataset_dir / RATINGS).read_bytes()
    (broken / RATINGS).write_bytes(data[: len(data) // 2])  # a truncated download
    with pytest.raises(DatasetError, match="damaged or truncated"):
        import_datasets(broken, imported)
    assert read_meta(imported) == before
    assert not list(imported.parent.glob("*.partial-*"))
    (broken / RATINGS).write_text("<html>503</html>")
    with pytest.raises(DatasetError, match="not a gzip file"):
        import_datasets(broken, imported)
    (broken / RATINGS).unlink()
    with pytest.raises(DatasetError, match="missing"):
        import_datasets(broken, imported)
    write_gz(broken / RATINGS, "tconst\trating", [])
    with pytest.raises(DatasetError, match="unexpected header"):
        import_datasets(broken, imported)
    assert read_meta(imported) == before


def test_stale_partial_files_are_removed(imported: Path, dataset_dir: Path) -> None:
    stale = imported.with_name(f"{imported.name}.partial-999999999")
    stale.write_bytes(b"half")
    import_datasets(dataset_dir, imported)
    assert not stale.exists()


def test_generated_files_with_malformed_lines(tmp_path: Path) -> None:
    counts = generate(tmp_path / "gen", 3000, malformed=0.02)
    stats = import_datasets(tmp_path / "gen", tmp_path / "gen.sqlite3")
    assert stats.basics_rows == counts["basics_rows"] + counts["malformed_basics"]
    assert stats.titles == counts["movies"] + counts["tv_movies"]
    assert stats.malformed[BASICS] == counts["malformed_basics"] > 0
    assert stats.malformed[RATINGS] == counts["malformed_ratings"]
    src = ImdbDatasetsSource(path=tmp_path / "gen.sqlite3")
    matrix = src.lookup("tt0133093")
    assert matrix is not None and matrix.ratings[0].votes == 2112345
    src.close()


def test_source_is_configured_only_once_imported(dataset_dir: Path) -> None:
    settings = Settings.from_env()
    chosen, unavailable = choose_specs(settings)
    assert "imdb-datasets" not in {s.name for s in chosen}
    assert "datasets sync" in unavailable.get("imdb-datasets", "") or "imdb-datasets" not in unavailable
    import_datasets(dataset_dir, db_path(settings))
    chosen, _ = choose_specs(settings)
    assert "imdb-datasets" in {s.name for s in chosen}


async def test_offline_rating_and_resolution_with_no_network(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the local import: titles resolve and rate with no key and no network at all."""
    monkeypatch.setenv("MOVIEAGG_SOURCES", "imdb-datasets")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # any network use would fail
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Spirited Away")
        by_id = await agg.rate_imdb("tt1160419")
    assert result.movie.imdb_id == "tt0245429" and result.ratings[0].value == 8.6 and not result.errors
    assert by_id.movie.title == "Dune" and by_id.ratings[0].votes == 812000


# ---------------------------------------------------------------------------- the command


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
    assert "imported 7 films and TV movies" in out.stderr and "malformed lines skipped" in out.stderr
    assert "Information courtesy of IMDb" in out.stderr
    assert not list(isolated_env.glob("imdb-download-*"))  # downloads cleaned up
    status = cli("datasets", "status", "--json")
    assert status.returncode == 0 and '"titles": 7' in status.stdout
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
