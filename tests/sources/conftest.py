from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from movieagg.sources._http import HttpClient


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def http(sleeps: Sleeps) -> AsyncIterator[HttpClient]:
    client = HttpClient(timeout=2.0, sleep=sleeps, secrets=["sekret-key-123"])
    yield client
    await client.aclose()
