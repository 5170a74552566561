"""A disk cache that cannot be used — unwritable, in the way, corrupt — costs a warning, never a lookup.

The report: `rate`/`batch` exited 70, `cache stats`/`clear` printed a traceback (exit 1), `serve`
did not start. Opening the disk cache now falls back as a down Redis does: warn once, carry on
without it; `cache stats` says why, with exit 8. Reads go through a read-only SQLite connection
of our own (issue #14) and must say exactly what diskcache would.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import diskcache
import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cache.disk import DiskCache
from movieagg.cli import app
from movieagg.core.errors import CacheError
from movieagg.web.server import Gateway
from movieagg.web.service import Service

BROKEN = ["file-in-the-way", "corrupt-database", "read-only-filesystem"]


def _break(kind: str, tmp_path: Path) -> Path:
    if kind == "file-in-the-way":
        path = tmp_path / "cache"
        path.write_text("not a directory")
        return path
    if kind == "corrupt-database":
        path = tmp_path / "cache"
        path.mkdir()
        (path / "cache.db").write_bytes(b"this is not a SQLite database" * 100)
        return path
    path = Path("/sys/movieagg-test-cache")  # sysfs: not even root may create a directory there
    try:
        path.mkdir()
    except OSError:
        return path
    path.rmdir()
    pytest.skip("no read-only filesystem to put the cache on")


@pytest.fixture(params=BROKEN)
def broken_cache(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = _break(request.param, tmp_path)
    monkeypatch.setenv("MOVIEAGG_CACHE", f"disk://{path}")
    return path


def _run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(argv), input=stdin, env={"NO_COLOR": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def test_lookups_answer_without_the_cache_and_warn_once(broken_cache: Path, fake: FakeAPI) -> None:
    code, out, err = _run("rate", "The Matrix", "--json")
    assert code == 0, err
    assert json.loads(out)["movie"]["imdb_id"] == "tt0133093"
    warnings = [line for line in err.splitlines() if line.strip()]
    assert len(warnings) == 1 and "cache" in warnings[0] and "Traceback" not in err, err
    assert any(why in err for why in ("Not a directory", "corrupt", "not permitted")), err
    code, out, err = _run("batch", "-", "--progress", "none", "-f", "ndjson", stdin="Up\nThe Matrix\n")
    assert code == 0, err
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["found", "found"]


def test_cache_stats_and_clear_say_why_with_exit_8(broken_cache: Path) -> None:
    for argv in (("cache", "stats"), ("cache", "stats", "--json"), ("cache", "clear")):
        code, out, err = _run(*argv)
        assert code == CacheError.exit_code == 8, (argv, out, err)
        assert len(err.strip().splitlines()) == 1 and str(broken_cache) in err, err
        assert "Traceback" not in out + err
        assert any(why in err for why in ("Not a directory", "corrupt", "not permitted")), err


def test_serve_starts_answers_and_reports_the_cache_down(
    broken_cache: Path, fake: FakeAPI, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k.startswith(("MOVIEAGG_", "TMDB_", "OMDB_", "TRAKT_"))},
        "MOVIEAGG_HOME": str(tmp_path / "served"),
    }
    from tests.test_hostile_inputs import asgi_get

    async def go() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        gateway = Gateway(None, service_factory=lambda: Service(env, background_flush=True))
        await gateway.startup()  # used to fail: the runtime could not be built
        try:
            return await asgi_get(gateway, b"/api/rate", b"title=Up"), await asgi_get(gateway, b"/api/health")
        finally:
            await gateway.shutdown()

    (status, body), (_, health) = asyncio.run(go())
    assert status == 200 and json.loads(body)["movie"]["imdb_id"] == "tt1049413"
    checks = json.loads(health)["checks"]
    assert checks["cache"]["status"] == "down"


def test_the_cache_comes_back_once_it_can_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "cache"
    path.write_text("in the way")
    cache = DiskCache(path)
    with pytest.raises(CacheError, match="cannot open the disk cache"):
        cache.get("k")
    path.unlink()
    cache.set("k", b"v", 60)  # opened now: recovery needs no restart
    assert cache.get("k") == b"v"
    cache.close()


def test_reads_what_diskcache_wrote_without_opening_it(tmp_path: Path) -> None:
    with diskcache.Cache(str(tmp_path)) as real:
        real.set("small", b"{}", expire=60)
        real.set("large", b"x" * 100_000, expire=60)  # over diskcache's 32 KiB: kept in a file
        real.set("gone", b"old", expire=0.01)
        real.set("forever", "Amélie".encode())
    time.sleep(0.05)
    cache = DiskCache(tmp_path)
    try:
        assert cache.get("small") == b"{}"
        assert cache.get("large") == b"x" * 100_000
        assert cache.get("forever") == "Amélie".encode()
        assert cache.get("gone") is None  # expired, as diskcache would say
        assert cache.get("never") is None
        assert cache._cache is None  # no diskcache.Cache opened: its opening writes settings
    finally:
        cache.close()


def test_values_it_cannot_read_are_read_by_diskcache(tmp_path: Path) -> None:
    with diskcache.Cache(str(tmp_path)) as real:
        real.set("text", "not bytes")  # kept as text: the backend answers None for non-bytes
    cache = DiskCache(tmp_path)
    try:
        assert cache.get("text") is None
        assert cache._cache is not None
    finally:
        cache.close()


def test_a_new_directory_works_and_sees_its_own_writes(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "new")
    try:
        assert cache.get("k") is None
        cache.set("k", b"v", 60)
        assert cache.get("k") == b"v"
        cache.delete("k")
        assert cache.get("k") is None
        cache.set("k2", b"v2", 60)
        assert cache.stats()["entries"] == 1
    finally:
        cache.close()
    again = DiskCache(tmp_path / "new")
    try:
        assert again.get("k2") == b"v2"
    finally:
        again.close()
