"""Where to watch in `movieagg rate`: --region, its defaults, the Watch line, the quick path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.fakeapi import FakeAPI
from movieagg.commands.quick import answer_from_cache
from movieagg.core import cachekeys
from tests.commands.test_quick import by_app, flush_later, pending_records, quick_matches_app

__all__ = ["flush_later"]  # a fixture used here


def test_rate_json_has_where_to_watch_in_the_region_asked(fake: FakeAPI) -> None:
    code, out, err = by_app("rate", "Heat (1995)", "--region", "gb", "--json")
    assert code == 0, err
    watch = json.loads(out)["watch"]
    assert watch["region"] == "GB" and watch["attribution"] == "JustWatch"
    assert watch["link"] == "https://www.themoviedb.org/movie/949/watch?locale=GB"
    assert [p["name"] for p in watch["flatrate"]] == ["Disney Plus"]
    assert watch["rent"][0] == {
        "name": "Apple TV",
        "logo": "https://image.tmdb.org/t/p/w92/peURlLlr8jggOwK53fJ5wdQl05y.jpg",
        "id": 2,
    }
    assert fake.counts().get("tmdb", 0) >= 1


def test_the_watch_line_credits_justwatch_and_fits_40_columns(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    code, out, _ = by_app("rate", "Heat (1995)", "--region", "GB")
    assert code == 0
    assert "Watch (GB): stream on Disney Plus" in out
    assert "data by JustWatch" in out
    assert max(len(line) for line in out.splitlines()) <= 40


@pytest.mark.parametrize(
    ("env", "region"),
    [
        ({"MOVIEAGG_REGION": "de"}, "DE"),
        ({"LANG": "fr_FR.UTF-8"}, "FR"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "GB"),
        ({"LANG": "C.UTF-8"}, "US"),
        ({}, "US"),
    ],
)
def test_the_region_defaults_to_the_setting_then_the_locale_then_us(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], region: str
) -> None:
    for name in ("MOVIEAGG_REGION", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = by_app("rate", "Up", "--json")  # the fake offers Up in every country it knows
    assert code == 0, err
    assert json.loads(out)["watch"]["region"] == region


def test_bad_regions_are_one_clear_line_and_an_exit_code(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = by_app("rate", "Heat", "--region", "Britain")
    assert code == 2 and "two-letter country code" in err and len(err.strip().splitlines()) == 1
    code, out, _ = by_app("rate", "Heat", "--region", "G", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "invalid_input"
    monkeypatch.setenv("MOVIEAGG_REGION", "U5")
    code, _, err = by_app("rate", "Heat")
    assert code == 3 and "MOVIEAGG_REGION" in err
    assert fake.counts().get("tmdb", 0) == 0  # refused before asking anyone


def test_a_failing_watch_call_leaves_the_score_and_lists_the_error(fake: FakeAPI) -> None:
    code, out, _ = by_app("rate", "Heat (1995)", "--region", "GB", "--json")
    assert code == 0
    fake.state.fail = {"tmdb"}  # TMDB down now: the ratings come from the cache, watch must ask
    code, out, _ = by_app("rate", "Heat (1995)", "--region", "FR", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["score"] is not None and answer["watch"] is None
    assert any(e["source"] == "tmdb-watch" for e in answer["errors"])


def test_a_film_without_offers_there_has_no_watch_and_no_error(fake: FakeAPI) -> None:
    # the fake leaves each film unoffered in some country (The Matrix, TMDB 603: GB)
    answers = {}
    for region in ("US", "GB", "DE", "FR"):
        code, out, _ = by_app("rate", "The Matrix", "--region", region, "--json")
        assert code == 0
        answers[region] = json.loads(out)
    missing = [r for r, a in answers.items() if a["watch"] is None]
    assert missing, "the fake leaves The Matrix unoffered in one country"
    assert all(not any(e["source"] == "tmdb-watch" for e in answers[r]["errors"]) for r in missing)


def test_source_selection_without_tmdb_asks_no_watch(fake: FakeAPI) -> None:
    code, out, _ = by_app("rate", "Heat (1995)", "-s", "omdb", "--json")
    assert code == 0 and json.loads(out)["watch"] is None
    assert fake.counts().get("tmdb", 0) == 0


def test_no_tmdb_configured_means_no_watch(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    monkeypatch.delenv("TMDB_ACCESS_TOKEN", raising=False)
    code, out, err = by_app("rate", "Heat (1995)", "--json")
    assert code == 0, err
    assert json.loads(out)["watch"] is None


def test_the_quick_path_answers_with_cached_watch_data(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str], flush_later: None
) -> None:
    out = quick_matches_app(["rate", "Heat (1995)", "--region", "GB", "--json"], capsys, fake)
    assert json.loads(out)["watch"]["region"] == "GB"
    quick_matches_app(["rate", "Heat (1995)", "--region", "GB"], capsys, fake)


def test_the_quick_path_hands_over_when_the_region_is_not_cached(
    fake: FakeAPI, isolated_env: Path, capsys: pytest.CaptureFixture[str], flush_later: None
) -> None:
    assert by_app("rate", "Heat (1995)", "--region", "GB")[0] == 0
    before = len(pending_records(isolated_env))
    assert answer_from_cache(["rate", "Heat (1995)", "--region", "DE", "--json"]) is False
    assert capsys.readouterr() == ("", "")
    assert len(pending_records(isolated_env)) == before  # nothing recorded: the app records it
    code, out, _ = by_app("rate", "Heat (1995)", "--region", "DE", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["cached"] is True and answer["watch"]["region"] == "DE"
    assert answer_from_cache(["rate", "Heat (1995)", "--region", "DE", "--json"]) is True


def test_the_watch_cache_key_is_per_film_and_region() -> None:
    assert cachekeys.watch_key("movie", 949, "GB") == "movieagg:v1:watch:movie:949:GB"
    assert cachekeys.watch_key("tv", 1399, "US") != cachekeys.watch_key("movie", 1399, "US")


def test_provider_names_are_made_printable_on_the_terminal() -> None:
    import io

    from rich.console import Console

    from movieagg._render import render_result
    from movieagg.core.models import Movie, Query, RatingResult
    from movieagg.core.watch import Provider, WatchOptions

    hostile = Provider("Net\x1b[2J\x1b]0;pwned\x07flix\u202e", 8, None)
    result = RatingResult(
        query=Query("Heat", 1995),
        movie=Movie(title="Heat", year=1995, imdb_id="tt0113277", tmdb_id=949),
        ratings=(),
        score=None,
        watch=WatchOptions("GB", None, flatrate=(hostile,)),
    )
    out = io.StringIO()
    render_result(result, Console(file=out, width=40, no_color=True, force_terminal=False))
    text = out.getvalue()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "Watch (GB): stream on Netflix" in " ".join(text.split())
