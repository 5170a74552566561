"""Fixtures for the web front end: tools (node, nginx, chromium), a fresh build, nginx.

In CI (``CI`` set) a missing tool fails the test; on a laptop it skips with the reason and
the command that installs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
NGINX_DIR = ROOT / "infra" / "nginx"
BIN = FRONTEND / "node_modules" / ".bin"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require(ok: bool, what: str, how: str) -> None:
    """Fail in CI, skip elsewhere, when a tool the test needs is missing."""
    if ok:
        return
    message = f"{what} is missing ({how})"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    require(found is not None, "nginx", "apt-get install nginx")
    assert found is not None
    return found


def node_tool(name: str) -> str:
    require(shutil.which("node") is not None, "node", "install Node.js 20")
    tool = BIN / name
    require(tool.exists(), f"frontend/node_modules/.bin/{name}", "cd frontend && npm ci")
    return str(tool)


def run(
    cmd: list[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=FRONTEND, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def tail(proc: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    return "\n".join((proc.stdout + "\n" + proc.stderr).splitlines()[-lines:])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh production build of the app in a temp dir (the work tree's dist/ is left alone)."""
    vite = node_tool("vite")
    out = tmp_path_factory.mktemp("site")
    proc = run([vite, "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"], timeout=180)
    assert proc.returncode == 0, f"vite build failed:\n{tail(proc)}"
    assert (out / "index.html").is_file()
    os.chmod(out, 0o755)  # nginx workers read it
    return out


def load_render() -> ModuleType:
    spec = importlib.util.spec_from_file_location("movieagg_nginx_render", NGINX_DIR / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Nginx:
    url: str
    prefix: Path
    process: subprocess.Popen[bytes]

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def nginx_config(
    prefix: Path, root: Path, upstream: str, port: int, host: str | None = None, http_extra: str = ""
) -> Path:
    render = load_render()
    values = render.values_for(f"127.0.0.1:{port}", str(root), upstream, host)
    for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(render.standalone(render.render(values), prefix, http_extra))
    return conf


def nginx_test(conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(conf.parent), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def start_nginx(
    prefix: Path, root: Path, upstream: str, host: str | None = None, http_extra: str = ""
) -> Iterator[Nginx]:
    """nginx in the foreground on a free loopback port, with pid/logs/temp files in prefix."""
    binary = nginx_binary()
    port = free_port()
    conf = nginx_config(prefix, root, upstream, port, host, http_extra)
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_port(port)
        yield Nginx(f"http://127.0.0.1:{port}", prefix, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
