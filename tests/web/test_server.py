"""`movieagg serve` end to end over real HTTP, with the fake upstream APIs."""

from __future__ import annotations

import asyncio
import http.client
import json
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bench.fakeapi import FakeAPI
from bench.films import FILMS
from movieagg.records.outbox import Outbox
from tests.web.serving import Served, clean_env, serve_process


def _env(fake: FakeAPI, home: Path, **extra: str) -> dict[str, str]:
    return clean_env({**fake.env, "MOVIEAGG_HOME": str(home), **extra})


def _log_lines(served: Served) -> list[dict[str, Any]]:
    return [json.loads(x) for x in served.logs().splitlines() if x.startswith("{")]


def test_every_route_over_http(fake: FakeAPI, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve_process(_env(fake, home), tmp_path / "run") as served, httpx.Client(base_url=served.url) as c:
        r = c.get("/api/rate", params={"title": "The Matrix", "year": 1999})
        assert r.status_code == 200, r.text
        assert r.json()["movie"]["imdb_id"] == "tt0133093" and r.json()["cached"] is False
        assert r.headers["x-request-id"] and r.headers["cache-control"].startswith("public")
        assert c.get("/api/rate", params={"title": "The Matrix", "year": 1999}).json()["cached"] is True
        assert c.get("/api/movies/tt0133093").json()["movie"]["title"] == "The Matrix"
        hist = c.get("/api/movies/tt0133093/history")
        assert hist.status_code == 200 and len(hist.json()["observations"]) >= 2
        assert [x["year"] for x in c.get("/api/search", params={"q": "Dune"}).json()["results"]][:2] in (
            [2021, 1984],
            [1984, 2021],
        )
        assert c.get("/api/sources").status_code == 200
        health = c.get("/api/health").json()
        assert health["status"] == "ok" and health["checks"]["store"]["status"] == "ok"
        assert c.get("/api/rate", params={"title": " "}).status_code == 400
        assert c.get("/api/rate", params={"title": "No Such Film At All"}).status_code == 404
        assert c.get("/api/movies/tt12").status_code == 400
        assert c.get("/api/openapi.json").json()["openapi"].startswith("3.")
        fake.state.fail = {"tmdb", "omdb", "wikidata", "trakt"}  # every source the fake serves
        down = c.get("/api/rate", params={"title": "Heat", "refresh": "1"})
        assert down.status_code == 503 and down.json()["error"]["code"] == "upstream_unavailable"
        served.stop()
    lines = [x for x in _log_lines(served) if x.get("logger") == "movieagg.access"]
    assert len(lines) >= 13 and all({"route", "status", "latency_ms", "request_id"} <= set(x) for x in lines)
    text = served.logs() + served.stderr.read_text()
    for secret in (fake.env["TMDB_API_KEY"], fake.env["OMDB_API_KEY"]):
        assert secret not in text
    assert "The Matrix" not in served.logs()  # no query strings in the logs


def test_concurrent_requests_and_keep_alive(fake: FakeAPI, tmp_path: Path) -> None:
    fake.state.latency = 0.25
    titles = sorted({f["title"] for f in FILMS})[:16]
    # Only sources without a client-side pacing limit (Trakt is paced at 500/5 min, Wikidata at
    # 5 in flight): this measures the server's concurrency, not the upstream politeness.
    env = _env(fake, tmp_path / "home", MOVIEAGG_SOURCES="tmdb,omdb")
    with serve_process(env, tmp_path / "run") as served:

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=served.url, timeout=30) as c:
                return await asyncio.gather(*(c.get("/api/rate", params={"title": t}) for t in titles))

        started = time.perf_counter()
        responses = asyncio.run(burst())
        elapsed = time.perf_counter() - started
        assert [r.status_code for r in responses] == [200] * len(titles)
        # Each cold lookup waits ≥ 2 × 0.25 s upstream; 16 of them one after another would take ≥ 8 s.
        assert elapsed < 4.0, elapsed

        parts = urlsplit(served.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        conn.request("GET", "/api/sources")
        first = conn.getresponse()
        first.read()
        sock = conn.sock
        for _ in range(3):
            conn.request("GET", "/api/health")
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
        assert conn.sock is sock and sock is not None  # one TCP connection served all four
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_graceful_shutdown_mid_request(fake: FakeAPI, tmp_path: Path, sig: int) -> None:
    fake.state.latency = 0.6
    home = tmp_path / "home"
    with serve_process(_env(fake, home), tmp_path / "run") as served:
        result: dict[str, Any] = {}

        def slow() -> None:
            try:
                r = httpx.get(f"{served.url}/api/rate", params={"title": "Oldboy", "year": 2003}, timeout=30)
                result["status"], result["body"] = r.status_code, r.json()
            except Exception as exc:
                result["error"] = repr(exc)

        thread = threading.Thread(target=slow)
        thread.start()
        deadline = time.monotonic() + 10
        while sum(fake.counts().values()) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # the request is in flight upstream
        served.process.send_signal(sig)
        thread.join(30)
        code = served.process.wait(20)
    assert result.get("status") == 200, result
    assert result["body"]["movie"]["imdb_id"]
    assert code == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.url}/api/health", timeout=2)
    # The shutdown flushed the lookup record into the database.
    db = sqlite3.connect(home / "movieagg.sqlite3")
    try:
        assert db.execute("SELECT count(*) FROM lookups").fetchone()[0] >= 1
    finally:
        db.close()


def test_frontend_spa_fallback_and_caching(fake: FakeAPI, tmp_path: Path) -> None:
    site = tmp_path / "dist"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><div id=root></div>")
    (site / "assets" / "app-1a2b.js").write_text("console.log('hi')")
    (site / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("do not serve")
    env = _env(fake, tmp_path / "home")
    with (
        serve_process(env, tmp_path / "run", "--frontend", str(site)) as served,
        httpx.Client(base_url=served.url) as c,
    ):
        index = c.get("/")
        assert index.status_code == 200 and "id=root" in index.text
        assert (
            index.headers["content-type"].startswith("text/html")
            and index.headers["cache-control"] == "no-cache"
        )
        assert index.headers["x-request-id"] and c.get("/nope.png").headers["x-request-id"]
        spa = c.get("/movies/tt0133093")
        assert spa.status_code == 200 and spa.text == index.text
        js = c.get("/assets/app-1a2b.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert "immutable" in js.headers["cache-control"]
        assert c.get("/assets/app-1a2b.js", headers={"If-None-Match": js.headers["etag"]}).status_code == 304
        assert c.get("/assets/missing.js").status_code == 404
        assert c.get("/favicon.svg").headers["content-type"].startswith("image/svg+xml")
        for attack in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
            r = c.get(attack)
            assert "do not serve" not in r.text
        assert c.head("/").status_code == 200 and c.head("/").content == b""
        assert c.post("/").status_code == 405
        assert c.get("/api/sources").status_code == 200  # /api still reaches the handler
        assert c.get("/api/nothing").json()["error"]["code"] == "no_route"


def test_cors_over_http(fake: FakeAPI, tmp_path: Path) -> None:
    env = _env(fake, tmp_path / "home", MOVIEAGG_CORS_ORIGINS="http://localhost:5173")
    with serve_process(env, tmp_path / "run") as served, httpx.Client(base_url=served.url) as c:
        pre = c.options(
            "/api/rate", headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}
        )
        assert (
            pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "http://localhost:5173"
        )
        other = c.get("/api/sources", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "movieagg", "serve", "--port", str(port)],
            env=clean_env({"MOVIEAGG_HOME": str(tmp_path)}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr and "Traceback" not in out.stderr


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_workers_share_the_port_and_every_lookup_is_recorded(fake: FakeAPI, tmp_path: Path) -> None:
    home = tmp_path / "home"
    titles = sorted({f["title"] for f in FILMS})[:8]
    env = _env(fake, home, MOVIEAGG_SOURCES="tmdb,omdb")
    with serve_process(env, tmp_path / "run", "--workers", "2") as served:
        workers = _children(served.process.pid)
        assert len(workers) == 2
        statuses = []
        for title in titles * 3:  # a new connection each: the kernel spreads them over the workers
            statuses.append(httpx.get(f"{served.url}/api/rate", params={"title": title}, timeout=30).status_code)
        assert statuses == [200] * len(titles) * 3
        busy = {pid for pid in workers if _cpu_ticks(pid) > 0}
        served.process.send_signal(signal.SIGTERM)
        code = served.process.wait(30)
    assert code == 0 and "stopped" in served.stderr.read_text()
    assert busy == workers
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    # Both workers' records: the fresh lookups flushed to the database, cache hits in the outbox
    # until the next flush (as with one process) — none lost, none twice.
    db = sqlite3.connect(home / "movieagg.sqlite3")
    try:
        stored = db.execute("SELECT count(*) FROM lookups WHERE cached = 0").fetchone()[0]
        stored_hits = db.execute("SELECT count(*) FROM lookups WHERE cached = 1").fetchone()[0]
    finally:
        db.close()
    waiting = Outbox(home / "outbox").pending_count()
    assert stored == len(titles) and stored_hits + waiting == len(titles) * 2


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
