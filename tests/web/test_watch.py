"""Where to watch through the HTTP API: ``region``, the server's default, the schema."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.fakeapi import FakeAPI
from tests.core.test_schema import check


async def ask(
    fake: FakeAPI, home: Path, env: dict[str, str] | None = None, **params: str
) -> tuple[int, dict]:
    from movieagg.web.http import Request, parse_query_string
    from movieagg.web.service import Service

    service = Service({**fake.env, "MOVIEAGG_HOME": str(home), **(env or {})})
    try:
        response = await service.handle(Request("GET", "/api/rate", parse_query_string(urlencode(params))))
        return response.status, json.loads(response.body)
    finally:
        await service.aclose()


async def test_rate_answers_where_to_watch_in_the_region_asked(fake: FakeAPI, tmp_path: Path) -> None:
    status, body = await ask(fake, tmp_path, title="Heat (1995)", region="gb")
    assert status == 200
    check(body)  # the schema describes it, closed
    watch = body["watch"]
    assert watch["region"] == "GB" and watch["attribution"] == "JustWatch"
    assert watch["flatrate"][0]["logo"].startswith("https://image.tmdb.org/t/p/w92/")


async def test_the_servers_region_is_the_default(fake: FakeAPI, tmp_path: Path) -> None:
    status, body = await ask(fake, tmp_path, {"MOVIEAGG_REGION": "FR"}, title="Heat (1995)", region="")
    assert status == 200 and body["watch"]["region"] == "FR"


@pytest.mark.parametrize("region", ["GBR", "1", "G B"])
async def test_a_bad_region_is_a_400(fake: FakeAPI, tmp_path: Path, region: str) -> None:
    status, body = await ask(fake, tmp_path, title="Heat (1995)", region=region)
    assert status == 400 and "two-letter country code" in body["error"]["message"]
