from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from movieagg.cache.memory import MemoryCache
from movieagg.core import cachekeys
from movieagg.core.aggregator import Aggregator
from movieagg.core.errors import AllSourcesFailed, ConfigurationError, InvalidQuery, NotFound, SourceFailure
from movieagg.core.models import SourceData, utcnow
from tests.core.fakes import StubSource

DUNE = {"tt0087182": ("Dune", 1984, 6.3, 169000), "tt1160419": ("Dune", 2021, 8.0, 812000)}


def resolver(**kw: object) -> StubSource:
    return StubSource("resolver", dict(DUNE), can_search=True, **kw)  # type: ignore[arg-type]


class Broken:
    def get(self, key: str) -> bytes | None:
        raise ConnectionError("down")

    def set(self, key: str, value: bytes, ttl: float) -> None:
        raise ConnectionError("down")

    def delete(self, key: str) -> None:
        raise ConnectionError("down")


class Recorder:
    def __init__(self) -> None:
        self.entries: list[dict[str, object]] = []

    def record(self, entry: dict[str, object]) -> None:
        self.entries.append(entry)


async def test_resolves_once_and_fans_out_by_id() -> None:
    a, b = resolver(), StubSource("other", dict(DUNE))
    result = await Aggregator([a, b]).rate("Dune", 1984)
    assert result.movie.imdb_id == "tt0087182"
    assert {r.source for r in result.ratings} == {"resolver", "other"}
    assert a.calls == ["search:Dune", "fetch:tt0087182"] and b.calls == ["fetch:tt0087182"]
    assert result.score is not None and not result.errors and not result.cached


async def test_sources_run_concurrently() -> None:
    sources = [resolver(delay=0.3)] + [StubSource(f"s{i}", dict(DUNE), delay=0.3) for i in range(4)]
    started = time.perf_counter()
    await Aggregator(sources).rate("Dune", 2021)
    # one search round + one concurrent fetch round (0.6 s), not 1 + 5 sequential calls (1.8 s)
    assert time.perf_counter() - started < 1.2


async def test_a_source_about_another_film_is_asked_again_by_imdb_id() -> None:
    # "titled" can only look up by title and picks the 2021 film; the resolver knows it is 1984.
    tmdb_like = StubSource("tmdb", dict(DUNE), can_search=True)
    titled = StubSource("omdb", dict(DUNE), title_answer="tt1160419")
    agg = Aggregator([tmdb_like, titled])

    async def no_imdb_search(query, limit=10):  # type: ignore[no-untyped-def]
        return [c.__class__(title=c.title, year=c.year, source=c.source, tmdb_id=1, rank=c.rank)
                for c in await StubSource.search(tmdb_like, query, limit) if c.year == 1984]

    async def fetch_by_tmdb(movie):  # type: ignore[no-untyped-def]
        if movie.imdb_id is None:
            movie = movie.__class__(movie.title, movie.year, "tt0087182", movie.tmdb_id)
        return await StubSource.fetch(tmdb_like, movie)

    tmdb_like.search = no_imdb_search  # type: ignore[method-assign]
    tmdb_like.fetch = fetch_by_tmdb  # type: ignore[method-assign]
    result = await agg.rate("Dune")
    assert result.movie.imdb_id == "tt0087182"
    omdb = next(r for r in result.ratings if r.source == "omdb")
    assert omdb.value == 6.3  # the 1984 film's rating, not the 2021 one
    assert titled.calls == ["fetch:Dune", "fetch:tt0087182"]


async def test_failing_source_is_listed_and_the_rest_answers() -> None:
    bad = StubSource("bad", dict(DUNE), fail=SourceFailure("bad", "timed out", "timeout"))
    crashing = StubSource("crash", dict(DUNE), fail=KeyError("boom"))
    result = await Aggregator([resolver(), bad, crashing]).rate("Dune", 2021)
    assert [r.source for r in result.ratings] == ["resolver"]
    assert {e.source: e.message for e in result.errors} == {"bad": "timed out", "crash": "unexpected error (KeyError)"}


async def test_all_failed_and_all_unauthorised_map_to_distinct_errors() -> None:
    down = SourceFailure("resolver", "service error (HTTP 503)", "unavailable")
    with pytest.raises(AllSourcesFailed):
        await Aggregator([resolver(fail=down)]).rate("Dune")
    denied = SourceFailure("resolver", "API key rejected", "auth")
    with pytest.raises(ConfigurationError) as info:
        await Aggregator([resolver(fail=denied)]).rate("Dune")
    assert info.value.exit_code == 3


async def test_not_found_and_invalid_input() -> None:
    with pytest.raises(NotFound):
        await Aggregator([resolver()]).rate("Nonexistent")
    with pytest.raises(InvalidQuery):
        await Aggregator([resolver()]).rate("   ")
    with pytest.raises(InvalidQuery):
        await Aggregator([resolver()]).rate("Dune", sources=["nope"])


async def test_unconfigured_source_is_a_configuration_error() -> None:
    agg = Aggregator([resolver()], unavailable={"tmdb": "set TMDB_API_KEY"})
    with pytest.raises(ConfigurationError, match="TMDB_API_KEY"):
        await agg.rate("Dune", sources=["tmdb"])


async def test_second_lookup_is_served_from_cache_without_calls() -> None:
    a = resolver()
    agg = Aggregator([a], cache=MemoryCache())
    first = await agg.rate("Dune", 2021)
    calls = len(a.calls)
    second = await agg.rate("dune", 2021)
    assert len(a.calls) == calls
    assert second.cached and not first.cached
    assert second.score == first.score and second.movie == first.movie
    third = await agg.rate("Dune", 2021, refresh=True)
    assert not third.cached and len(a.calls) == calls + 1  # identity still cached: one fetch


async def test_stale_answer_when_source_fails_after_expiry() -> None:
    a = resolver()
    cache = MemoryCache()
    agg = Aggregator([a], cache=cache, ratings_ttl=60)
    await agg.rate("Dune", 2021)
    key = cachekeys.ratings_key("resolver", "tt1160419")
    item = SourceData.from_dict(cachekeys.decode(cache.get(key)))
    old = SourceData(item.source, item.ratings, item.movie, utcnow() - timedelta(hours=2))
    cache.set(key, cachekeys.encode(old.to_dict()), 3600)
    a.fail = SourceFailure("resolver", "service error (HTTP 503)", "unavailable")
    result = await agg.rate("Dune", 2021)
    assert result.stale and not result.cached and result.score is not None
    assert "showing its answer from" in result.errors[0].message


async def test_broken_cache_and_recorder_never_stop_a_lookup(caplog: pytest.LogCaptureFixture) -> None:
    class Exploding:
        def record(self, entry: dict[str, object]) -> None:
            raise OSError("disk full")

    result = await Aggregator([resolver()], cache=Broken(), recorder=Exploding()).rate("Dune", 2021)
    assert result.score is not None
    assert "cache read failed" in caplog.text and "could not record" in caplog.text


async def test_identical_concurrent_lookups_share_one_fetch() -> None:
    a = resolver(delay=0.1)
    agg = Aggregator([a])
    results = await asyncio.gather(*(agg.rate("Dune", 2021) for _ in range(5)))
    assert len({r.score for r in results}) == 1
    assert a.calls.count("fetch:tt1160419") == 1


async def test_every_lookup_is_recorded_including_failures() -> None:
    rec = Recorder()
    agg = Aggregator([resolver()], recorder=rec)
    await agg.rate("Dune", 1984)
    with pytest.raises(NotFound):
        await agg.rate("Nothing Like It")
    assert [e["outcome"] for e in rec.entries] == ["ok", "not_found"]
    ok = rec.entries[0]
    assert ok["movie"]["imdb_id"] == "tt0087182"  # type: ignore[index]
    assert ok["observations"] and all(o["source"] == "resolver" for o in ok["observations"])  # type: ignore[union-attr]


async def test_rate_by_imdb_id_skips_title_matching() -> None:
    a = resolver()
    result = await Aggregator([a]).rate_imdb("tt0087182")
    assert result.movie.title == "Dune" and result.movie.year == 1984
    assert not any(c.startswith("search") for c in a.calls)
    with pytest.raises(NotFound):
        await Aggregator([resolver()]).rate_imdb("tt0000001")
    with pytest.raises(InvalidQuery):
        await Aggregator([resolver()]).rate_imdb("tt1")


async def test_without_a_year_the_namesakes_are_named_and_remembered() -> None:
    """'Dune' rates the likelier film and names the other; a cache hit still names it."""
    cache = MemoryCache()
    first = await Aggregator([resolver()], cache=cache).rate("Dune")
    other = next(i for i in DUNE if i != first.movie.imdb_id)
    assert [(m.year, m.imdb_id) for m in first.alternatives] == [(DUNE[other][1], other)]
    assert first.to_dict()["alternatives"] == [
        {"title": "Dune", "year": DUNE[other][1], "imdb_id": other, "tmdb_id": None}
    ]
    searching = resolver()
    again = await Aggregator([searching], cache=cache).rate("Dune")
    assert again.cached and searching.calls == []
    assert again.alternatives == first.alternatives


async def test_a_year_or_an_imdb_id_has_no_namesakes() -> None:
    agg = Aggregator([resolver()], cache=MemoryCache())
    assert (await agg.rate("Dune", 1984)).alternatives == ()
    assert (await agg.rate_imdb("tt0087182")).alternatives == ()
    assert (await agg.rate("Dune")).alternatives  # the title alone still has them


# ---------------------------------------------------------------------------- #11 item 5


async def test_a_search_answer_unlike_the_title_is_not_accepted() -> None:
    # A resolver that answers "The Matrix" with Blade Runner (any search answer used to be taken).
    blade = {"tt0083658": ("Blade Runner", 1982, 8.1, 800000)}

    class Loose(StubSource):
        async def search(self, query, limit=10):  # type: ignore[no-untyped-def]
            self.calls.append(f"search:{query.title}")
            return [c for c in await StubSource.search(self, Query("blade", None), limit)]

    from movieagg.core.models import Query

    with pytest.raises(NotFound):
        await Aggregator([Loose("tmdb", blade, can_search=True)]).rate("The Matrix")
    with pytest.raises(NotFound):
        await Aggregator([Loose("tmdb", blade, can_search=True)]).rate("Runner")
    found = await Aggregator([Loose("tmdb", blade, can_search=True)]).rate("Blade Runner")
    assert found.movie.imdb_id == "tt0083658" and found.errors == ()


async def test_when_the_first_resolver_answers_only_unlike_films_the_next_one_is_asked() -> None:
    blade = {"tt0083658": ("Blade Runner", 1982, 8.1, 800000)}
    matrix = {"tt0133093": ("The Matrix", 1999, 8.7, 2000000)}

    class Junk(StubSource):
        async def search(self, query, limit=10):  # type: ignore[no-untyped-def]
            self.calls.append(f"search:{query.title}")
            return [c for c in await StubSource.search(self, query.__class__("blade", None), limit)]

    first, second = Junk("tmdb", blade, can_search=True), StubSource("omdb", matrix, can_search=True)
    result = await Aggregator([first, second]).rate("The Matrix")
    assert result.movie.imdb_id == "tt0133093"
    assert "search:The Matrix" in second.calls


async def test_a_miss_suggests_the_nearest_films() -> None:
    blade = {"tt0083658": ("Blade Runner", 1982, 8.1, 800000)}
    with pytest.raises(NotFound) as caught:
        await Aggregator([StubSource("tmdb", blade, can_search=True)]).rate("Runner")
    assert [s.title for s in caught.value.suggestions] == ["Blade Runner"]
    assert "did you mean: Blade Runner (1982)" in str(caught.value)


async def test_titles_already_cached_are_suggested() -> None:
    matrix = {"tt0133093": ("The Matrix", 1999, 8.7, 2000000)}
    agg = Aggregator([StubSource("tmdb", matrix, can_search=True)], cache=MemoryCache())
    await agg.rate("The Matrix")
    with pytest.raises(NotFound) as caught:
        await agg.rate("the matrx")
    assert [(s.title, s.year, s.imdb_id) for s in caught.value.suggestions] == [("The Matrix", 1999, "tt0133093")]


# ---------------------------------------------------------------------------- match confidence


SOLARIS = {"tt0069293": ("Solaris", 1972, 8.0, 98000), "tt0307479": ("Solaris", 2002, 6.2, 93000)}


async def test_every_answer_says_how_sure_it_is_and_why() -> None:
    agg = Aggregator([resolver(), StubSource("other", dict(DUNE))], cache=MemoryCache())
    by_title = await agg.rate("Dune", 1984)
    assert by_title.match is not None and by_title.match.method == "title"
    assert by_title.match.confidence >= 0.95
    assert by_title.match.reasons[:2] == ('title "Dune" matches exactly', "released 1984, as asked")
    assert "2 sources report tt0087182" in by_title.match.reasons
    cached = await agg.rate("Dune", 1984)
    assert cached.cached and cached.match == by_title.match  # the evidence is kept with the identity
    by_id = await agg.rate("tt0087182")
    assert by_id.match is not None and (by_id.match.confidence, by_id.match.method) == (1.0, "imdb_id")
    assert by_id.to_dict()["match"]["method"] == "imdb_id"


async def test_resolvers_that_rank_different_films_first_make_the_answer_uncertain() -> None:
    first = StubSource("tmdb", dict(SOLARIS), can_search=True)  # 1972 first
    second = StubSource("omdb", dict(reversed(list(SOLARIS.items()))), can_search=True, label="OMDb")  # 2002 first
    result = await Aggregator([first, second]).rate("Solaris")
    assert result.movie.year == 1972
    assert result.match is not None and result.match.uncertain
    assert any("OMDb's search puts Solaris (2002) first" in r for r in result.match.reasons)
    assert "search:Solaris" in second.calls
    agreeing = StubSource("omdb", dict(SOLARIS), can_search=True, label="OMDb")
    sure = await Aggregator([StubSource("tmdb", dict(SOLARIS), can_search=True), agreeing]).rate("Solaris")
    assert sure.match is not None and not sure.match.uncertain
    assert "OMDb's search agrees" in sure.match.reasons
    with_year = StubSource("omdb", dict(SOLARIS), can_search=True)
    await Aggregator([StubSource("tmdb", dict(SOLARIS), can_search=True), with_year]).rate("Solaris", 1972)
    assert not any(c.startswith("search:") for c in with_year.calls)  # no second opinion needed


# ---------------------------------------------------------------------------- agreement


async def test_answers_carry_agreement_and_an_odd_outlier_lowers_confidence() -> None:
    crash = {"tt0375679": ("Crash", 2004, 7.7, 500000)}
    resolver_ = StubSource("tmdb", dict(crash), can_search=True, label="TMDB")
    agreeing = [StubSource(n, dict(crash)) for n in ("imdb", "trakt", "letterboxd")]
    # a source whose record of this IMDb id is another film: another year, a far rating
    odd = StubSource("metacritic", {"tt0375679": ("Crash", 1996, 3.0, 40)}, label="Odd")
    result = await Aggregator([resolver_, *agreeing, odd]).rate("Crash", 2004)
    assert result.agreement is not None and [o.source for o in result.agreement.outliers] == ["metacritic"]
    assert result.agreement.spread == 47.0
    assert result.match is not None and result.match.confidence < 0.8
    assert any("Odd" in r and "1996" in r and "2004" in r for r in result.match.reasons)
    assert result.to_dict()["agreement"]["outliers"][0]["name"] == "metacritic"


# ---------------------------------------------------------------------------- pins


async def test_a_pin_beats_every_resolver_and_every_cache_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from movieagg.core.pins import Pin, PinFile, Pins

    tmdb = StubSource("tmdb", dict(SOLARIS), can_search=True)
    book = PinFile(tmp_path / "pins.toml")
    agg = Aggregator([tmdb], cache=MemoryCache(), pins=Pins(book))
    assert (await agg.rate("Solaris")).movie.year == 1972  # resolved, and cached
    book.add(Pin("Solaris", None, "tt0307479"))
    pinned = await agg.rate("solaris")
    assert pinned.movie.imdb_id == "tt0307479" and pinned.movie.year == 2002
    assert pinned.match is not None and (pinned.match.confidence, pinned.match.method) == (1.0, "pin")
    assert pinned.match.reasons[0] == "pinned by you: “solaris” means tt0307479"
    assert pinned.query.title == "solaris" and pinned.alternatives == ()
    assert (await agg.rate("Solaris", 1972)).movie.imdb_id == "tt0069293"  # a year is the user's word too
    book.remove("Solaris", None)
    assert (await agg.rate("Solaris")).movie.year == 1972


# ---------------------------------------------------------------------------- #13's searches under #11/#12's rules


async def test_the_second_opinion_and_suggestions_respect_the_selected_sources() -> None:
    """--source limits every request (#12): the second opinion on an ambiguous title and the "did
    you mean" searches (#13) ask only the selected sources."""
    tmdb = StubSource("tmdb", dict(SOLARIS), can_search=True)
    omdb = StubSource("omdb", dict(reversed(list(SOLARIS.items()))), can_search=True, label="OMDb")
    agg = Aggregator([tmdb, omdb])
    result = await agg.rate("Solaris", sources=["tmdb"])
    assert result.movie.year == 1972 and omdb.calls == []
    assert result.match is not None and not any("OMDb" in r for r in result.match.reasons)
    with pytest.raises(NotFound):
        await agg.rate("Solaaris Qq", sources=["tmdb"])
    assert omdb.calls == []  # no word search, no prefix search on a source not selected
    await agg.rate("Solaris")  # both selected: OMDb gives its opinion
    assert "search:Solaris" in omdb.calls


async def test_a_tmdb_link_is_resolved_only_by_the_selected_sources() -> None:
    tmdb = StubSource("tmdb", dict(DUNE), can_search=True)
    omdb = StubSource("omdb", dict(DUNE))
    with pytest.raises(NotFound):
        await Aggregator([tmdb, omdb]).rate("https://www.themoviedb.org/movie/841-dune", sources=["omdb"])
    assert tmdb.calls == []


async def test_the_next_resolver_after_unlike_films_is_asked_through_the_lookups_rules() -> None:
    """When the first resolver answers only unlike films (#13) the next one is asked within the
    lookup's deadline and past its breaker (#11): a hung one costs the deadline once, an open
    breaker costs nothing, and neither is asked again in the lookup."""
    blade = {"tt0083658": ("Blade Runner", 1982, 8.1, 800000)}
    matrix = {"tt0133093": ("The Matrix", 1999, 8.7, 2000000)}

    class Junk(StubSource):
        async def search(self, query, limit=10):  # type: ignore[no-untyped-def]
            self.calls.append(f"search:{query.title}")
            return [c for c in await StubSource.search(self, query.__class__("blade", None), limit)]

    junk = Junk("tmdb", blade, can_search=True)
    hung = StubSource("omdb", matrix, can_search=True, delay=30)
    agg = Aggregator([junk, hung], deadline=0.6, breaker_failures=1, breaker_cooldown=60)
    started = time.perf_counter()
    with pytest.raises(NotFound):
        await agg.rate("The Matrix")
    assert time.perf_counter() - started < 5  # the deadline, not the hung source's 30 s
    assert hung.calls == ["search:The Matrix"]  # timed out once; not asked again for suggestions
    hung.calls.clear()
    with pytest.raises(NotFound):
        await agg.rate("The Matrix", year=1999)
    assert hung.calls == []  # its breaker is open: skipped at once


# ---------------------------------------------------------------------------- rate_cached (#14 under #13)


def _cached_agg(tmp_path, recorder: Recorder | None = None):  # type: ignore[no-untyped-def]
    from movieagg.core.pins import PinFile, Pins

    tmdb = StubSource("tmdb", {**DUNE, **SOLARIS}, can_search=True, label="TMDB")
    omdb = StubSource("omdb", {**DUNE, **SOLARIS}, label="OMDb")
    book = PinFile(tmp_path / "pins.toml")
    agg = Aggregator([tmdb, omdb], cache=MemoryCache(), recorder=recorder, pins=Pins(book))
    return agg, book, [tmdb, omdb]


@pytest.mark.parametrize(
    ("text", "year", "weights"),
    [
        ("Dune", 1984, None),
        ("Dune (2021)", None, None),
        ("dune", "1984", None),  # the year as text, validated by the core as for every face
        ("tt0087182", None, None),
        ("https://www.imdb.com/title/tt1160419/", None, None),
        ("Solaris", None, "critics=0.5,audience=2"),  # the user's weights over the defaults
    ],
)
async def test_rate_cached_is_rates_answer_from_the_cache_alone(tmp_path, text, year, weights) -> None:  # type: ignore[no-untyped-def]
    """Phase 1 alone, with no event loop needed: the same answer as :meth:`rate` on a hit —
    the query parsed, the match's confidence and the ratings' agreement included — and a miss
    is None, asking nothing."""
    recorder = Recorder()
    agg, _, sources = _cached_agg(tmp_path, recorder)
    assert agg.rate_cached(text, year, weights=weights) is None  # nothing cached yet
    assert all(s.calls == [] for s in sources) and recorder.entries == []
    await agg.rate(text, year, weights=weights)
    hit = await agg.rate(text, year, weights=weights)
    assert hit.cached
    calls = [list(s.calls) for s in sources]
    cached = agg.rate_cached(text, year, weights=weights)
    assert cached is not None and cached.to_dict() == hit.to_dict()
    assert cached.match is not None and cached.agreement is not None
    assert [s.calls for s in sources] == calls  # nothing asked
    assert recorder.entries[-1]["cached"] is True and recorder.entries[-1]["query"] == hit.query.to_dict()


async def test_rate_cached_applies_pins_before_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from movieagg.core.pins import Pin

    agg, book, _ = _cached_agg(tmp_path)
    await agg.rate("Solaris")  # the title's identity (1972) is cached
    book.add(Pin("Solaris", None, "tt0307479"))
    assert agg.rate_cached("Solaris") is None  # the pinned film's ratings are not cached: rate() asks
    await agg.rate("Solaris")
    pinned = await agg.rate("Solaris")  # now from the cache
    cached = agg.rate_cached("Solaris")
    assert cached is not None and cached.movie.imdb_id == "tt0307479"
    assert cached.match is not None and cached.match.method == "pin"
    assert cached.to_dict() == pinned.to_dict()


async def test_rate_cached_raises_for_invalid_input_without_recording_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    agg, _, _ = _cached_agg(tmp_path, recorder)
    for args, kwargs in (
        (("Dune", "١٩٨٤"), {}),
        (("Dune (1984)", 2021), {}),
        (("tt٠٠٨٧١٨٢",), {}),
        (("https://www.imdb.com/title/tt01/",), {}),
        (("Dune",), {"weights": "imdb=lots"}),
        (("Dune",), {"sources": ["nosuch"]}),
    ):
        with pytest.raises(InvalidQuery):
            agg.rate_cached(*args, **kwargs)
    assert recorder.entries == []  # rate() records it, once
