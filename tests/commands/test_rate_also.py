"""A plain `movieagg rate "Fargo"` (no --type) names the same-title series among the film's
alternatives (issue #16), asked beside the film lookup and cached, the empty answer too; a failing
hint costs only the hint; `--type movie` asks no TV source."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from movieagg.core.errors import SourceFailure

ALSO = "Fargo (TV series, US, 2014–)"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rate", *args], env={"NO_COLOR": "1", "COLUMNS": "100"})
    return result.exit_code, result.stdout, result.stderr


def answer(*args: str) -> dict[str, Any]:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    body: dict[str, Any] = json.loads(out)
    return body


def tv_searches(fake: FakeAPI) -> list[str]:
    return [p for p in fake.paths(reset=True) if "/search/tv" in p]


def test_plain_rate_names_the_same_title_series(fake: FakeAPI) -> None:
    body = answer("Fargo")
    assert body["kind"] == "movie" and body["movie"]["imdb_id"] == "tt0116282" and body["errors"] == []
    also = [a for a in body["alternatives"] if a["imdb_id"] == "tt2802850"]
    assert [a["title"] for a in also] == [ALSO] and also[0]["year"] == 2014
    code, table, err = run("Fargo")
    assert code == 0, err
    assert ALSO in table


def test_a_second_call_asks_nothing_and_prints_the_same(fake: FakeAPI) -> None:
    for args in (("Fargo", "--json"), ("Fargo",)):
        code, first, _ = run(*args)
        assert code == 0
        fake.counts(reset=True)
        code, again, _ = run(*args)
        assert code == 0 and fake.counts() == {}
        if "--json" in args:
            first_body, again_body = json.loads(first), json.loads(again)
            assert again_body["alternatives"] == first_body["alternatives"] and again_body["cached"] is True
        else:
            assert again == first


def test_no_same_title_series_is_searched_once_then_remembered(fake: FakeAPI) -> None:
    fake.paths(reset=True)
    assert not any("TV series" in a["title"] for a in answer("The Matrix")["alternatives"])
    assert len(tv_searches(fake)) == 1
    answer("The Matrix")
    assert tv_searches(fake) == []
    fake.counts(reset=True)
    answer("The Matrix")
    assert fake.counts() == {}  # the empty hint is cached too


def test_a_failing_hint_leaves_the_film_whole_and_is_not_cached(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: object, title: str, year: int | None) -> list[object]:
        raise SourceFailure("tmdb", "down")

    with monkeypatch.context() as patched:
        patched.setattr("movieagg.sources.tv.TMDBEpisodes.search_series", broken)
        body = answer("Fargo")
    assert body["movie"]["imdb_id"] == "tt0116282" and body["errors"] == []  # not the film's error
    assert not any("TV series" in a["title"] for a in body["alternatives"])
    fake.paths(reset=True)
    again = answer("Fargo")  # the failure was not kept: asked again
    assert len(tv_searches(fake)) == 1 and any(a["title"] == ALSO for a in again["alternatives"])


def test_the_year_given_is_the_hints_year(fake: FakeAPI) -> None:
    fake.paths(reset=True)
    body = answer("Fargo", "-y", "1996")
    searches = tv_searches(fake)
    assert len(searches) == 1 and "first_air_date_year=1996" in searches[0]
    assert body["movie"]["imdb_id"] == "tt0116282"
    assert not any("TV series" in a["title"] for a in body["alternatives"])  # no 1996 series


def test_type_movie_asks_no_tv_source(fake: FakeAPI) -> None:
    fake.paths(reset=True)
    body = answer("Fargo", "--type", "movie")
    assert tv_searches(fake) == [] and not any("TV series" in a["title"] for a in body["alternatives"])


def test_type_any_reuses_the_cached_hint(fake: FakeAPI) -> None:
    answer("Fargo")
    fake.counts(reset=True)
    body = answer("Fargo", "--type", "any")
    assert fake.counts() == {} and any(a["title"] == ALSO for a in body["alternatives"])


def test_no_film_still_answers_the_series(fake: FakeAPI) -> None:
    body = answer("Breaking Bad")
    assert body["kind"] == "series" and body["movie"]["imdb_id"] == "tt0903747"


def test_a_slow_hint_is_dropped_at_the_lookup_deadline(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import time

    async def slow(self: object, title: str, year: int | None) -> list[object]:
        await asyncio.sleep(30)
        return []

    monkeypatch.setenv("MOVIEAGG_LOOKUP_DEADLINE", "2")
    monkeypatch.setattr("movieagg.sources.tv.TMDBEpisodes.search_series", slow)
    started = time.monotonic()
    body = answer("Fargo")
    assert time.monotonic() - started < 10
    assert body["movie"]["imdb_id"] == "tt0116282" and body["errors"] == []
    assert not any("TV series" in a["title"] for a in body["alternatives"])


def test_no_film_cancels_the_hint(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    ended: list[str] = []

    async def slow(self: object, title: str, year: int | None) -> list[object]:
        if ended:  # the series lookup that follows (no film): answers at once
            return []
        ended.append("asked")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        return []

    monkeypatch.setattr("movieagg.sources.tv.TMDBEpisodes.search_series", slow)
    code, _, err = run("Zzxqv Nothing Like It", "--json")
    assert code == 1 and "no film matches" in err and ended == ["asked", "cancelled"], err
