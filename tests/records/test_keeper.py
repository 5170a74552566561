"""The flush policy of a serving process: the outbox reaches the store on a timer and stays bounded.

The report: `serve` answering only cache hits never flushed (122 MB, 289,636 lines); with the
store down for long the outbox had no bound at all.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from movieagg.core.config import Settings
from movieagg.records.keeper import RecordKeeper
from movieagg.records.outbox import Outbox
from movieagg.store.gate import StoreGate
from movieagg.store.sql import SQLStore
from tests.store.records import record


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class DownStore:
    """A store whose database is unreachable."""

    def write(self, entries: Any) -> int:
        raise ConnectionError("database down")

    def close(self) -> None:
        pass


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"MOVIEAGG_HOME": str(tmp_path / "home"), **env}, read_file=False)


async def _settle(keeper: RecordKeeper) -> None:
    if keeper._task is not None:
        await keeper._task


async def test_cache_hits_alone_reach_the_store_on_a_timer(tmp_path: Path) -> None:
    settings = _settings(tmp_path, MOVIEAGG_FLUSH_INTERVAL="30")
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    clock = Clock()
    keeper = RecordKeeper(
        settings, "background", store=StoreGate(settings, opener=lambda s: SQLStore(url)), clock=clock
    )
    try:
        for i in range(50):
            keeper.recorder.record(record(f"Hit {i}", cached=True))
            await keeper.after_lookup(fresh=False)
        await _settle(keeper)
        keeper._writer.drain()  # type: ignore[union-attr]
        assert keeper.outbox.pending_count() == 50  # not yet: cache hits wait for the timer
        clock.now += 31
        keeper.recorder.record(record("Hit 50", cached=True))
        await keeper.after_lookup(fresh=False)
        await _settle(keeper)
        assert keeper.outbox.pending_count() == 0
        store = SQLStore(url)
        assert store.counts()["lookups"] == 51
        store.close()
    finally:
        await keeper.aclose()


def _fill(box: Outbox, cached: int, fresh: int) -> None:
    """Interleaved old records: ``cached`` cache hits and ``fresh`` lookups with observations."""
    batch = []
    for i in range(cached + fresh):
        is_fresh = i % max(1, (cached + fresh) // max(fresh, 1)) == 0 and fresh > 0
        entry = record(f"Film {i}", f"tt{1000000 + i:07d}", cached=not is_fresh, id=f"r{i:06d}")
        batch.append(entry)
    box.append_many(batch)


async def test_with_the_store_down_the_outbox_sheds_its_oldest_cache_hits_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, MOVIEAGG_OUTBOX_MAX_MB="0.2")  # 200 kB
    limit = settings.outbox_max_bytes
    keeper = RecordKeeper(settings, "background", store=StoreGate(settings, opener=lambda s: DownStore()))
    try:
        _fill(keeper.outbox, cached=900, fresh=100)
        before = [
            json.loads(line)
            for p in sorted(keeper.outbox.directory.glob("*.jsonl"))
            for line in p.read_text().splitlines()
        ]
        fresh_ids = {e["id"] for e in before if not e["cached"]}
        assert keeper.outbox.size() > limit
        assert keeper.flush_now() == 0  # the store is down
        assert keeper.outbox.size() <= limit
        kept = [
            json.loads(line)
            for p in keeper.outbox.directory.glob("*.jsonl")
            if not p.name.startswith("rejected-")
            for line in p.read_text().splitlines()
        ]
        assert fresh_ids <= {e["id"] for e in kept}  # never a fresh observation
        dropped = [e for e in before if e["id"] not in {k["id"] for k in kept}]
        assert dropped and all(e["cached"] for e in dropped)
        oldest_kept_hit = min(int(e["id"][1:]) for e in kept if e["cached"])
        assert all(int(e["id"][1:]) < oldest_kept_hit for e in dropped)  # the oldest went first
        assert keeper.outbox.dropped() == len(dropped)
        assert any("dropped" in r.getMessage() and "cache" in r.getMessage() for r in caplog.records)
    finally:
        await keeper.aclose()


async def test_fresh_observations_are_never_shed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path, MOVIEAGG_OUTBOX_MAX_MB="0.05")
    keeper = RecordKeeper(settings, "on_close", store=StoreGate(settings, opener=lambda s: DownStore()))
    try:
        _fill(keeper.outbox, cached=0, fresh=200)
        size = keeper.outbox.size()
        assert size > settings.outbox_max_bytes
        keeper.flush_now()
        assert keeper.outbox.pending_count() == 200 and keeper.outbox.dropped() == 0
        assert any("fresh" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    finally:
        await keeper.aclose()


def test_bad_settings_are_configuration_errors(tmp_path: Path) -> None:
    from movieagg.core.errors import ConfigurationError

    for name, value in (
        ("MOVIEAGG_OUTBOX_MAX_MB", "lots"),
        ("MOVIEAGG_OUTBOX_MAX_MB", "0"),
        ("MOVIEAGG_FLUSH_INTERVAL", "-1"),
    ):
        with pytest.raises(ConfigurationError, match=name):
            s = _settings(tmp_path, **{name: value})
            _ = s.outbox_max_bytes, s.flush_interval
    default = _settings(tmp_path)
    assert default.outbox_max_bytes == 64 * 1024 * 1024 and default.flush_interval == 15.0


def test_status_counts_what_was_shed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from movieagg.cli import app

    home = tmp_path / "home"
    monkeypatch.setenv("MOVIEAGG_HOME", str(home))
    monkeypatch.setenv("MOVIEAGG_OUTBOX_MAX_MB", "0.05")
    settings = Settings.from_env()
    keeper = RecordKeeper(settings, "on_close", store=StoreGate(settings, opener=lambda s: DownStore()))
    _fill(keeper.outbox, cached=400, fresh=0)
    keeper.flush_now()
    asyncio.run(keeper.aclose())
    shed = keeper.outbox.dropped()
    assert shed > 0
    result = CliRunner().invoke(app, ["db", "status"])
    assert f"dropped:   {shed} cache-hit records" in result.stdout, result.stdout
