"""An append-only local outbox of lookup records: cheap on the hot path, nothing lost.

Every lookup appends one JSON line (one ``write`` on an O_APPEND file under an advisory lock).
A flush claims the whole file by an atomic rename, hands the records to a writer (the SQL
store), and deletes the claimed file only once they are committed. Records carry a unique id,
so a flush interrupted after the commit and retried later inserts nothing twice. A file whose
flush failed is kept and retried by the next flush; one claimed by a process that died is
retried once it is older than ``orphan_after`` seconds.

Flushes take turns under ``flush.lock`` (one at a time per data directory): a command that
reads the database (``movieagg history``) first waits for a flush in progress — e.g. the
detached one a ``movieagg rate`` leaves behind — so it never reads around records that are
on their way in.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("movieagg.outbox")

PENDING = "pending.jsonl"
FLUSH_LOCK = "flush.lock"
BATCH = 1000  # records per write (one transaction each)


class Outbox:
    def __init__(self, directory: Path, orphan_after: float = 300.0) -> None:
        self.directory = directory
        self.orphan_after = orphan_after
        self.dirty = False  # set when a record that should reach the store soon was added

    def append(self, entry: dict[str, Any]) -> None:
        self.append_many([entry])

    def append_many(self, entries: Sequence[dict[str, Any]]) -> None:
        """Append records as one write: a busy server batches its records into few syscalls."""
        if not entries:
            return
        data = b"".join(
            (json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n").encode() for e in entries
        )
        path = self.directory / PENDING
        for _ in range(20):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except FileNotFoundError:  # first record ever: create the directory once
                self.directory.mkdir(parents=True, exist_ok=True)
                continue
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    # A flush may have claimed (renamed) the file while we waited for the lock.
                    try:
                        if os.stat(path).st_ino != os.fstat(fd).st_ino:
                            continue
                    except FileNotFoundError:
                        continue
                os.write(fd, data)
                return
            finally:
                os.close(fd)
        raise OSError("could not append to the outbox")

    @contextlib.contextmanager
    def flushing(self, wait: bool = True) -> Iterator[bool]:
        """Hold the flush lock; yields False (not held) when ``wait`` is off and a flush runs."""
        if sys.platform == "win32":  # pragma: no cover - no flock; claims by rename stay atomic
            yield True
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / FLUSH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # releases the lock

    def wait_for_flush(self) -> None:
        """Return once no flush is in progress (its records are then in the database)."""
        with self.flushing():
            pass

    def has_new(self) -> bool:
        """Records were appended since the last claim (failed batches do not count)."""
        return (self.directory / PENDING).exists()

    def pending_count(self) -> int:
        return sum(1 for _ in self._iter_lines(self._ready_files()))

    def _ready_files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        now = time.time()
        files = []
        for path in sorted(self.directory.glob("*.jsonl")):
            if path.name == PENDING or path.name.startswith("failed-"):
                files.append(path)
            elif path.name.startswith("claimed-"):
                with contextlib.suppress(FileNotFoundError):
                    if now - path.stat().st_mtime > self.orphan_after:
                        files.append(path)
        return files

    @staticmethod
    def _iter_lines(files: list[Path]) -> Iterator[dict[str, Any]]:
        for path in files:
            try:
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        line = line.strip()
                        if not line:
                            continue
                        try:
                            yield json.loads(line)
                        except ValueError:
                            log.warning("skipping a corrupt line in %s", path.name)
            except FileNotFoundError:
                continue

    def _claim(self) -> list[Path]:
        claimed = []
        for path in self._ready_files():
            target = self.directory / f"claimed-{os.getpid()}-{os.urandom(6).hex()}.jsonl"
            try:
                if path.name == PENDING and fcntl is not None:
                    # Wait for an in-flight append to finish before taking the file, and take
                    # only the file whose lock we hold: while we waited, another flush may have
                    # claimed it and an append created a new pending file under the same name —
                    # renaming that one without its lock could lose a record being written.
                    with path.open("rb") as fh:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
                        if os.stat(path).st_ino != os.fstat(fh.fileno()).st_ino:
                            continue
                        os.rename(path, target)
                else:
                    os.rename(path, target)
            except FileNotFoundError:
                continue  # another process claimed it first
            os.utime(target)
            claimed.append(target)
        return claimed

    def flush(self, write: Callable[[Sequence[dict[str, Any]]], object], *, locked: bool = False) -> int:
        """Hand every ready record to ``write``, ``BATCH`` at a time; returns how many were written.

        Memory stays flat however much waited (a long batch whose database is slower than its
        lookups): the claimed files are streamed, never read whole. A failure after some
        batches were committed retries the whole file later; the ids make that insert nothing
        twice. Waits for a flush in progress first, unless the caller holds the lock (``locked``).
        """
        if not locked:
            with self.flushing():
                return self.flush(write, locked=True)
        claimed = self._claim()
        if not claimed:
            self.dirty = False
            return 0
        written = 0
        entries = self._iter_lines(claimed)
        try:
            while batch := list(itertools.islice(entries, BATCH)):
                write(batch)
                written += len(batch)
        except Exception:
            for path in claimed:
                with contextlib.suppress(FileNotFoundError):
                    os.rename(path, self.directory / f"failed-{path.name.removeprefix('claimed-')}")
            raise
        for path in claimed:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.dirty = False
        return written


class OutboxRecorder:
    """The Recorder the factory installs: append now, write to the store when it is open."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def record(self, entry: dict[str, object]) -> None:
        self.record_many([entry])

    def record_many(self, entries: Sequence[dict[str, Any]]) -> None:
        self.outbox.append_many(entries)
        if any(not e.get("cached") for e in entries):
            self.outbox.dirty = True
