"""Anime sources are asked only where they can know the film, and their answers are checked."""

from __future__ import annotations

import pytest

from bench import fakeanime
from bench.fakeapi import FakeAPI
from movieagg.core import gating
from movieagg.core.config import Settings
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.factory import build_aggregator

ANIME_SOURCES = ("anilist", "jikan")


def asked(fake: FakeAPI) -> dict[str, int]:
    counts = fake.counts()
    return {name: counts.get(name, 0) for name in ANIME_SOURCES}


async def test_a_film_that_is_no_anime_costs_the_anime_sources_nothing(fake: FakeAPI) -> None:
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        result = await agg.rate("Blade Runner", 1982)
    assert asked(fake) == {"anilist": 0, "jikan": 0}
    assert dict(result.not_asked) == {
        "anilist": "not asked: not an animation or East Asian production",
        "jikan": "not asked: not an animation or East Asian production",
    }
    assert not any(e.source in ANIME_SOURCES for e in result.errors)  # not errors
    assert result.to_dict()["not_asked"][0] == {"source": "anilist", "reason": gating.NOT_ANIME}
    assert result.movie.genres == (18,) and result.movie.countries == ("US",)


async def test_a_repeat_of_such_a_lookup_is_answered_by_the_cache_alone(fake: FakeAPI) -> None:
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        await agg.rate("Blade Runner", 1982)
        fake.counts(reset=True)
        again = await agg.rate("Blade Runner", 1982)
        quick = agg.rate_cached("Blade Runner", 1982)
    assert again.cached and fake.counts() == {}
    assert quick is not None and quick.not_asked == again.not_asked


async def test_a_named_anime_source_is_asked_anyway(fake: FakeAPI) -> None:
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        await agg.rate("Blade Runner", 1982)  # caches "not asked"
        result = await agg.rate("Blade Runner", 1982, sources=["tmdb", "anilist"])
    assert asked(fake)["anilist"] >= 1 and asked(fake)["jikan"] == 0
    assert result.not_asked == ()
    assert not any(r.source == "anilist" for r in result.ratings)  # AniList does not know it


@pytest.mark.parametrize(
    ("title", "year", "mal"),
    [
        ("Spirited Away", 2001, 199),
        ("Your Name.", 2016, 32281),
        ("Akira", 1988, 47),
        ("Perfect Blue", 1997, 437),
    ],
)
async def test_anime_films_get_both_scores(fake: FakeAPI, title: str, year: int, mal: int) -> None:
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate(title, year)
    by_name = {r.name: r for r in result.ratings}
    assert by_name["anilist"].scale == 100 and by_name["myanimelist"].scale == 10
    assert by_name["anilist"].family == by_name["myanimelist"].family == "audience"
    assert by_name["anilist"].weight > 0 and by_name["myanimelist"].weight > 0
    assert result.not_asked == () and not result.errors
    assert "JP" in result.movie.countries


async def test_an_east_asian_live_action_film_is_asked_too(fake: FakeAPI) -> None:
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Oldboy", 2003)
    assert asked(fake) == {"anilist": 2, "jikan": 2}  # by its title, then its original title: nothing
    assert result.not_asked == () and not result.errors
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        await agg.rate("Oldboy", 2003)
        fake.counts(reset=True)
        assert (await agg.rate("Oldboy", 2003)).cached and fake.counts() == {}  # "nothing" is cached too


async def test_a_match_of_another_format_is_left_out_with_the_reason(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AniList knows "Akira" only as a TV series here: its score is left out, the reason listed."""
    akira_tv = [{**a, "format": "TV"} if a["english"] == "Akira" else a for a in fakeanime.ANIME]
    monkeypatch.setattr(fakeanime, "ANIME", akira_tv)
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Akira", 1988)
    assert not any(r.source in ANIME_SOURCES for r in result.ratings)
    (error,) = [e for e in result.errors if e.source == "anilist"]
    assert "left out" in error.message and "TV, not a film" in error.message
    assert result.score is not None  # the other sources still answer


async def test_a_failing_anime_source_degrades_the_answer(fake: FakeAPI) -> None:
    fake.state.fail = {"jikan"}
    try:
        async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
            result = await agg.rate("Perfect Blue", 1997)
    finally:
        fake.state.fail = set()
    assert any(r.name == "anilist" for r in result.ratings)
    (error,) = [e for e in result.errors if e.source == "jikan"]
    assert "503" in error.message and result.score is not None


def _answer(source: str, mal: int) -> SourceData:
    rating = Rating.checked(source, source, 8.0, 10.0, 100, source)
    return SourceData(source, (rating,), Movie("Akira", 1988), exact=False, ids={"mal": mal})


def test_anilist_and_myanimelist_must_agree_on_the_mal_id() -> None:
    data = {"anilist": _answer("anilist", 47), "jikan": _answer("jikan", 90001)}
    labels = {"anilist": "AniList", "jikan": "MyAnimeList"}
    kept, errors = gating.cross_checked(data, {}, ("tmdb", "anilist", "jikan"), labels)
    assert set(kept) == {"anilist"} and set(data) == {"anilist", "jikan"}  # copies: cached as they came
    failure = errors["jikan"]
    assert failure.kind == "mismatch" and "mal 90001, AniList found mal 47" in failure.message
    data["jikan"] = _answer("jikan", 47)
    kept, errors = gating.cross_checked(data, {}, ("anilist", "jikan"), {})
    assert set(kept) == {"anilist", "jikan"} and not errors


async def test_a_disagreement_on_the_mal_id_is_left_out_every_time(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MyAnimeList's entry for "Akira" has another id than AniList's idMal: its score is left
    out, on the first lookup and on the cached repeat alike; confirmations count no anime source."""
    other = [{**a, "mal": 999} if a["english"] == "Akira" else a for a in fakeanime.ANIME]
    anilist_side = {a["anilist"]: a["mal"] for a in fakeanime.ANIME}
    monkeypatch.setattr(fakeanime, "ANIME", other)
    monkeypatch.setattr(
        fakeanime,
        "anilist_media",
        lambda a, real=fakeanime.anilist_media: {**real(a), "idMal": anilist_side[a["anilist"]]},
    )
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        for _ in range(2):
            result = await agg.rate("Akira", 1988)
            assert {r.name for r in result.ratings} >= {"anilist"}
            assert "myanimelist" not in {r.name for r in result.ratings}
            (error,) = [e for e in result.errors if e.source == "jikan"]
            assert "left out: it found mal 999, AniList found mal 47" in error.message
            assert result.match is not None
            assert "4 sources report tt0094625" in result.match.reasons  # TMDB, OMDb, Trakt, Wikidata
        assert result.cached


def test_why_not() -> None:
    assert gating.why_not("anime", Movie("x", genres=(16,), countries=("US",))) is None
    assert gating.why_not("anime", Movie("x", genres=(18,), countries=("FR", "HK"))) is None
    assert gating.why_not("anime", Movie("x", genres=(18,), countries=("FR",))) == gating.NOT_ANIME
    assert gating.why_not("anime", Movie("x")) == gating.NO_FACTS
    assert gating.why_not("something-new", Movie("x")) is None


async def test_a_film_asked_by_imdb_id_is_searched_by_its_title(fake: FakeAPI) -> None:
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate_imdb("tt0156887")
    assert {r.name for r in result.ratings} >= {"anilist", "myanimelist"}
    assert result.movie.title == "Perfect Blue"
