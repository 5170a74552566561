"""Hands lookup records to one writer thread, so a slow disk never stalls the event loop.

Under ``serve`` every request appends a record to the outbox file; an append that waits on
the filesystem journal (tens to hundreds of ms under I/O load) would otherwise hold every
in-flight request. The request path only appends to a deque (no lock, no thread wake-up:
waking the writer once per record cost ~40% of cached throughput); the writer wakes every
``interval`` seconds, or as soon as ``batch`` records wait, and writes them in order.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

log = logging.getLogger("movieagg.records")


class _Recorder(Protocol):
    def record(self, entry: dict[str, Any]) -> None: ...


class BackgroundRecorder:
    """A Recorder that queues records for one writer thread; :meth:`drain` waits for them."""

    def __init__(
        self, inner: _Recorder, max_pending: int = 10_000, interval: float = 0.25, batch: int = 1000
    ) -> None:
        self.inner = inner
        self.max_pending = max_pending
        self.interval = interval
        self.batch = batch
        self._pending: collections.deque[dict[str, Any]] = collections.deque()
        self._writing = 0  # records taken from the deque but not yet written
        self._wake = threading.Event()
        self._stopping = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="movieagg-recorder", daemon=True)
        self._thread.start()

    def record(self, entry: dict[str, Any]) -> None:
        if len(self._pending) + self._writing >= self.max_pending:
            # the disk is far behind: drop rather than grow without bound
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("lookup records dropped: the outbox writer is behind (%d so far)", self.dropped)
            return
        self._pending.append(entry)
        if len(self._pending) >= self.batch:
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            while self._pending:
                batch: list[dict[str, Any]] = []
                while self._pending and len(batch) < self.batch:
                    batch.append(self._pending.popleft())
                self._writing = len(batch)
                try:
                    self._write(batch)
                finally:
                    self._writing = 0
            if self._stopping:
                return

    def _write(self, entries: list[dict[str, Any]]) -> None:
        record_many: Callable[[Sequence[dict[str, Any]]], None] | None = getattr(
            self.inner, "record_many", None
        )
        if record_many is not None:  # one append for the whole batch
            try:
                record_many(entries)
            except Exception as exc:
                log.warning("could not record %d lookup(s) (%s)", len(entries), type(exc).__name__)
            return
        for entry in entries:  # a recorder without batches: one at a time, a failure skips one
            try:
                self.inner.record(entry)
            except Exception as exc:
                log.warning("could not record the lookup (%s)", type(exc).__name__)

    @property
    def queued(self) -> int:
        """Records handed over and not yet appended to the outbox."""
        return len(self._pending) + self._writing

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        while self._pending or self._writing:
            if time.monotonic() >= deadline or not self._thread.is_alive():
                return False
            self._wake.set()
            time.sleep(0.002)
        return True

    def close(self, timeout: float = 10.0) -> None:
        self.drain(timeout)
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)
