"""Run `movieagg serve` in a subprocess on a free port, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ISOLATE_PREFIXES = ("MOVIEAGG_", "TMDB_", "OMDB_", "TRAKT_", "AWS_")
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATE_PREFIXES)}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def serve_process(
    env: Mapping[str, str], workdir: Path, *args: str, timeout: float = 30.0
) -> Iterator[Served]:
    """Start `python -m movieagg serve --port 0 …` and wait until it says where it listens."""
    workdir.mkdir(parents=True, exist_ok=True)
    out, err = workdir / "serve.stdout", workdir / "serve.stderr"
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "movieagg", "serve", "--host", "127.0.0.1", "--port", "0", *args],
            env=dict(env),
            stdout=fo,
            stderr=fe,
            cwd=workdir,
        )
    served: Served | None = None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = _LISTENING.search(err.read_text(errors="replace"))
            if m:
                served = Served(m.group(1), proc, out, err)
                break
            if proc.poll() is not None:
                raise RuntimeError(f"movieagg serve exited: {err.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        if served is None:
            raise RuntimeError("movieagg serve did not start in time")
        _wait_ready(served.url, deadline)
        yield served
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _wait_ready(url: str, deadline: float) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("movieagg serve did not answer in time")
