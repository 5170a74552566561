"""`movieagg rate` answers and exits; a detached helper writes its records to the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.fakeapi import FakeAPI
from movieagg.core.config import Settings
from movieagg.records.keeper import outbox_dir
from movieagg.records.outbox import Outbox
from movieagg.store.sql import SQLStore

# Runs the CLI and says on stderr, as the process ends, whether it ever imported SQLAlchemy.
CLI = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('sqlalchemy imported: %s\\n' % ('sqlalchemy' in sys.modules)))\n"
    "from movieagg.cli import main\n"
    "sys.argv = ['movieagg', *sys.argv[1:]]\n"
    "main()\n"
)


def cli(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MOVIEAGG_FLUSH"}  # the default: a helper
    env["MOVIEAGG_DATABASE_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True, timeout=60
    )


def stored_lookups(db_url: str, want: int, wait: float = 30.0) -> list[dict[str, object]]:
    """The search log once it holds ``want`` lookups (the helper runs on its own time)."""
    deadline = time.monotonic() + wait
    store = SQLStore(db_url)
    try:
        while True:
            rows = store.searches(limit=100)
            if len(rows) >= want or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)
    finally:
        store.close()


def test_rate_exits_without_the_database_and_the_helper_writes_the_records(
    db_url: str, fake: FakeAPI
) -> None:
    first = cli("rate", "The Matrix", "--json", db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "sqlalchemy imported: False" in first.stderr  # the write happens elsewhere
    assert json.loads(first.stdout)["movie"]["imdb_id"] == "tt0133093"
    rows = stored_lookups(db_url, 1)
    assert [(r["query"], r["movie"]) for r in rows] == [  # type: ignore[index]
        ({"title": "The Matrix", "year": None}, {"title": "The Matrix", "year": 1999, "imdb_id": "tt0133093", "tmdb_id": 603})
    ]
    box = Outbox(outbox_dir(Settings.from_env()))
    box.wait_for_flush()  # the helper is done once it lets go of the lock
    assert box.pending_count() == 0


def test_quick_successive_lookups_all_arrive_and_history_waits_for_them(
    db_url: str, fake: FakeAPI
) -> None:
    """Lookups appended while a helper writes are written by it (no second helper needed)."""
    titles = ["The Matrix", "Up", "Dune", "The Matrix", "Up"]
    for title in titles:
        done = cli("rate", title, "--json", "--refresh", db_url=db_url)
        assert done.returncode == 0, done.stderr
    # `history` waits for a flush in progress and writes what is left: all five are there.
    env = {**os.environ, "MOVIEAGG_DATABASE_URL": db_url}
    env.pop("MOVIEAGG_FLUSH")
    shown = subprocess.run(
        [sys.executable, "-m", "movieagg", "history", "--searches", "--json"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert sorted(s["query"]["title"] for s in json.loads(shown.stdout)) == sorted(titles)
    assert len(stored_lookups(db_url, 5)) == 5


def test_the_flush_lock_is_one_at_a_time(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from pathlib import Path\n"
         "from movieagg.records.outbox import Outbox\n"
         "with Outbox(Path(sys.argv[1])).flushing():\n"
         "    print('held', flush=True); time.sleep(3)\n", str(tmp_path / "outbox")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with box.flushing(wait=False) as mine:
            assert not mine  # taken: a second helper would step aside
        started = time.monotonic()
        with box.flushing() as mine:  # waiting: `movieagg history` lets the flush finish
            assert mine
        assert time.monotonic() - started > 0.5
    finally:
        holder.wait(10)
    assert not box.has_new()
    box.append({"id": "x"})
    assert box.has_new()


async def test_a_batch_writes_its_records_every_few_seconds(tmp_path: Path) -> None:
    """``periodic``: not only every N lookups — after a couple of seconds too, so a batch's end
    has little left to write."""
    import asyncio

    from movieagg.records.keeper import RecordKeeper
    from tests.store.records import record

    settings = Settings.from_env({"MOVIEAGG_HOME": str(tmp_path)}, read_file=False)
    keeper = RecordKeeper(settings, "periodic", every=1000, every_seconds=0.2)
    keeper.recorder.record(record())
    await keeper.after_lookup()
    assert keeper._task is None  # neither 1000 lookups nor 0.2 s yet
    await asyncio.sleep(0.25)
    keeper.recorder.record(record())
    await keeper.after_lookup()
    assert keeper._task is not None
    await keeper._task
    assert not keeper.waiting and Outbox(outbox_dir(settings)).pending_count() == 0
    await keeper.aclose()
