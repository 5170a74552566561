from __future__ import annotations

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
        httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=f"{URL}?apikey=sekret-key-123")
    with pytest.raises(SourceFailure) as info:
        await http.get("src", URL, params={"apikey": "sekret-key-123"})
    assert info.value.kind == "timeout"
    assert "sekret" not in str(info.value) and "apikey" not in str(info.value)


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


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0) == 0.0
