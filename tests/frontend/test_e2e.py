"""End to end in a real browser: Chromium → nginx → `movieagg serve` → the fake upstream APIs.

The browser part is frontend/e2e/run.mjs (playwright-core driving Debian's /usr/bin/chromium);
this module starts the stack it runs against and checks its exit status. Screenshots land in
frontend/e2e-artifacts/ (gitignored), kept for a person to look at.
"""

from __future__ import annotations

import http.client
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from tests.frontend.conftest import CHROMIUM, FRONTEND, Nginx, node_tool, require, start_nginx
from tests.web.serving import Served, clean_env, serve_process

ARTIFACTS = FRONTEND / "e2e-artifacts"


@pytest.fixture(scope="module")
def upstream_fake() -> Iterator[FakeAPI]:
    with FakeAPI() as fake:
        yield fake


@pytest.fixture(scope="module")
def served(upstream_fake: FakeAPI, site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("serve")
    env = clean_env({**upstream_fake.env, "MOVIEAGG_HOME": str(work / "home")})
    with serve_process(env, work, "--frontend", str(site), "--no-access-log") as server:
        yield server


@pytest.fixture(scope="module")
def site_via_nginx(served: Served, site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    yield from start_nginx(tmp_path_factory.mktemp("nginx-e2e"), site, served.url)


def fetch(base: str, path: str) -> tuple[int, str, bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


def test_the_app_in_chromium_through_nginx(site_via_nginx: Nginx, upstream_fake: FakeAPI) -> None:
    """Type a title, pick a candidate, see the score and every source, a partial failure …"""
    require(Path(CHROMIUM).exists(), "chromium", "apt-get install chromium")
    node_tool("vite")  # node_modules present (playwright-core lives there)
    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "BASE_URL": site_via_nginx.url,
        "FAKE_URL": upstream_fake.url,
        "ARTIFACTS": str(ARTIFACTS),
        "CHROMIUM": CHROMIUM,
    }
    try:
        proc = subprocess.run(
            ["node", str(FRONTEND / "e2e" / "run.mjs")],
            cwd=FRONTEND,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    finally:
        upstream_fake.state.fail = set()
    print(proc.stdout)
    assert proc.returncode == 0, (
        f"browser run failed (screenshot: {ARTIFACTS / 'failure.png'}):\n{proc.stdout[-4000:]}\n"
        f"{proc.stderr[-2000:]}\nnginx: {site_via_nginx.error_log()[-1500:]}"
    )
    assert "0 failed" in proc.stdout
    for name in ("03-result-dune-1984", "04-candidates", "06-partial-failure", "08-phone-result",
                 "11-did-you-mean", "12-uncertain-match", "13-disagreement", "14-where-to-watch",
                 "15-where-to-watch-offline-phone"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_movieagg_serve_serves_the_build_without_nginx(served: Served, site: Path) -> None:
    """`movieagg serve --frontend DIR`: the app, its assets and SPA routes, next to /api."""
    status, ctype, body = fetch(served.url, "/")
    assert status == 200 and ctype.startswith("text/html")
    assert body == (site / "index.html").read_bytes()
    status, _, body = fetch(served.url, "/movie/tt1160419")
    assert status == 200 and b'<div id="root">' in body
    js = next((site / "assets").glob("*.js"))
    status, ctype, body = fetch(served.url, f"/assets/{js.name}")
    assert status == 200 and "javascript" in ctype
    assert body == js.read_bytes()
    status, ctype, body = fetch(served.url, "/api/search?q=Dune")
    assert status == 200 and ctype.startswith("application/json")
