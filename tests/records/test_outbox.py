"""Nothing lost: the outbox keeps records while the database is down; concurrent writers
(processes appending and flushing at once) never lose or duplicate a row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from movieagg.api import arate
from movieagg.core.config import Settings
from movieagg.records.keeper import flush_outbox, outbox_dir
from movieagg.records.outbox import Outbox
from movieagg.store.sql import SQLStore
from tests.store.records import record

DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1


async def test_database_down_lookups_answer_then_flush_writes_everything(
    db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", DOWN_URL)
    results = [await arate(t) for t in ("The Matrix", "Up", "The Matrix")]
    assert all(r.score is not None for r in results)
    assert "kept for later" in caplog.text
    box = Outbox(outbox_dir(Settings.from_env()))
    assert box.pending_count() == 3  # the failed flushes put the records back
    with pytest.raises(Exception):  # noqa: B017 - still down: an explicit flush fails loudly
        flush_outbox(Settings.from_env())
    assert box.pending_count() == 3

    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", db_url)  # the database is back
    assert flush_outbox(Settings.from_env()) == 3
    assert box.pending_count() == 0
    assert flush_outbox(Settings.from_env()) == 0
    store = SQLStore(db_url)
    try:
        log = store.searches(10)
        assert [e["query"]["title"] for e in log].count("The Matrix") == 2
        assert [e["cached"] for e in log if e["query"]["title"] == "The Matrix"] == [True, False]
        assert {o["source"] for o in store.history("tt0133093")} >= {"tmdb", "omdb"}
    finally:
        store.close()


async def test_next_fresh_lookup_flushes_the_backlog(
    db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", DOWN_URL)
    await arate("Up")
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", db_url)
    await arate("Blade Runner")  # a fresh lookup flushes its record and the backlog
    assert Outbox(outbox_dir(Settings.from_env())).pending_count() == 0
    store = SQLStore(db_url)
    try:
        assert sorted(e["query"]["title"] for e in store.searches()) == ["Blade Runner", "Up"]
    finally:
        store.close()


WRITER = """
import sys, uuid
from pathlib import Path
from movieagg.records.outbox import Outbox
from movieagg.store.sql import SQLStore
from tests.store.records import record

outbox_dir, url, worker = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
box, store = Outbox(outbox_dir), SQLStore(url)
films = [("The Matrix", "tt0133093"), ("Up", "tt1049413"), ("Dune", "tt1160419")]
shared = [record(*films[i % 3], id=f"shared{i:04d}") for i in range(20)]  # every worker has these
store.write(shared)  # concurrent direct writes of the same ids
for i in range(60):
    title, imdb = films[(worker + i) % 3]
    box.append(record(title, imdb, id=f"w{worker}-{i:04d}"))
    if i % 7 == 0:
        box.flush(store.write)  # flushes racing the other workers' appends and flushes
box.flush(store.write)
store.write(shared)
store.close()
"""


def test_concurrent_processes_never_lose_or_duplicate(db_url: str, tmp_path: Path) -> None:
    SQLStore(db_url).ensure_schema()  # migrations are covered elsewhere; race the writes here
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path / "outbox"), db_url, str(w)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-3000:]
    box = Outbox(tmp_path / "outbox")
    box.flush(SQLStore(db_url).write)  # anything a worker's last flush raced past
    assert box.pending_count() == 0
    store = SQLStore(db_url)
    try:
        counts = store.counts()
        assert counts["lookups"] == 4 * 60 + 20
        assert counts["rating_observations"] == 2 * counts["lookups"]
        assert counts["films"] == 3
        ids = [e["id"] for e in store.searches(limit=1000)]
        assert len(ids) == len(set(ids)) == 260
    finally:
        store.close()


def test_orphaned_claim_is_retried(tmp_path: Path, db_url: str) -> None:
    """A process that died between claiming and writing: its file is retried later, once."""
    box = Outbox(tmp_path / "outbox", orphan_after=0.2)
    box.append(record(id="orphan1"))
    claimed = box._claim()  # the dying process took it...
    assert len(claimed) == 1 and box.pending_count() == 0
    time.sleep(0.3)
    assert box.pending_count() == 1  # ...and after orphan_after it is ready again
    store = SQLStore(db_url)
    try:
        assert box.flush(store.write) == 1
        assert box.flush(store.write) == 0
        assert [e["id"] for e in store.searches()] == ["orphan1"]
    finally:
        store.close()


def test_append_is_cheap_and_survives_a_corrupt_line(tmp_path: Path, db_url: str) -> None:
    box = Outbox(tmp_path / "outbox")
    box.append(record(id="good1"))
    with (tmp_path / "outbox" / "pending.jsonl").open("a") as fh:
        fh.write('{"id": "half-writ\n')  # a crash mid-line
    box.append(record(id="good2"))
    store = SQLStore(db_url)
    try:
        assert box.flush(store.write) == 2
        assert sorted(e["id"] for e in store.searches()) == ["good1", "good2"]
    finally:
        store.close()


def test_append_many_is_one_batch_and_creates_the_directory(tmp_path: Path) -> None:
    from movieagg.records.outbox import Outbox, OutboxRecorder

    outbox = Outbox(tmp_path / "not" / "yet")
    recorder = OutboxRecorder(outbox)
    recorder.record_many([{"id": "a", "cached": True}, {"id": "b", "cached": True}])
    assert not outbox.dirty  # cache hits alone do not ask for a database write
    recorder.record_many([{"id": "c", "cached": False}])
    assert outbox.dirty
    written: list[str] = []
    assert outbox.flush(lambda entries: written.extend(e["id"] for e in entries)) == 3
    assert written == ["a", "b", "c"]


def test_a_large_backlog_is_written_in_bounded_batches_and_retried_whole(tmp_path: Path) -> None:
    """A batch whose database is slower than its lookups leaves thousands waiting: the flush
    streams them BATCH at a time (memory stays flat); a failure midway keeps every record."""
    from movieagg.records.outbox import BATCH

    box = Outbox(tmp_path / "outbox")
    box.append_many([{"id": f"r{i}", "cached": False} for i in range(2 * BATCH + 500)])
    batches: list[int] = []

    def fails_on_the_second(entries: list[dict[str, object]]) -> None:
        batches.append(len(entries))
        if len(batches) == 2:
            raise ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        box.flush(fails_on_the_second)
    assert batches == [BATCH, BATCH]
    assert box.pending_count() == 2 * BATCH + 500  # all kept, the committed batch included
    seen: list[str] = []
    batches.clear()
    assert box.flush(lambda entries: (batches.append(len(entries)), seen.extend(str(e["id"]) for e in entries))) == 2 * BATCH + 500
    assert batches == [BATCH, BATCH, 500] and len(set(seen)) == 2 * BATCH + 500
    assert box.pending_count() == 0


def test_a_record_with_undecodable_text_is_kept_and_stored(tmp_path: Path, db_url: str) -> None:
    """`rate $'The \\xff\\xfe Matrix'`: the failed lookup's record holds argv's escaped bytes
    (lone surrogates); it is appended and written, never dropped on an encoding error."""
    box = Outbox(tmp_path / "outbox")
    box.append(record(title="The \udcff\udcfe Matrix \ud800", id="odd"))
    assert box.pending_count() == 1
    store = SQLStore(db_url)
    try:
        assert box.flush(store.write) == 1
        (entry,) = store.searches()
        assert entry["id"] == "odd" and entry["query"]["title"].startswith("The ")
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in entry["query"]["title"])
    finally:
        store.close()


# ----------------------------------------------------------------------- a bad record never blocks


def test_records_the_store_rejects_are_set_aside_and_the_rest_written(tmp_path: Path) -> None:
    """The store refuses a batch on its data: the flush bisects it, writes every good record,
    sets the bad ones aside (rejected-*.jsonl, with the reason class) and retries nothing."""
    from movieagg.core.errors import RecordRejected

    box = Outbox(tmp_path / "outbox")
    box.append_many([{"id": f"r{i}", "bad": i in (3, 700, 701, 1500)} for i in range(2000)])
    stored: list[str] = []
    attempts = 0

    def write(entries: list[dict[str, object]]) -> None:
        nonlocal attempts
        attempts += 1
        if any(e["bad"] for e in entries):
            raise RecordRejected("out_of_range")
        stored.extend(str(e["id"]) for e in entries)

    assert box.flush(write) == 1996
    assert sorted(stored) == sorted(f"r{i}" for i in range(2000) if i not in (3, 700, 701, 1500))
    assert attempts < 100  # bisected, not one record at a time
    assert box.pending_count() == 0 and box.last_rejected == 4
    assert box.rejected() == {"out_of_range": 4}
    (aside,) = (tmp_path / "outbox").glob("rejected-*.jsonl")
    lines = [json.loads(line) for line in aside.read_text().splitlines()]
    assert sorted(x["record"]["id"] for x in lines) == ["r1500", "r3", "r700", "r701"]
    assert {x["reason"] for x in lines} == {"out_of_range"} and all(x["rejected_at"] for x in lines)
    assert box.flush(write) == 0 and attempts < 100  # set aside for good: never retried


def test_a_connection_failure_is_not_a_rejection(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    box.append_many([{"id": f"r{i}"} for i in range(10)])

    def down(entries: list[dict[str, object]]) -> None:
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        box.flush(down)
    assert box.pending_count() == 10 and box.rejected() == {}


def test_postgres_out_of_range_ids_no_longer_block_later_records(db_url: str, tmp_path: Path) -> None:
    """The report: a TMDB id of 99999999999 failed the insert and every later record queued behind
    it (`db status`: 0 lookups, 4 waiting). Now all four are written; a record the store cannot
    hold at all is set aside instead of blocking."""
    box = Outbox(tmp_path / "outbox")
    box.append(record("Good 1", "tt0000001"))
    box.append(record("Huge Id", "tt0000002", tmdb_id=99_999_999_999))
    broken = record("Broken", "tt0000003")
    broken["at"] = "not a time"
    box.append(broken)
    box.append_many([record("Good 2", "tt0000004"), record("Good 3", "tt0000005")])
    store = SQLStore(db_url)
    try:
        assert box.flush(store.write) == 4
        assert store.counts()["lookups"] == 4 and box.pending_count() == 0
        assert box.rejected() == {"malformed": 1}
    finally:
        store.close()
