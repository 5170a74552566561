"""`movieagg serve` against slow and silent clients, with raw sockets (bounded in count and time).

The report: 1,100 connections with unfinished headers stayed open for 40 s and more. Now a
connection must complete its request headers within MOVIEAGG_HEADER_TIMEOUT seconds (1 here);
served clients are not disturbed meanwhile.
"""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.fakeapi import FakeAPI
from tests.web.serving import clean_env, serve_process

SLOW = 60  # sockets per kind; a few hundred in all, well under the open-file limit


def _connect(host: str, port: int) -> socket.socket:
    s = socket.create_connection((host, port), timeout=5)
    s.settimeout(0.05)
    return s


def _closed(s: socket.socket) -> bool:
    """The server closed it: EOF (perhaps after a 408), or a reset."""
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True


def _get(host: str, port: int, path: str) -> bytes:
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_silent_and_slow_clients_are_closed_and_others_served(
    fake: FakeAPI, tmp_path: Path, workers: str
) -> None:
    """Also with `serve --workers 2` (#14): every worker process has the header guard."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>movieagg</title>")
    env = clean_env(
        {
            **fake.env,
            "MOVIEAGG_HOME": str(tmp_path / "home"),
            "MOVIEAGG_CACHE": "memory",
            "MOVIEAGG_HEADER_TIMEOUT": "1",
        }
    )
    args = ("--no-access-log", "--frontend", str(site), "--workers", workers)
    with serve_process(env, tmp_path / "run", *args) as served:
        parts = urlsplit(served.url)
        host, port = parts.hostname or "127.0.0.1", int(parts.port or 0)
        silent = [_connect(host, port) for _ in range(SLOW)]  # connect, say nothing
        partial = [_connect(host, port) for _ in range(SLOW)]  # headers never finished
        for s in partial:
            s.sendall(b"GET /api/rate?title=Up HTTP/1.1\r\nHost: x\r\n")
        dripping = [_connect(host, port) for _ in range(10)]  # one byte at a time (slowloris)
        request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        try:
            started = time.monotonic()
            # Meanwhile, ordinary clients are served.
            assert _get(host, port, "/").startswith(b"HTTP/1.1 200")
            assert b'"tt1049413"' in _get(host, port, "/api/rate?title=Up")
            # A 256-character file name was a 500 with a traceback (File name too long).
            assert _get(host, port, "/" + "a" * 256).startswith(b"HTTP/1.1 404")
            open_ones = silent + partial + dripping
            sent = 0
            deadline = started + 8  # generous: the timeout is 1 s (the default, 10 s, would fail)
            while open_ones and time.monotonic() < deadline:
                if sent < len(request):
                    for s in dripping:
                        with contextlib.suppress(OSError):
                            s.sendall(request[sent : sent + 1])
                    sent += 1
                open_ones = [s for s in open_ones if not _closed(s)]
                time.sleep(0.05)
            assert not open_ones, (
                f"{len(open_ones)} slow connections still open after {time.monotonic() - started:.1f}s"
            )
            assert _get(host, port, "/").startswith(b"HTTP/1.1 200")  # and the server is fine
        finally:
            for s in silent + partial + dripping:
                s.close()
    assert "Traceback" not in served.stderr.read_text() + served.logs()


def test_a_keep_alive_client_gets_several_answers(fake: FakeAPI, tmp_path: Path) -> None:
    env = clean_env({**fake.env, "MOVIEAGG_HOME": str(tmp_path / "home"), "MOVIEAGG_HEADER_TIMEOUT": "1"})
    with serve_process(env, tmp_path / "run", "--no-access-log") as served:
        parts = urlsplit(served.url)
        with socket.create_connection((parts.hostname or "127.0.0.1", int(parts.port or 0)), timeout=10) as s:
            for _ in range(3):
                s.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
                head = s.recv(65536)
                assert head.startswith(b"HTTP/1.1 200"), head[:100]
                time.sleep(0.3)  # idle between requests: keep-alive, not a header timeout
                length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
                body = head.split(b"\r\n\r\n", 1)[1]
                while len(body) < length:
                    body += s.recv(65536)


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_bad_header_timeout_is_a_configuration_error(value: str, tmp_path: Path) -> None:
    from movieagg.core.config import Settings
    from movieagg.core.errors import ConfigurationError

    settings = Settings.from_env({"MOVIEAGG_HEADER_TIMEOUT": value}, read_file=False)
    with pytest.raises(ConfigurationError, match="MOVIEAGG_HEADER_TIMEOUT"):
        _ = settings.header_timeout
