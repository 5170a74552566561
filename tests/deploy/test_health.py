"""The one-line health check after a deploy, against a local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from movieagg.deploy.health import check_health

ANSWERS: dict[str, tuple[int, bytes]] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = ANSWERS[self.path]
        if status == 0:  # hang: never answer within the test's timeout
            threading.Event().wait(3)
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _health(status: str, cache: str = "ok", store: str = "ok") -> bytes:
    return json.dumps(
        {
            "status": status,
            "version": "1.2.3",
            "checks": {"cache": {"status": cache}, "store": {"status": store}},
        }
    ).encode()


def test_a_healthy_api(server: str) -> None:
    ANSWERS["/prod/api/health"] = (200, _health("ok"))
    line = check_health(server + "/prod")
    assert line.startswith("ok (HTTP 200; version 1.2.3; cache ok; store ok; ")
    assert line.endswith(" ms)")


def test_a_degraded_and_an_unconfigured_api(server: str) -> None:
    ANSWERS["/a/api/health"] = (200, _health("degraded", store="down"))
    ANSWERS["/b/api/health"] = (503, _health("error"))
    assert check_health(server + "/a").startswith("degraded (HTTP 200; version 1.2.3; cache ok; store down;")
    assert check_health(server + "/b").startswith("error (HTTP 503;")


def test_untrusted_text_never_reaches_the_terminal(server: str) -> None:
    ANSWERS["/x/api/health"] = (
        200,
        json.dumps({"status": "\x1b[31mpwned\x1b]0;title\x07", "version": "1;rm"}).encode(),
    )
    line = check_health(server + "/x")
    assert "\x1b" not in line and "pwned" not in line and "rm" not in line
    ANSWERS["/y/api/health"] = (502, b"<html>\x1b[2J bad gateway</html>")
    assert check_health(server + "/y").startswith("HTTP 502, not a health answer")


def test_no_server_and_no_answer_are_one_line_each(server: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert check_health(f"http://127.0.0.1:{port}/prod").startswith("not reachable (")
    ANSWERS["/slow/api/health"] = (0, b"")
    assert check_health(server + "/slow", timeout=0.3) in (
        "no answer within 0 s",
        "not reachable (TimeoutError)",
    )
    assert check_health("") == "not checked (no API URL)"
