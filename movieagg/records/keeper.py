"""When lookup records reach the store: one flush policy per kind of process.

Records are appended to the outbox on the hot path and written to the store later; *when*
depends on the process (:data:`FlushMode`):

``on_close``     the library: once, when the aggregator closes.
``detached``     the CLI: a detached ``python -m movieagg.records.flusher`` writes them after
                 the answer is printed (``MOVIEAGG_FLUSH=inline``: in process, on close).
``per_request``  a Lambda container: before each response (the container freezes after it).
``background``   ``movieagg serve``: a writer thread appends; a flush runs in a worker thread
                 after each fresh lookup, coalesced, so requests never wait for the database,
                 and every MOVIEAGG_FLUSH_INTERVAL seconds when only cache hits came in.
``periodic``     a batch: every ``every`` lookups or ``every_seconds``, in a worker thread, so
                 the outbox stays small and little is left to write when the batch ends.

A failed flush keeps the records in the outbox for the next one: nothing is lost, and a down
database never stops a lookup (the store gate's breaker makes it cost one timeout). While it is
down the outbox stays under MOVIEAGG_OUTBOX_MAX_MB: past it, its oldest cache-hit records are
dropped, counted and logged (:meth:`Outbox.shed`); fresh observations never are. asyncio
is imported by the coroutines that use it: a command answered from the cache runs no event
loop and closes its keeper with :meth:`RecordKeeper.close`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.protocols import Recorder
from movieagg.records.outbox import Outbox, OutboxRecorder
from movieagg.store import check_database_url
from movieagg.store.gate import StoreGate

if TYPE_CHECKING:
    import asyncio

    from movieagg.records.writer import BackgroundRecorder

log = logging.getLogger("movieagg.records")

FlushMode = Literal["on_close", "detached", "per_request", "background", "periodic"]


def outbox_dir(settings: Settings) -> Path:
    """Where a data directory's lookup records wait for the store."""
    return settings.dir("data") / "outbox"


def flush_outbox(settings: Settings, *, locked: bool = False, store: StoreGate | None = None) -> int:
    """Write every pending lookup record into the database; returns how many were written.

    ``locked``: the caller already holds the outbox's flush lock (:meth:`Outbox.flushing`).
    ``store``: a gate to write through (kept open); by default the store is opened and closed.
    """
    outbox = Outbox(outbox_dir(settings))
    gate = store or StoreGate(settings)
    try:
        return gate.call(lambda s: outbox.flush(s.write, locked=locked))
    finally:
        if store is None:
            gate.close()


def flush_detached(settings: Settings) -> bool:
    """Leave the database write to a detached ``python -m movieagg.records.flusher``.

    The CLI prints its answer, starts the helper and exits: the prompt comes back without
    waiting for SQLAlchemy's import and the write. False when no helper could be started (the
    caller then flushes itself). A flush already running picks the new records up.
    """
    import subprocess  # only a CLI run that looked something up pays for it

    if not sys.executable:
        return False
    with Outbox(outbox_dir(settings)).flushing(wait=False) as free:
        if not free:
            return True  # a flush is running; it looks for new records before it exits
    options: dict[str, Any] = {"start_new_session": True}
    if sys.platform == "win32":  # pragma: no cover
        options = {"creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP}
    try:
        subprocess.Popen(
            [sys.executable, "-m", "movieagg.records.flusher"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **options,
        )
    except OSError:
        return False
    return True


def flush_waiting(settings: Settings) -> int | None:
    """Before reading history: let a flush in progress end, then write what still waits.

    Returns how many records were written, None when nothing was waiting; a database error
    is raised (the records stay in the outbox).
    """
    outbox = Outbox(outbox_dir(settings))
    outbox.wait_for_flush()  # `movieagg rate` may have left one running
    if outbox.pending_count() == 0:
        return None
    return flush_outbox(settings)


class RecordKeeper:
    """One process's lookup records: the recorder the aggregator writes to, and the flushes."""

    def __init__(
        self,
        settings: Settings,
        mode: FlushMode = "on_close",
        *,
        store: StoreGate | None = None,
        every: int = 1000,
        every_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.mode = mode
        self.every = every
        self.every_seconds = every_seconds
        self.interval = settings.flush_interval
        self.max_bytes = settings.outbox_max_bytes
        self._clock = clock
        self._last_flush = clock()
        self.outbox = Outbox(outbox_dir(settings))
        self.store = store or StoreGate(settings)
        self._owns_store = store is None
        direct = OutboxRecorder(self.outbox)
        self._writer: BackgroundRecorder | None = None
        if mode == "background":
            from movieagg.records.writer import BackgroundRecorder

            self._writer = BackgroundRecorder(direct)
        self.recorder: Recorder = self._writer if self._writer is not None else direct
        self._flush_lock = threading.Lock()
        self._task: asyncio.Future[Any] | None = None
        self._again = False
        self._lookups = 0
        self.problem: ConfigurationError | None = None  # why records cannot reach the store

    @property
    def waiting(self) -> bool:
        """Records that should reach the store soon were added since the last flush."""
        return self.outbox.dirty

    def flush_now(self) -> int:
        """Write pending records to the store (thread-safe); a failure is logged, records kept.

        A store the settings cannot name (a bad MOVIEAGG_DATABASE_URL) is kept in
        :attr:`problem` for the CLI to report with exit 3; other processes log it once.
        """
        if self._writer is not None:
            self._writer.drain()
        with self._flush_lock:
            self._last_flush = self._clock()
            try:
                return self.store.call(lambda store: self.outbox.flush(store.write))
            except ConfigurationError as exc:
                self._misconfigured(exc)
            except Exception as exc:
                log.warning(
                    "could not write lookup records to the database (%s); kept for later",
                    type(exc).__name__,
                    extra={"fields": {"event": "flush", "error": type(exc).__name__}},
                )
            self._keep_bounded()
            return 0

    def _keep_bounded(self) -> None:
        """The store is unreachable: keep the outbox under its bound (never fatal)."""
        try:
            if self.outbox.size() > self.max_bytes:
                self.outbox.shed(self.max_bytes)
        except OSError as exc:
            log.warning("could not bound the outbox (%s)", type(exc).__name__)

    def _misconfigured(self, exc: ConfigurationError) -> None:
        if self.problem is None:
            self.problem = exc
            if self.mode != "detached":  # the CLI prints it as its one error line
                log.error(
                    "lookup records cannot be written (%s); they wait in the outbox",
                    exc,
                    extra={"fields": {"event": "flush", "error": "configuration"}},
                )

    async def after_lookup(self, fresh: bool = True) -> None:
        """Called after each request or lookup; ``fresh``: it asked the network (not a cache hit)."""
        import asyncio

        if self.mode == "per_request":
            if self.outbox.dirty:
                await asyncio.to_thread(self.flush_now)  # Lambda freezes after returning: flush first
        elif self.mode == "background":
            if fresh or self.outbox.dirty or self._due():
                self._soon()
        elif self.mode == "periodic":
            self._lookups += 1
            now = self._clock()
            due = self._lookups % self.every == 0 or (
                self.outbox.dirty and now - self._last_flush >= self.every_seconds
            )
            if due and (self._task is None or self._task.done()):
                self._last_flush = now
                self._task = asyncio.ensure_future(asyncio.to_thread(self.flush_now))

    def _due(self) -> bool:
        """Cache hits alone: their records go to the store every ``interval`` seconds."""
        pending = self.outbox.appended or (self._writer is not None and self._writer.queued)
        return bool(pending) and self._clock() - self._last_flush >= self.interval

    def _soon(self) -> None:
        """Flush in a worker thread; requests during a flush ask for one more, not one each."""
        import asyncio

        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_while_wanted())

    async def _flush_while_wanted(self) -> None:
        import asyncio

        while self._again:
            self._again = False
            await asyncio.to_thread(self.flush_now)

    async def before_read(self) -> None:
        """Before history is read in this process: write the lookups it just made."""
        import asyncio

        if self.outbox.dirty or self._writer is not None:
            await asyncio.to_thread(self.flush_now)

    async def aclose(self) -> None:
        """Finish queued work, then the last flush the mode calls for; close the store."""
        import asyncio

        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        if self._writer is not None or self.outbox.dirty:
            await asyncio.to_thread(self.close)  # the writer's last records, the last flush
        elif self._owns_store:
            self.store.close()

    def close(self) -> None:
        """:meth:`aclose` without an event loop (nothing may be queued in a flush task)."""
        if self._writer is not None:
            self._writer.close()
        try:
            if self.outbox.dirty:
                if self.mode == "detached" and not self.settings.flush_inline:
                    try:  # cheap (no SQLAlchemy): a helper would fail where nobody sees it
                        if self.settings.database_url:
                            check_database_url(self.settings.database_url)
                    except ConfigurationError as exc:
                        self._misconfigured(exc)
                    else:
                        if flush_detached(self.settings):
                            self.outbox.dirty = False
                        else:
                            self.flush_now()
                else:
                    self.flush_now()
        finally:
            if self._owns_store:
                self.store.close()


__all__ = ["FlushMode", "RecordKeeper", "flush_detached", "flush_outbox", "flush_waiting", "outbox_dir"]
