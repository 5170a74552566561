"""Broken IMDb dataset files, as a table: a bad line is skipped and counted, a broken file is a
one-line DatasetError (exit 3) and the previous import stays in use — never a traceback.

The report: a corrupted deflate stream (zlib.error), a numVotes of 10^23 (OverflowError) and a
1.5 GB line (MemoryError at 1.19 GB RSS) each ended `datasets sync` with a raw traceback, exit 1.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.imdb_datasets_gen import BASICS_HEADER, RATINGS_HEADER
from movieagg.sources.imdb_datasets.files import BASICS, RATINGS, DatasetError
from movieagg.sources.imdb_datasets.importer import MAX_LINE, import_datasets, read_meta
from tests.sources.imdb_datasets.rows import BASICS_ROWS, RATINGS_ROWS, write_gz


def _corrupt_deflate(path: Path) -> None:
    """A deflate block of the reserved type 11: zlib.error "invalid block type" mid-stream."""
    data = bytearray(path.read_bytes())
    start = 10
    if data[3] & 0x08:  # FNAME: the original file name, NUL-terminated, comes first
        start = data.index(0, start) + 1
    data[start] = 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(zlib.error):  # the fault the report saw, not another one
        gzip.decompress(bytes(data))


def _bad_crc(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    path.write_bytes(bytes(data))


def _huge_line(path: Path, size: int = 3 * MAX_LINE) -> None:
    """A line far longer than any IMDb line: ``size`` bytes before its newline."""
    with gzip.open(path, "wb") as fh:
        fh.write(BASICS_HEADER.encode() + b"\n")
        fh.write(("\n".join(BASICS_ROWS[:4]) + "\n").encode())
        fh.write(b"tt0000001\tmovie\t" + b"A" * size + b"\t\\N\t0\t2000\t\\N\t90\tDrama\n")
        fh.write(("\n".join(BASICS_ROWS[4:]) + "\n").encode())


def _rows(name: str, header: str, rows: list[str]) -> Callable[[Path], None]:
    return lambda path: write_gz(path, header, rows)


# (id, file, damage, None for "a broken file" or how many more malformed lines than the good files)
BROKEN: list[tuple[str, str, Callable[[Path], None], int | None]] = [
    ("truncated", RATINGS, lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), None),
    ("corrupt-deflate-stream", BASICS, _corrupt_deflate, None),
    ("bad-crc", RATINGS, _bad_crc, None),
    ("html-error-page", RATINGS, lambda p: p.write_text("<html>503 Service Unavailable</html>"), None),
    ("empty-file", BASICS, lambda p: p.write_bytes(b""), None),
    ("gzip-of-nothing", RATINGS, lambda p: p.write_bytes(gzip.compress(b"")), None),
    ("directory-instead", RATINGS, lambda p: (p.unlink(), p.mkdir()), None),
    (
        "votes-10e23",
        RATINGS,
        _rows(RATINGS, RATINGS_HEADER, [*RATINGS_ROWS, "tt0245429\t8.6\t" + "1" + "0" * 23]),
        1,
    ),
    (
        "rating-nan-inf-negative",
        RATINGS,
        _rows(
            RATINGS,
            RATINGS_HEADER,
            [
                *RATINGS_ROWS,
                "tt0245429\tnan\t5",
                "tt0245429\tinf\t5",
                "tt0245429\t-1\t5",
                "tt0245429\t8.1\t1_000",
            ],
        ),
        4,
    ),
    (
        "year-and-runtime-of-30-digits",
        BASICS,
        _rows(
            BASICS,
            BASICS_HEADER,
            [
                *BASICS_ROWS,
                "tt0000002\tmovie\tHuge\tHuge\t0\t" + "9" * 30 + "\t\\N\t90\tDrama",
                "tt0000003\tmovie\tLong\tLong\t0\t2000\t\\N\t" + "9" * 30 + "\tDrama",
            ],
        ),
        2,
    ),
    ("line-of-3-MiB", BASICS, _huge_line, 1),
    (
        "invalid-utf8-title",
        BASICS,
        lambda p: p.write_bytes(
            gzip.compress(
                (BASICS_HEADER + "\n").encode()
                + b"tt0000004\tmovie\t\xff\xfe\tx\t0\t2000\t\\N\t90\tDrama\n"
                + ("\n".join(BASICS_ROWS) + "\n").encode()
            )
        ),
        1,
    ),
]


@pytest.mark.parametrize(("name", "damage", "extra"), [r[1:] for r in BROKEN], ids=[r[0] for r in BROKEN])
def test_broken_dataset_files(
    imported: Path,
    dataset_dir: Path,
    tmp_path: Path,
    name: str,
    damage: Callable[[Path], None],
    extra: int | None,
) -> None:
    good = import_datasets(dataset_dir, tmp_path / "reference.sqlite3")
    before = read_meta(imported)
    damage(dataset_dir / name)
    if extra is None:
        with pytest.raises(DatasetError):
            import_datasets(dataset_dir, imported)
        assert read_meta(imported) == before  # the previous import is still the one in use
        assert not list(imported.parent.glob("*.partial-*"))
        return
    stats = import_datasets(dataset_dir, imported)
    assert stats.malformed[name] == good.malformed[name] + extra
    assert stats.titles == good.titles and stats.rated == good.rated


def test_a_huge_line_is_read_in_bounded_memory(dataset_dir: Path, tmp_path: Path) -> None:
    _huge_line(dataset_dir / BASICS, 16 * MAX_LINE)  # 16 MiB, ~16 kB compressed
    tracemalloc.start()
    try:
        stats = import_datasets(dataset_dir, tmp_path / "db.sqlite3")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stats.malformed[BASICS] == 5  # the 4 of the hand-made rows, and this one
    assert peak < 6 * MAX_LINE, peak  # pieces of the line, never all 16 MiB of it (nor 1.5 GB)


@pytest.mark.parametrize("name", ["corrupt-deflate-stream", "votes-10e23", "directory-instead"])
def test_sync_reports_a_broken_file_in_one_line_exit_3(imported: Path, dataset_dir: Path, name: str) -> None:
    ((_, file, damage, extra),) = [r for r in BROKEN if r[0] == name]
    damage(dataset_dir / file)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "movieagg",
            "datasets",
            "sync",
            "--from",
            str(dataset_dir),
            "--progress",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in out.stderr
    if extra is None:
        assert out.returncode == 3 and "previous import" in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    else:
        assert out.returncode == 0 and "malformed lines skipped" in out.stderr, out.stderr
