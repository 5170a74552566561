"""Hostile input on every face — CLI, library, HTTP (serve), Lambda events, batch files — as one table.

Each row is an input and what must come of it: the documented exit code, HTTP status or batch
status; never a traceback; never a request upstream for input that is invalid; never a raw
control sequence on a terminal. One validation (core/models.py) decides for every face.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.aws import handler as lambda_handler
from movieagg.cli import app
from movieagg.web.server import Gateway
from movieagg.web.service import Service
from tests.hostile import hostile_fake, raw_escapes

__all__ = ["hostile_fake"]

# --------------------------------------------------------------------------- the CLI

ARABIC_2009 = "\u0662\u0660\u0660\u0669"
FULLWIDTH_2009 = "\uff12\uff10\uff10\uff19"
ARABIC_IMDB = "tt\u0660\u0661\u0663\u0663\u0660\u0669\u0663"

# (id, argv, expected exit code)
CLI_ROWS: list[tuple[str, list[str], int]] = [
    ("argv-undecodable-utf8", ["rate", "\udcc3( Up"], 2),
    ("argv-undecodable-bom", ["rate", "The \udcff\udcfe Matrix"], 2),
    ("lone-surrogate", ["rate", "Up \ud800"], 2),
    ("replacement-char", ["rate", "Up \ufffd"], 2),
    ("arabic-year", ["rate", "Up", "--year", ARABIC_2009], 2),
    ("fullwidth-year", ["rate", "Up", "--year", FULLWIDTH_2009], 2),
    ("huge-year", ["rate", "Up", "--year", "9" * 40], 2),
    ("negative-year", ["rate", "Up", "--year", "-2009"], 2),
    ("empty-title", ["rate", "   "], 2),
    ("long-title", ["rate", "x" * 5000], 2),
    ("search-surrogate", ["search", "\udcff"], 2),
    ("search-arabic-year", ["search", "Up", "--year", ARABIC_2009], 2),
    ("history-arabic-year", ["history", "Up", "--year", ARABIC_2009], 2),
    ("escape-in-source-name", ["rate", "Up", "-s", "\x1b[31mtmdb"], 2),
]


def _invoke(argv: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, argv, env={"NO_COLOR": "1", "COLUMNS": "100", **(env or {})})


@pytest.mark.parametrize(("argv", "code"), [r[1:] for r in CLI_ROWS], ids=[r[0] for r in CLI_ROWS])
def test_cli_rejects_hostile_input_with_its_exit_code(fake: FakeAPI, argv: list[str], code: int) -> None:
    result = _invoke(argv)
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "\x1b" not in output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one clear line
    assert fake.counts() == {}, "invalid input must never reach an upstream"


def test_undecodable_argv_bytes_are_invalid_input(fake: FakeAPI, tmp_path: Path) -> None:
    """The real thing: `movieagg rate $'\\xc3\\x28 Up'` in a UTF-8 locale is exit 2, not 4."""
    env = {**os.environ, "NO_COLOR": "1", "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"}
    out = subprocess.run(
        [sys.executable.encode(), b"-m", b"movieagg", b"rate", b"\xc3\x28 Up"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2, out.stderr
    assert b"Traceback" not in out.stderr and b"undecodable" in out.stderr
    assert fake.counts() == {}


def test_library_applies_the_same_validation(fake: FakeAPI) -> None:
    import movieagg
    from movieagg.core.errors import InvalidQuery

    for title, year in (("\udcc3( Up", None), ("Up", ARABIC_2009), ("Up \ufffd", None)):
        with pytest.raises(InvalidQuery):
            movieagg.rate(title, year)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery):
        movieagg.rate_imdb(ARABIC_IMDB)
    assert fake.counts() == {}


# --------------------------------------------------------------------------- HTTP (serve) and Lambda

# (id, raw path, raw query string, expected status)
HTTP_ROWS: list[tuple[str, bytes, bytes, int]] = [
    ("arabic-imdb-id", "/api/movies/tt٠١٣٣٠٩٣".encode(), b"", 400),
    ("arabic-imdb-id-encoded", b"/api/movies/tt%D9%A0%D9%A1%D9%A3%D9%A3%D9%A0%D9%A9%D9%A3", b"", 400),
    ("undecodable-title", b"/api/rate", b"title=%C3%28%20Up", 400),
    ("cesu-surrogate-title", b"/api/rate", b"title=%ED%A0%80", 400),
    ("latin1-title", b"/api/rate", b"title=The%20%FF%FE%20Matrix", 400),
    ("arabic-year", b"/api/rate", b"title=Up&year=%D9%A2%D9%A0%D9%A0%D9%A9", 400),
    ("fullwidth-year", b"/api/search", b"q=Up&year=%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%99", 400),
    ("arabic-limit", b"/api/search", b"q=Up&limit=%D9%A1%D9%A0", 400),
    ("nul-title", b"/api/rate", b"title=%00", 400),
    ("control-chars-only-title", b"/api/rate", b"title=%1B%07%9B", 400),
    ("many-params", b"/api/rate", b"&".join(b"a=%d" % i for i in range(300)), 400),
]


@pytest.fixture
def live_env(fake: FakeAPI, tmp_path: Path) -> dict[str, str]:
    """The environment of a real runtime against the fake upstream (memory cache, own home)."""
    return {
        **{k: v for k, v in os.environ.items() if k.startswith(("MOVIEAGG_", "TMDB_", "OMDB_", "TRAKT_"))},
        "MOVIEAGG_HOME": str(tmp_path / "served"),
        "MOVIEAGG_CACHE": "memory",
    }


async def asgi_get(gateway: Gateway, raw_path: bytes, query: bytes = b"") -> tuple[int, bytes]:
    """One GET through the ASGI app as uvicorn would hand it over (path percent-decoded)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "query_string": query,
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 5000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await gateway(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), body


def serve_get(
    env: dict[str, str],
    raw_path: bytes,
    query: bytes = b"",
    frontend: Path | None = None,
    logs: io.StringIO | None = None,
) -> tuple[int, bytes]:
    """Start the serve app, answer one GET, shut down: one event loop, as under uvicorn."""

    async def go() -> tuple[int, bytes]:
        gw = Gateway(
            frontend,
            service_factory=lambda: Service(env, background_flush=True, log_stream=logs or io.StringIO()),
        )
        await gw.startup()
        try:
            return await asgi_get(gw, raw_path, query)
        finally:
            await gw.shutdown()

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("raw_path", "query", "status"), [r[1:] for r in HTTP_ROWS], ids=[r[0] for r in HTTP_ROWS]
)
def test_http_rejects_hostile_input_before_any_upstream(
    live_env: dict[str, str], fake: FakeAPI, raw_path: bytes, query: bytes, status: int
) -> None:
    got, body = serve_get(live_env, raw_path, query)
    assert got == status, body
    error = json.loads(body)["error"]
    assert error["code"] in ("invalid_input", "bad_request") and "Traceback" not in error["message"]
    assert fake.counts() == {}, "invalid input must never reach an upstream"


def _v2(raw_path: str, raw_query: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {"host": "x"},
        "requestContext": {"http": {"method": "GET", "sourceIp": "1.2.3.4"}, "requestId": "r1"},
    }


def _v1(path: str, params: dict[str, str]) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": path, "queryStringParameters": params, "requestContext": {}}


# (id, event, expected status) — the events as a JSON parser hands them over (lone surrogates and all)
LAMBDA_ROWS: list[tuple[str, dict[str, Any], int]] = [
    ("v2-lone-surrogate-title", _v2("/api/rate", "title=\ud800"), 400),
    ("v2-escaped-surrogate-title", _v2("/api/rate", "title=Up%ED%A0%80"), 400),
    ("v1-lone-surrogate-title", _v1("/api/rate", {"title": "Up \udfff"}), 400),
    ("v1-lone-surrogate-query", _v1("/api/search", {"q": "\ud83d"}), 400),
    ("v1-arabic-year", _v1("/api/rate", {"title": "Up", "year": ARABIC_2009}), 400),
    ("v2-arabic-imdb-path", _v2("/api/movies/" + ARABIC_IMDB, ""), 400),
    ("v2-surrogate-imdb-path", _v2("/api/movies/tt0133093\ud800", ""), 400),
    ("v1-surrogate-source", _v1("/api/rate", {"title": "Up", "sources": "tmdb\udc80"}), 400),
    ("v1-surrogate-refresh", _v1("/api/rate", {"title": "Up", "refresh": "\udc80"}), 400),
]


@pytest.mark.parametrize(("event", "status"), [r[1:] for r in LAMBDA_ROWS], ids=[r[0] for r in LAMBDA_ROWS])
def test_lambda_events_with_hostile_text_are_400(
    live_env: dict[str, str], fake: FakeAPI, event: dict[str, Any], status: int
) -> None:
    lambda_handler.install(Service(live_env))
    try:
        result = lambda_handler.handler(event, None)
    finally:
        lambda_handler.reset()
    assert result["statusCode"] == status, result["body"]
    json.dumps(result).encode("utf-8")  # the response itself is valid UTF-8 JSON
    assert fake.counts() == {}


# --------------------------------------------------------------------------- batch files

# A file whose bytes are not UTF-8 is read as Windows-1252 (older IMDb exports are: #12), so every
# line of it is text; what a lenient decoder left behind (U+FFFD) is still not a title.
BATCH_LINES: list[tuple[bytes, str]] = [
    ("\ufffd Up".encode(), "invalid"),
    ("The \ufffd\ufffd Matrix".encode(), "invalid"),
    ("Up (\u0662\u0660\u0660\u0669)".encode(), "invalid"),
    ("tt\u0660\u0661\u0663\u0663\u0660\u0669\u0663".encode(), "invalid"),
    (b"The Matrix (1999)", "found"),
]


def test_batch_file_lines_get_the_same_validation(fake: FakeAPI, tmp_path: Path) -> None:
    source = tmp_path / "list.txt"
    source.write_bytes(b"\n".join(line for line, _ in BATCH_LINES) + b"\n")
    out = tmp_path / "out.ndjson"
    result = _invoke(["batch", str(source), "-o", str(out), "--progress", "none"])
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in sorted(rows, key=lambda r: r["index"])] == [s for _, s in BATCH_LINES]
    assert set(fake.counts()) <= {"tmdb", "omdb", "wikidata", "trakt"}  # only the good line went out


# --------------------------------------------------------------------------- hostile upstream text


def _shown(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_hostile_titles_never_reach_the_terminal_raw(hostile_fake: FakeAPI, tmp_path: Path) -> None:
    """A title, director or message with ESC[…, OSC, BEL, 8-bit CSI or CR is shown defanged by
    every renderer: rate's panel, search's table, history's tables, batch's table, errors."""
    for argv in (["rate", "Red Alert"], ["search", "Red Alert"], ["rate", "Red Alert", "--refresh"]):
        result = _invoke(argv)
        assert result.exit_code == 0, _shown(result)
        assert "Red Alert!" in result.stdout and not raw_escapes(_shown(result)), repr(_shown(result))
    markup = _invoke(["rate", "[/] [bold]no such film"])  # rich markup in a title is text, not markup
    assert markup.exit_code == 1 and "[/] [bold]no such film" in markup.stderr, _shown(markup)
    for argv in (["history", "tt9000001"], ["history", "--searches"]):
        result = _invoke(argv)
        assert result.exit_code == 0, _shown(result)
        assert "Red Alert!" in result.stdout and not raw_escapes(_shown(result)), repr(_shown(result))
    listing = tmp_path / "list.txt"
    listing.write_text("Red Alert\nRed Alert\x1b[2J\x07 (2001)\n")
    result = _invoke(["batch", str(listing), "--progress", "plain"])
    assert result.exit_code == 0, _shown(result)
    assert "Red Alert!" in result.stdout and not raw_escapes(_shown(result)), repr(_shown(result))


def test_suggestions_and_match_reasons_never_reach_the_terminal_raw(hostile_fake: FakeAPI) -> None:
    """#13's new lines hold upstream titles too: "did you mean" (stderr, and --json on stdout) and
    the match reasons name the film as the source spelt it."""
    miss = _invoke(["rate", "Red Alrt"])
    assert miss.exit_code == 1 and "did you mean: Red Alert!" in miss.stderr, _shown(miss)
    assert not raw_escapes(_shown(miss)), repr(_shown(miss))
    as_json = _invoke(["rate", "Red Alrt", "--json"])
    assert as_json.exit_code == 1 and "\x1b" not in as_json.stdout, as_json.stdout
    assert json.loads(as_json.stdout)["error"]["suggestions"][0]["title"].startswith("Red Alert")
    hit = _invoke(["rate", "Red Alert"])
    assert hit.exit_code == 0 and 'title "Red Alert!' in hit.stdout, _shown(hit)
    assert not raw_escapes(_shown(hit)), repr(_shown(hit))


def test_error_lines_and_log_lines_are_defanged(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    import typer

    from movieagg.commands.common import fail, setup_logging

    setup_logging(None)
    logging.getLogger("movieagg").warning("upstream said %s", "\x1b]0;owned\x07hi\x1b[2J")
    with pytest.raises(typer.Exit):
        fail("no film matches \x1b[31mRed\x9b2J\r", 1)
    err = capsys.readouterr().err
    assert "hi" in err and "no film matches Red" in err and not raw_escapes(err), repr(err)


def test_batch_csv_cells_cannot_run_as_formulas(hostile_fake: FakeAPI, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(
        '=HYPERLINK("http://evil.example","x")\n+cmd|\' /C calc\'!A0\n@SUM(1+1)\ncmd calc A0\n'
    )
    out = tmp_path / "out.csv"
    result = _invoke(["batch", str(listing), "-o", str(out), "--progress", "none"])
    assert result.exit_code == 0, _shown(result)
    import csv as csv_module

    rows = list(csv_module.reader(out.open(encoding="utf-8", newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert len(rows) == 5 and "'=cmd|' /C calc'!A0" in cells  # the upstream title, neutralised
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


# --------------------------------------------------------------------------- hostile configuration

BAD_DATABASE_URLS = [
    "nonsense",
    "mysql://admin:pw-bad-url-7@db.example/movies",  # a database movieagg does not store in
    "postgresql+nodriver://admin:pw-bad-url-7@db.example/movies",  # no such driver
    "postgresql+asyncpg://admin:pw-bad-url-7@db.example/movies",  # driver not installed
    "://pw-bad-url-7@",
]
STORE_COMMANDS = [
    ["db", "status"],
    ["db", "upgrade"],
    ["db", "upgrade", "--sql"],
    ["db", "downgrade", "0001"],
    ["db", "flush"],
    ["history", "--searches"],
    ["history", "The Matrix"],
    ["rate", "The Matrix"],  # answers, then says the records cannot be written
    ["batch", "-"],
]


@pytest.mark.parametrize("url", BAD_DATABASE_URLS)
@pytest.mark.parametrize("argv", STORE_COMMANDS, ids=lambda a: "-".join(a))
def test_a_bad_database_url_is_one_line_exit_3(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, url: str, argv: list[str]
) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", url)
    result = CliRunner().invoke(app, argv, input="The Matrix\n", env={"NO_COLOR": "1"})
    shown = _shown(result)
    if argv == ["db", "upgrade", "--sql"] and "asyncpg" in url:  # offline SQL needs no driver
        assert result.exit_code == 0 and "CREATE TABLE" in result.stdout and "pw-bad-url-7" not in shown
        return
    assert result.exit_code == 3, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in shown and "pw-bad-url-7" not in shown
    assert len(result.stderr.strip().splitlines()) == 1 and "MOVIEAGG_DATABASE_URL" in result.stderr, shown
    if argv[0] == "rate":
        assert "The Matrix" in result.stdout  # the lookup still answered; its record waits


@pytest.mark.parametrize("url", BAD_DATABASE_URLS)
def test_serve_with_a_bad_database_url_answers_and_its_health_says_why(
    live_env: dict[str, str], fake: FakeAPI, url: str
) -> None:
    env = {**live_env, "MOVIEAGG_DATABASE_URL": url}
    logs = io.StringIO()
    status, body = serve_get(env, b"/api/health", logs=logs)
    health = json.loads(body)
    assert status == 200 and health["status"] == "degraded", health
    assert health["checks"]["store"] == {"status": "misconfigured", "error": "configuration"}
    status, body = serve_get(env, b"/api/rate", b"title=The+Matrix", logs=logs)
    assert status == 200 and json.loads(body)["movie"]["imdb_id"] == "tt0133093"  # lookups go on
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert [x for x in lines if x["level"] == "error" and "MOVIEAGG_DATABASE_URL" in x["msg"]], lines
    assert "pw-bad-url-7" not in logs.getvalue()


def test_rate_leaves_no_helper_behind_for_a_url_it_cannot_use(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MOVIEAGG_FLUSH=inline the CLI checks the URL itself before leaving the write to a
    detached helper, which would fail where nobody sees it."""
    monkeypatch.delenv("MOVIEAGG_FLUSH")
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", "mysql://admin:pw-bad-url-7@db.example/movies")
    spawned: list[object] = []
    monkeypatch.setattr("movieagg.records.keeper.flush_detached", lambda settings: spawned.append(1) or True)
    result = _invoke(["rate", "The Matrix"])
    assert result.exit_code == 3 and "The Matrix" in result.stdout and not spawned, _shown(result)
    assert "'mysql' database" in result.stderr and "pw-bad-url-7" not in _shown(result)


# --------------------------------------------------------------------------- static paths (serve)

STATIC_ROWS: list[tuple[str, bytes, int]] = [
    ("256-char-name", b"/" + b"a" * 256, 404),  # ENAMETOOLONG was a 500 with a traceback
    ("256-char-asset", b"/assets/" + b"b" * 256 + b".js", 404),
    ("4096-char-path", b"/" + b"/".join([b"c" * 200] * 20), 404),
    ("long-utf8-name", b"/" + "é".encode() * 200, 404),
    ("percent-encoded-long-name", b"/" + b"%41" * 300, 404),
    ("nul-byte", b"/index.html%00.js", 404),
    ("dot-dot", b"/..%2f..%2f..%2fetc%2fpasswd", 404),
    ("backslash", b"/..%5c..%5cetc%5cpasswd", 404),
    ("spa-route", b"/films/tt0133093", 200),
    ("index", b"/", 200),
]


@pytest.mark.parametrize(
    ("raw_path", "status"), [r[1:] for r in STATIC_ROWS], ids=[r[0] for r in STATIC_ROWS]
)
def test_static_paths_are_validated(
    live_env: dict[str, str], tmp_path: Path, raw_path: bytes, status: int
) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>movieagg</title>")
    got, body = serve_get(live_env, raw_path, frontend=site)
    assert got == status, body[:200]
    assert b"Traceback" not in body and b"passwd" not in body
