"""An append-only local outbox of lookup records: cheap on the hot path, nothing lost.

Every lookup appends one JSON line (one ``write`` on an O_APPEND file under an advisory lock).
A flush claims the whole file by an atomic rename, hands the records to a writer (the SQL
store), and deletes the claimed file only once they are committed. Records carry a unique id,
so a flush interrupted after the commit and retried later inserts nothing twice. A file whose
flush failed is kept and retried by the next flush; one claimed by a process that died is
retried once it is older than ``orphan_after`` seconds.

A bad record never blocks good ones: when the store refuses a batch on its data
(:class:`~movieagg.core.errors.RecordRejected`, not a lost connection), the batch is bisected,
every good record written, and each refused one set aside in ``rejected-<day>.jsonl`` with its
reason class — counted by ``movieagg db status`` and ``db flush``, never retried.

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

from movieagg.core.errors import RecordRejected

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("movieagg.outbox")

PENDING = "pending.jsonl"
FLUSH_LOCK = "flush.lock"
REJECTED = "rejected-"  # records the store refused on their data: kept, counted, never retried
DROPPED = "dropped.json"  # how many cache-hit records were shed to keep the outbox bounded
BATCH = 1000  # records per write (one transaction each)


def _line(entry: dict[str, Any]) -> bytes:
    """One record as a JSON line. Text that is not valid Unicode (argv's undecodable bytes are
    lone surrogates) is kept as JSON escapes (``\\udcff``) rather than losing the record."""
    text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace")


class Outbox:
    def __init__(self, directory: Path, orphan_after: float = 300.0) -> None:
        self.directory = directory
        self.orphan_after = orphan_after
        self.dirty = False  # set when a record that should reach the store soon was added
        self.appended = 0  # records appended through this object since its last flush
        self.last_rejected = 0  # records the last flush set aside

    def append(self, entry: dict[str, Any]) -> None:
        self.append_many([entry])

    def append_many(self, entries: Sequence[dict[str, Any]]) -> None:
        """Append records as one write: a busy server batches its records into few syscalls."""
        if not entries:
            return
        data = b"".join(_line(e) for e in entries)
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
                self.appended += len(entries)
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
        self.appended = 0
        claimed = self._claim()
        if not claimed:
            self.dirty = False
            return 0
        written = 0
        self.last_rejected = 0
        entries = self._iter_lines(claimed)
        try:
            while batch := list(itertools.islice(entries, BATCH)):
                written += self._write_sorting(write, batch)
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

    def _write_sorting(
        self, write: Callable[[Sequence[dict[str, Any]]], object], batch: list[dict[str, Any]]
    ) -> int:
        """Write ``batch``; when the store refuses it on its data, bisect it: the good halves are
        written, each record refused alone is set aside. Other failures propagate (retried later)."""
        try:
            write(batch)
            return len(batch)
        except RecordRejected as exc:
            if len(batch) == 1:
                self._set_aside(batch[0], exc.reason)
                return 0
        half = len(batch) // 2
        return self._write_sorting(write, batch[:half]) + self._write_sorting(write, batch[half:])

    def _set_aside(self, entry: dict[str, Any], reason: str) -> None:
        """Keep a refused record in ``rejected-<day>.jsonl`` with its reason, never retried."""
        now = time.gmtime()
        line = {"rejected_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", now), "reason": reason, "record": entry}
        path = self.directory / f"{REJECTED}{time.strftime('%Y-%m-%d', now)}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, _line(line))
        finally:
            os.close(fd)
        self.last_rejected += 1
        log.warning(
            "a lookup record was refused by the store (%s); set aside in %s",
            reason,
            path.name,
            extra={"fields": {"event": "flush", "error": "record_rejected", "reason": reason}},
        )

    def size(self) -> int:
        """Bytes of records waiting (a few stat calls: cheap enough after every failed flush)."""
        total = 0
        for path in self._ready_files():
            with contextlib.suppress(FileNotFoundError):
                total += path.stat().st_size
        return total

    def shed(self, max_bytes: int) -> int:
        """Bring a waiting outbox back under ``max_bytes`` while the store is down: drop the oldest
        cache-hit records (a lookup answered from the cache: no observation, only a search-log
        line) until it holds at most three quarters of it. Fresh records are never dropped. The
        drop is counted (:meth:`dropped`) and logged; returns how many records were dropped."""
        with self.flushing():
            if self.size() <= max_bytes:
                return 0
            claimed = sorted(self._claim(), key=_mtime)  # oldest first
            sizes = [(len(line), _cache_hit(line)) for line in _raw_lines(claimed)]
            excess = sum(n for n, _ in sizes) - max_bytes * 3 // 4
            drop = 0  # the first `drop` cache hits (oldest) go
            for n, hit in sizes:
                if excess <= 0:
                    break
                if hit:
                    drop += 1
                    excess -= n
            kept = self.directory / f"failed-shed-{os.getpid()}-{os.urandom(6).hex()}.jsonl"
            skipped = 0
            with open(kept.with_suffix(".tmp"), "wb") as out:
                for line in _raw_lines(claimed):
                    if skipped < drop and _cache_hit(line):
                        skipped += 1
                        continue
                    out.write(line)
            os.replace(kept.with_suffix(".tmp"), kept)
            for path in claimed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            if drop:
                self._count_dropped(drop)
                log.warning(
                    "the outbox passed its bound of %s while the database is unreachable: "
                    "dropped its %d oldest cache-hit records (%d so far); fresh observations are kept",
                    _size(max_bytes), drop, self.dropped(),
                    extra={"fields": {"event": "outbox_shed", "dropped": drop}},
                )  # fmt: skip
            if excess > 0:
                log.warning(
                    "the outbox holds more than %s of fresh observations while the database is "
                    "unreachable; none is dropped (they are the rating history)",
                    _size(max_bytes),
                    extra={"fields": {"event": "outbox_full"}},
                )
            return drop

    def _count_dropped(self, n: int) -> None:
        path = self.directory / DROPPED
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        total = int(data.get("cache_hits", 0)) + n if isinstance(data, dict) else n
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"cache_hits": total, "last": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        )
        os.replace(tmp, path)

    def dropped(self) -> int:
        """Cache-hit records dropped so far to keep the outbox bounded (``movieagg db status``)."""
        try:
            data = json.loads((self.directory / DROPPED).read_text(encoding="utf-8"))
            return int(data.get("cache_hits", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            return 0

    def rejected(self) -> dict[str, int]:
        """Records set aside so far, by reason (each record once, however often it was refused)."""
        seen: dict[str, str] = {}
        if self.directory.is_dir():
            for item in self._iter_lines(sorted(self.directory.glob(f"{REJECTED}*.jsonl"))):
                record = item.get("record")
                key = str(record.get("id")) if isinstance(record, dict) else repr(record)
                seen[key] = str(item.get("reason", "unknown"))
        counts: dict[str, int] = {}
        for reason in seen.values():
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _raw_lines(files: list[Path]) -> Iterator[bytes]:
    for path in files:
        with contextlib.suppress(FileNotFoundError), path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield line if line.endswith(b"\n") else line + b"\n"


def _cache_hit(line: bytes) -> bool:
    """A record of a lookup answered from the cache: it carries no observation."""
    try:
        entry = json.loads(line)
    except ValueError:
        return False
    return isinstance(entry, dict) and entry.get("cached") is True and not entry.get("observations")


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
