"""A private redis-server per test (to kill, freeze, or run with TLS) — never the shared one."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.services import unavailable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateRedis:
    port: int
    args: list[str]
    workdir: Path
    tls: bool = False
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", *self.args],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.proc.returncode}") from None
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def freeze(self) -> None:  # accepts connections (kernel backlog) but never answers: timeouts
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:  # connection refused from now on
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(5)

    @property
    def url(self) -> str:
        return f"{'rediss' if self.tls else 'redis'}://localhost:{self.port}/0"


def _need_binary() -> None:
    if shutil.which("redis-server") is None:
        unavailable("redis-server (the binary, to run a private server)", "not installed")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    _need_binary()
    port = free_port()
    server = PrivateRedis(
        port, ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], tmp_path
    )
    server.start()
    yield server
    server.kill()


def make_certs(directory: Path) -> dict[str, Path]:
    """A throwaway CA and a server certificate for localhost/127.0.0.1 (openssl CLI)."""
    if shutil.which("openssl") is None:
        unavailable("openssl (to make test certificates)", "not installed")
    d = directory
    ext = d / "san.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=movieagg test CA",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    )
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    )
    # Another CA that did not sign the server's certificate.
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.crt",
        "-days",
        "2",
        "-subj",
        "/CN=someone else",
    )
    return {
        "ca": d / "ca.crt",
        "cert": d / "server.crt",
        "key": d / "server.key",
        "other_ca": d / "other.crt",
    }


TLS_TOKEN = "tls-auth-token-Zq9-0123456789"


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[PrivateRedis, dict[str, Path]]]:
    """redis-server with TLS only (like ElastiCache in-transit encryption) and an AUTH token."""
    _need_binary()
    certs = make_certs(tmp_path)
    port = free_port()
    server = PrivateRedis(
        port,
        [
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            str(certs["cert"]),
            "--tls-key-file",
            str(certs["key"]),
            "--tls-ca-cert-file",
            str(certs["ca"]),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            TLS_TOKEN,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        tmp_path,
        tls=True,
    )
    try:
        server.start()
    except RuntimeError as exc:
        unavailable("redis-server with TLS support", str(exc))
    yield server, certs
    server.kill()
