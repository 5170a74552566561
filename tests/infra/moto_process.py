"""A plain ``moto_server`` in its own process, as a user starts it: no harness patches at all.

The README's "try it against an emulator" steps run against exactly this; tests that must hold
for a user (a full deploy, the cleanup of failed change sets) use it instead of the in-process
server of :mod:`tests.infra.moto_harness`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any


class MotoProcess:
    """``python -m moto.server -p 0`` on 127.0.0.1; the port is read from its banner."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MotoProcess:
        out = self.log.open("wb")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(rb"Running on (http://127\.0\.0\.1:\d+)", self.log.read_bytes())
            if found:
                self.url = found.group(1).decode()
                break
            if self._proc.poll() is not None:
                raise RuntimeError(f"moto_server exited: {self.log.read_text(errors='replace')[-500:]}")
            time.sleep(0.1)
        else:
            self.__exit__()
            raise RuntimeError("moto_server did not start within 60 s")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
