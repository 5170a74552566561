"""PostgreSQL down and back under a serving process: lookups answer, no record is lost or doubled.

The database is reached through a TCP relay this test can cut (connections reset, new ones
refused) and restore on the same port — the shared server itself is never stopped.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.fakeapi import FakeAPI
from movieagg.core.config import Settings
from movieagg.factory import build_runtime
from movieagg.store.sql import SQLStore
from tests.services import pg_url

__all__ = ["pg_url"]


class Relay:
    """A TCP relay to ``target`` that can be cut (every connection reset) and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
            server.close()
        with self._lock:
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


@pytest.fixture
def relay(pg_url: str) -> Iterator[tuple[Relay, str]]:
    url = make_url(pg_url)
    r = Relay((url.host or "127.0.0.1", url.port or 5432))
    r.restore()
    yield r, url.set(port=r.port).render_as_string(hide_password=False)
    r.cut()


async def test_postgres_down_and_back_keeps_every_record(
    relay: tuple[Relay, str], pg_url: str, fake: FakeAPI, tmp_path: Path
) -> None:
    proxy, url = relay
    env = {**fake.env, "MOVIEAGG_HOME": str(tmp_path / "home"), "MOVIEAGG_CACHE": "memory",
           "MOVIEAGG_DATABASE_URL": url}  # fmt: skip
    runtime = build_runtime(Settings.from_env(env, read_file=False), flush="background")
    records = runtime.records
    assert records is not None
    done = 0
    try:
        for title in ("The Matrix", "Up"):
            await runtime.aggregator.rate(title)
            await records.after_lookup(fresh=True)
            done += 1
        await records.before_read()
        assert records.outbox.pending_count() == 0

        proxy.cut()  # PostgreSQL is gone: pooled connections reset, new ones refused
        for title in ("The Matrix", "Blade Runner", "Up", "Psycho", "Blade Runner"):
            result = await runtime.aggregator.rate(title)  # answered all the same
            assert result.score is not None
            await records.after_lookup(fresh=not result.cached)
            done += 1
        await records.before_read()
        assert records.outbox.pending_count() == 5  # kept, none lost

        proxy.restore()
        runtime.store._down_until = 0.0  # the gate's cooldown has passed
        await runtime.aggregator.rate("Oldboy")
        done += 1
        await records.before_read()
        assert records.outbox.pending_count() == 0
    finally:
        await runtime.aclose()
    store = SQLStore(pg_url)
    try:
        lookups = store.searches(limit=100)
        assert len(lookups) == done == 8 and len({e["id"] for e in lookups}) == 8  # none lost, none twice
        assert sum(not e["cached"] for e in lookups) >= 5
        assert store.history("tt0083658")  # Blade Runner, looked up while the database was down
    finally:
        store.close()
