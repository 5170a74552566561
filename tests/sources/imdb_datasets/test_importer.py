"""The IMDb datasets import: files in the exact format (malformed lines included), atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.imdb_datasets_gen import generate
from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.imdb_datasets.files import AKAS, BASICS, EPISODES, RATINGS, DatasetError
from movieagg.sources.imdb_datasets.importer import import_datasets, read_meta
from tests.sources.imdb_datasets.rows import BASICS_ROWS, write_gz


def test_import_keeps_films_skips_and_counts_malformed(dataset_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "db.sqlite3"
    stats = import_datasets(dataset_dir, target)
    assert stats.basics_rows == len(BASICS_ROWS)
    assert stats.titles == 8  # 7 movies (3 malformed skipped) + 1 TV movie: films only
    assert stats.series == 4  # Game of Thrones, Breaking Bad, Fargo (2014), a mini-series
    assert stats.episodes == 4  # tvEpisode rows of title.basics
    assert stats.episodes_rows == 6 and stats.placed == 4  # one malformed, one without a number
    assert stats.malformed == {BASICS: 4, RATINGS: 1, AKAS: 1, EPISODES: 1}
    assert stats.rated == 6  # films rated (series and episodes are rated too, counted apart)
    assert stats.akas == 5  # episode akas are not kept
    meta = read_meta(target)
    assert meta is not None and meta["origin"] == str(dataset_dir) and "imported_at" in meta


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


def test_episode_file_is_optional_and_checked(dataset_dir: Path, tmp_path: Path) -> None:
    (dataset_dir / EPISODES).rename(tmp_path / EPISODES)
    stats = import_datasets(dataset_dir, tmp_path / "a.sqlite3")
    assert stats.episodes_rows == 0 and stats.series == 4  # series still kept, just no grid
    with pytest.raises(DatasetError, match=r"missing title\.episode"):
        import_datasets(dataset_dir, tmp_path / "b.sqlite3", episodes=True)
    write_gz(dataset_dir / EPISODES, "tconst\tparent", [])
    with pytest.raises(DatasetError, match="unexpected header"):
        import_datasets(dataset_dir, tmp_path / "c.sqlite3")
