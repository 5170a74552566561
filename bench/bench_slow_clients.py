"""How long `movieagg serve` keeps connections that never finish their request headers.

    python -m bench.bench_slow_clients                  # 1,100 connections, watch up to 60 s
    python -m bench.bench_slow_clients --connections 500 --watch 30 --json

Opens the connections (half silent, half with partial headers), then polls them and reports
how many are still open after 5, 10, 20, … seconds, and whether an ordinary request is served
meanwhile. Loopback only; stops within ``--watch`` + ~30 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.fakeapi import FakeAPI


def _closed(s: socket.socket) -> bool:
    try:
        while True:
            if not s.recv(4096):
                return True
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--watch", type=int, default=60, help="seconds to watch them (at most 120)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.connections + 256)), hard))
    from tests.web.serving import clean_env, serve_process

    report: dict[str, Any] = {"connections": args.connections, "open_after_s": {}}
    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as fake:
        env = clean_env({**fake.env, "MOVIEAGG_HOME": str(Path(tmp) / "home"), "MOVIEAGG_CACHE": "memory"})
        with serve_process(env, Path(tmp) / "run", "--no-access-log") as served:
            parts = urlsplit(served.url)
            host, port = parts.hostname or "127.0.0.1", int(parts.port or 0)
            socks = []
            for i in range(args.connections):
                s = socket.create_connection((host, port), timeout=5)
                s.settimeout(0.001)
                if i % 2:
                    s.sendall(b"GET /api/rate?title=Up HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            started = time.monotonic()
            with socket.create_connection((host, port), timeout=10) as s:
                s.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                report["ordinary_request_status"] = s.recv(64).split(b" ")[1].decode()
            checkpoints = [5, 10, 15, 20, 30, 40, 60, 90, 120]
            open_ones = socks
            for mark in (c for c in checkpoints if c <= min(args.watch, 120)):
                while time.monotonic() - started < mark:
                    time.sleep(0.2)
                open_ones = [s for s in open_ones if not _closed(s)]
                report["open_after_s"][mark] = len(open_ones)
                if not open_ones:
                    break
            for s in socks:
                s.close()
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"{args.connections} connections with unfinished headers; ordinary request: {report['ordinary_request_status']}"
    )
    for mark, n in report["open_after_s"].items():
        print(f"  after {mark:>3} s: {n:>5} still open")


if __name__ == "__main__":
    main()
