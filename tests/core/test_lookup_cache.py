"""Cache entries are untrusted input: a forged or corrupt one is a miss, never an answer."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from movieagg._jsonout import write_json
from movieagg.cache.memory import MemoryCache
from movieagg.core import cachekeys
from movieagg.core.aggregator import Aggregator
from movieagg.core.lookup_cache import LookupCache
from movieagg.core.models import Movie, Query, Rating, SourceData, iso, utcnow
from tests.core.fakes import StubSource

DUNE = {"tt0087182": ("Dune", 1984, 6.3, 169000)}
MOVIE = Movie("Dune", 1984, "tt0087182")


def good_entry() -> dict[str, Any]:
    rating = Rating("resolver", "RESOLVER", 6.3, 10.0, 169000, "resolver")
    return SourceData("resolver", (rating,), MOVIE).to_dict()


def forged(change: dict[str, Any], where: str = "rating") -> dict[str, Any]:
    entry = good_entry()
    target = entry["ratings"][0] if where == "rating" else entry["movie"] if where == "movie" else entry
    target.update(change)
    return entry


FORGERIES = {
    "value Infinity": forged({"value": float("inf")}),
    "value NaN": forged({"value": float("nan")}),
    "value past its scale": forged({"value": 11.0}),
    "negative value": forged({"value": -1.0}),
    "scale zero": forged({"scale": 0.0}),
    "value as text": forged({"value": "8.1"}),
    "votes past int4": forged({"votes": 99_999_999_999}),
    "negative votes": forged({"votes": -5}),
    "votes as float": forged({"votes": 1.5}),
    "a 10,000-character label": forged({"label": "x" * 10_000}),
    "weight Infinity": forged({"weight": float("inf")}),
    "tmdb id past int4": forged({"tmdb_id": 99_999_999_999}, "movie"),
    "year 99999": forged({"year": 99_999}, "movie"),
    "imdb id not an id": forged({"imdb_id": "tt0087182; DROP"}, "movie"),
    "poster not a URL": forged({"poster_url": "javascript:alert(1)"}, "movie"),
    "fetched in the future (fresh forever)": forged({"fetched_at": iso(utcnow() + timedelta(days=400))}, "top"),
    "fetched_at without a zone": forged({"fetched_at": "2024-01-01T00:00:00"}, "top"),
    "ratings not a list": forged({"ratings": {"0": 1}}, "top"),
    "a rating that is a string": forged({"ratings": ["imdb 8.1"]}, "top"),
}


def raw_json(entry: dict[str, Any]) -> bytes:
    """As a forger would write it: Python's json writes NaN/Infinity literals, which it also reads."""
    return json.dumps(entry).encode()


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_ratings_entry_is_a_miss(name: str) -> None:
    cache = MemoryCache()
    cache.set(cachekeys.ratings_key("resolver", "tt0087182"), raw_json(FORGERIES[name]), 60)
    fresh, stale = LookupCache(cache, identity_ttl=60, ratings_ttl=60).ratings(MOVIE, ["resolver"])
    assert fresh == {} and stale == {}


def test_the_untouched_entry_is_a_hit() -> None:
    cache = MemoryCache()
    cache.set(cachekeys.ratings_key("resolver", "tt0087182"), raw_json(good_entry()), 60)
    fresh, _ = LookupCache(cache, identity_ttl=60, ratings_ttl=60).ratings(MOVIE, ["resolver"])
    assert list(fresh) == ["resolver"]


@pytest.mark.parametrize(
    "change",
    [{"title": "x" * 10_000}, {"year": 99_999}, {"tmdb_id": -3}, {"cached_at": iso(utcnow() + timedelta(days=400))},
     {"alternatives": [{"title": "Dune", "year": 1984}] * 1000}, {"title": None}],
)  # fmt: skip
def test_a_forged_identity_entry_is_a_miss(change: dict[str, Any]) -> None:
    cache = MemoryCache()
    entry = {**MOVIE.to_dict(), "cached_at": iso(utcnow()), **change}
    cache.set(cachekeys.identity_key("Dune", 1984), raw_json(entry), 60)
    assert LookupCache(cache, identity_ttl=60, ratings_ttl=60).identity(Query("Dune", 1984)) is None


def test_a_bad_entry_is_logged_once_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    cache = MemoryCache()
    cache.set(cachekeys.ratings_key("resolver", "tt0087182"), raw_json(FORGERIES["value Infinity"]), 60)
    lookups = LookupCache(cache, identity_ttl=60, ratings_ttl=60)
    with caplog.at_level(logging.DEBUG, logger="movieagg"):
        for _ in range(3):
            lookups.ratings(MOVIE, ["resolver"])
    lines = [r for r in caplog.records if "cache entry" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG


async def test_a_forged_infinity_never_reaches_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    """Once: a forged value made `--json` print Infinity (invalid JSON) and /api/rate a 500."""
    cache = MemoryCache()
    agg = Aggregator([StubSource("resolver", dict(DUNE), can_search=True)], cache=cache)
    await agg.rate("Dune", 1984)
    cache.set(cachekeys.ratings_key("resolver", "tt0087182"), raw_json(FORGERIES["value Infinity"]), 60)
    result = await agg.rate("Dune", 1984)
    assert [r.value for r in result.ratings] == [6.3]  # asked again: the entry was a miss
    write_json(result.to_dict())
    json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


def test_json_output_refuses_non_finite_numbers() -> None:
    """A bug can never print invalid JSON: it fails loudly (exit 70) instead."""
    with pytest.raises(ValueError):
        write_json({"score": float("nan")})
    with pytest.raises(ValueError):
        cachekeys.encode({"value": float("inf")})


def test_forged_known_titles_are_left_out_of_suggestions() -> None:
    """The "did you mean" index (#13) is a cache entry like any other (#11): rows checked on read."""
    cache = MemoryCache()
    lookups = LookupCache(cache, identity_ttl=60, ratings_ttl=60)
    lookups.remember_title(MOVIE)
    key = cachekeys.titles_key("Dune")
    rows = json.loads(cache.get(key) or b"[]")
    rows += [["x" * 10_000, 1984, "tt0000001"], ["Dune", 99_999, "tt0000002"], ["Dune", 1984, "tt0087182; DROP"],
             ["Dune", True, "tt0000003"]]  # fmt: skip
    cache.set(key, json.dumps(rows).encode(), 60)
    assert [(m.title, m.year, m.imdb_id) for m in lookups.known_titles()] == [("Dune", 1984, "tt0087182")]


def test_the_imdb_id_of_a_tmdb_id_is_read_from_the_cache_alone() -> None:
    lookups = LookupCache(MemoryCache(), identity_ttl=3600.0, ratings_ttl=3600.0)
    assert lookups.imdb_of_tmdb(841) is None
    lookups.put_tmdb_identity(841, Movie("Dune", 1984, "tt0087182", tmdb_id=841))
    assert lookups.imdb_of_tmdb(841) == "tt0087182"
    lookups.put_tmdb_identity(842, Movie("Unreleased", 2027, None, tmdb_id=842))
    assert lookups.imdb_of_tmdb(842) is None  # no IMDb id yet: a source must be asked
