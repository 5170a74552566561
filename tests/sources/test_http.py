from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from collections.abc import AsyncIterator

import httpx
import pytest
from pytest_httpx import HTTPXMock

from movieagg.core.errors import SourceFailure
from movieagg.sources._http import HttpClient, retry_after_seconds
from tests.sources.conftest import Sleeps

URL = "https://api.example.test/x"


async def test_transient_errors_are_retried_with_backoff(httpx_mock: HTTPXMock, http: HttpClient, sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=URL, status_code=503, text="<html>down</html>")
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=URL)
    httpx_mock.add_response(url=URL, json={"ok": True})
    response = await http.get("src", URL)
    assert response.status == 200 and response.body == {"ok": True}
    assert len(sleeps.calls) == 2 and all(0 <= s <= 0.5 for s in sleeps.calls)


async def test_retry_after_is_honoured(httpx_mock: HTTPXMock, http: HttpClient, sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": "2"}, json={"status_code": 25})
    httpx_mock.add_response(url=URL, json={"ok": True})
    assert (await http.get("src", URL)).status == 200
    assert sleeps.calls == [2.0]


async def test_retry_after_beyond_the_deadline_gives_up(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": "3600"})
    with pytest.raises(SourceFailure) as info:
        await http.get("src", URL)
    assert info.value.kind == "quota"


async def test_gives_up_after_max_attempts_without_leaking_the_url(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    for _ in range(3):
        httpx_mock.add_exception(httpx.ConnectError("refused"), url=f"{URL}?apikey=sekret-key-123")
    with pytest.raises(SourceFailure) as info:
        await http.get("src", URL, params={"apikey": "sekret-key-123"})
    assert info.value.kind == "unavailable"
    assert "sekret" not in str(info.value) and "apikey" not in str(info.value)


async def test_a_timeout_is_not_retried(httpx_mock: HTTPXMock, http: HttpClient, sleeps: Sleeps) -> None:
    """A service that did not answer in MOVIEAGG_TIMEOUT seconds will not answer the same
    question faster a moment later: asking again only doubles what the lookup pays."""
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=URL)
    with pytest.raises(SourceFailure) as info:
        await http.get("src", URL)
    assert info.value.kind == "timeout" and len(httpx_mock.get_requests()) == 1 and not sleeps.calls


async def test_client_errors_are_returned_not_retried(httpx_mock: HTTPXMock, http: HttpClient, sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=URL, status_code=401, text="not json")
    response = await http.get("src", URL)
    assert response.status == 401 and response.body is None and not sleeps.calls


async def test_real_timeout_against_a_silent_server() -> None:
    import asyncio

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = HttpClient(timeout=0.2, max_attempts=2)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(SourceFailure, match="timed out"):
            await client.get("src", f"http://127.0.0.1:{port}/")
        assert asyncio.get_running_loop().time() - started < 1.5
    finally:
        await client.aclose()
        server.close()


async def test_a_redirect_to_another_host_is_not_followed(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    """A redirect elsewhere would carry the key along (in the query it keeps, or a header such
    as trakt-api-key that httpx does not strip): it is refused, and said so."""
    httpx_mock.add_response(
        url=f"{URL}?apikey=sekret-key-123", status_code=302,
        headers={"Location": "https://elsewhere.example/x?apikey=sekret-key-123"},
    )  # fmt: skip
    with pytest.raises(SourceFailure, match="redirected to another host; not followed") as info:
        await http.get("src", URL, params={"apikey": "sekret-key-123"}, headers={"trakt-api-key": "k"})
    assert [r.url.host for r in httpx_mock.get_requests()] == ["api.example.test"]
    assert "sekret" not in str(info.value) and "elsewhere" not in str(info.value)


async def test_a_downgrade_to_plain_http_is_not_followed(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "http://api.example.test/x"})
    with pytest.raises(SourceFailure, match="redirected to another host; not followed"):
        await http.get("src", URL)
    assert len(httpx_mock.get_requests()) == 1


async def test_a_redirect_on_the_same_host_is_followed(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "/y"})
    httpx_mock.add_response(url="https://api.example.test/y", json={"moved": True})
    response = await http.get("src", URL, headers={"trakt-api-key": "k"})
    assert response.status == 200 and response.body == {"moved": True}
    assert [r.headers.get("trakt-api-key") for r in httpx_mock.get_requests()] == ["k", "k"]


async def test_a_redirect_loop_ends(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=URL, status_code=302, headers={"Location": URL}, is_reusable=True)
    with pytest.raises(SourceFailure, match="too many redirects"):
        await http.get("src", URL)


def _client(content: object, headers: dict[str, str] | None = None, cap: int = 1024 * 1024) -> HttpClient:
    """A client whose transport answers ``content``, streamed as a server would send it."""

    async def as_sent(data: bytes) -> AsyncIterator[bytes]:
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    def answer(request: httpx.Request) -> httpx.Response:
        body = as_sent(content) if isinstance(content, bytes) else content
        return httpx.Response(200, headers=headers or {}, content=body)  # type: ignore[arg-type]

    return HttpClient(timeout=2.0, transport=httpx.MockTransport(answer), max_response_bytes=cap)


async def test_an_answer_larger_than_the_cap_is_refused_by_its_length() -> None:
    client = _client(b"{}", {"Content-Length": str(300 * 1024 * 1024)})
    with pytest.raises(SourceFailure, match=r"answer too large \(> 1 MB\); ignored"):
        await client.get("omdb", URL)
    await client.aclose()


async def test_a_streamed_answer_is_cut_at_the_cap() -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"padding": "'
        while True:
            sent += 65536
            yield b"0" * 65536

    client = _client(endless())
    with pytest.raises(SourceFailure, match="answer too large") as info:
        await client.get("omdb", URL)
    assert info.value.kind == "malformed" and sent < 2 * 1024 * 1024
    await client.aclose()


async def test_a_gzip_bomb_is_cut_at_the_cap_while_decoding() -> None:
    bomb = gzip.compress(b'{"padding": "' + b"0" * (64 * 1024 * 1024) + b'"}', compresslevel=9)
    assert len(bomb) < 100_000
    client = _client(bomb, {"Content-Encoding": "gzip", "Content-Type": "application/json"})
    tracemalloc.start()
    try:
        with pytest.raises(SourceFailure, match="answer too large"):
            await client.get("omdb", URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    await client.aclose()


async def test_gzip_answers_under_the_cap_decode() -> None:
    client = _client(gzip.compress(b'{"ok": true}'), {"Content-Encoding": "gzip"})
    assert (await client.get("omdb", URL)).body == {"ok": True}
    await client.aclose()


async def test_a_trickled_answer_ends_at_the_request_timeout() -> None:
    """A byte every 50 ms never trips a read timeout; the request as a whole has one."""

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(1000):
            await asyncio.sleep(0.05)
            yield b" "

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    client = HttpClient(timeout=0.3, transport=httpx.MockTransport(answer))
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(SourceFailure, match="timed out") as info:
        await client.get("src", URL)
    assert info.value.kind == "timeout" and loop.time() - started < 2.0
    await client.aclose()


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0) == 0.0


async def test_post_sends_json_under_the_same_rules(httpx_mock: HTTPXMock, http: HttpClient, sleeps: Sleeps) -> None:
    """POST (AniList's GraphQL): a JSON body, retried on 429 with Retry-After like a GET."""
    httpx_mock.add_response(url=URL, method="POST", status_code=429, headers={"Retry-After": "1"})
    httpx_mock.add_response(url=URL, method="POST", json={"data": {"Media": None}})
    response = await http.post("src", URL, json_body={"query": "{ x }", "variables": {"a": 1}})
    assert response.status == 200 and response.body == {"data": {"Media": None}}
    sent = httpx_mock.get_requests()
    assert [r.method for r in sent] == ["POST", "POST"]
    assert sent[0].headers["Content-Type"] == "application/json"
    assert b'"variables"' in sent[0].content
    assert sleeps.calls == [1.0]


async def test_post_refuses_a_redirect_to_another_host(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=URL, method="POST", status_code=307, headers={"Location": "https://evil.test/x"})
    with pytest.raises(SourceFailure, match="another host"):
        await http.post("src", URL, json_body={"query": "{ x }"})
