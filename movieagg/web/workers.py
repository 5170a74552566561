"""Listening sockets and worker processes for ``movieagg serve``.

One process serves from one core. ``serve --workers N`` forks N workers, each with its own
listening socket on the same port (SO_REUSEPORT: the kernel spreads connections over them) and
its own service and runtime; they share the data directory, whose outbox takes appends and
flushes from many processes safely (file locks). The parent only supervises.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening socket (port 0 picks a free one), so the real address can be announced.

    ``reuse_port``: several sockets share the port (SO_REUSEPORT), one per worker process.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def supervise(
    socks: list[socket.socket], run_worker: Callable[[socket.socket], None], announce: Callable[[], None]
) -> None:
    """Fork a worker per socket, running ``run_worker(its socket)``; SIGINT/SIGTERM stop them all
    gracefully.

    Workers run in their own process group, so a Ctrl-C reaches them once, from here. A worker
    that exits unasked stops the others (exit status 1): a process manager (systemd, a
    container runtime) then restarts the whole server, as it would a single process.
    """
    children: list[int] = []
    stopping: list[int] = []

    def stop(sig: int, _frame: object) -> None:
        stopping.append(sig)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = False
    try:
        for sock in socks:
            pid = os.fork()
            if pid == 0:  # a worker: uvicorn installs its own signal handlers
                os.setpgid(0, 0)
                for sig, old in previous.items():
                    signal.signal(sig, old)
                code = 1
                try:
                    for other in socks:
                        if other is not sock:
                            other.close()
                    run_worker(sock)
                    code = 0
                finally:
                    os._exit(code)
            children.append(pid)
        for sock in socks:
            sock.close()  # the workers hold them
        announce()
        while children:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                break
            children.remove(pid)
            if not stopping:  # exited unasked
                failed = True
                stop(signal.SIGTERM, None)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    if failed:
        print("movieagg serve: a worker process exited; stopped the others", file=sys.stderr, flush=True)
        sys.exit(1)
    print("movieagg serve: stopped", file=sys.stderr, flush=True)


__all__ = ["bind", "supervise"]
