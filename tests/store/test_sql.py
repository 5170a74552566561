"""SQLStore on SQLite and a real PostgreSQL: idempotent batched writes, history, search log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bench.fakeapi import OMDB_KEY, TMDB_KEY, TMDB_TOKEN, FakeAPI
from movieagg.api import arate
from movieagg.core.config import Settings
from movieagg.store.sql import SQLStore, safe_url
from tests.store.records import record


@pytest.fixture
def store(db_url: str) -> Iterator[SQLStore]:
    s = SQLStore(db_url)
    yield s
    s.close()


def test_write_is_idempotent_by_record_id(store: SQLStore) -> None:
    batch = [record(at="2026-01-01T00:00:00Z"), record("Up", "tt1049413", "2026-01-02T00:00:00Z", 8.3)]
    assert store.write(batch) == 2
    assert store.write(batch) == 0  # a retried flush (commit happened, file not yet deleted)
    assert store.write([batch[0], batch[0], record()]) == 1
    assert store.counts() == {"films": 2, "lookups": 3, "rating_observations": 6}


def test_history_oldest_first_and_limited_to_the_newest(store: SQLStore) -> None:
    for day, value in ((3, 8.6), (1, 8.4), (2, 8.5)):
        store.write([record(at=f"2026-01-0{day}T12:00:00Z", value=value)])
    store.write([record("Up", "tt1049413", "2026-01-04T00:00:00Z", 8.3)])
    imdb = [(o["fetched_at"], o["value"]) for o in store.history("tt0133093") if o["name"] == "imdb"]
    assert imdb == [
        ("2026-01-01T12:00:00Z", 8.4),
        ("2026-01-02T12:00:00Z", 8.5),
        ("2026-01-03T12:00:00Z", 8.6),
    ]
    newest = store.history("tt0133093", limit=2)
    assert [o["fetched_at"] for o in newest] == ["2026-01-03T12:00:00Z"] * 2
    assert store.history("tt9999999") == []


def test_history_of_a_film_known_only_by_tmdb_id(store: SQLStore) -> None:
    store.write([record("Obscure", None, tmdb_id=777, value=6.0)])
    assert store.history("tt0000000") == []
    assert [o["value"] for o in store.history("tt0000000", tmdb_id=777) if o["name"] == "imdb"] == [6.0]


def test_cached_lookups_are_logged_without_observations(store: SQLStore) -> None:
    store.write([record(at="2026-01-01T00:00:00Z")])
    store.write([record(at="2026-01-01T00:05:00Z", cached=True)])
    store.write([record("Nothing Like This", None, "2026-01-01T00:06:00Z", outcome="not_found")])
    log = store.searches(limit=10)
    assert [(e["query"]["title"], e["cached"], e["outcome"]) for e in log] == [
        ("Nothing Like This", False, "not_found"),
        ("The Matrix", True, "ok"),
        ("The Matrix", False, "ok"),
    ]
    assert log[0]["movie"] is None and log[0]["errors"][0]["message"] == "no film matches"
    assert log[1]["movie"]["imdb_id"] == "tt0133093" and log[1]["score"] == 87.0
    assert len(store.history("tt0133093")) == 2  # only the fresh lookup's two ratings
    assert len(store.searches(limit=1)) == 1


def test_find_film_by_title_original_title_and_year(store: SQLStore) -> None:
    store.write(
        [
            record("Dune", "tt0087182", year=1984, tmdb_id=841),
            record("Dune", "tt1160419", "2026-01-05T00:00:00Z", year=2021, tmdb_id=438631),
            record("Spirited Away", "tt0245429", year=2001, original_title="千と千尋の神隠し"),
        ]
    )
    assert [f["year"] for f in store.find_film("dune")] == [2021, 1984]  # most recently seen first
    assert [f["imdb_id"] for f in store.find_film("DUNE", 1984)] == ["tt0087182"]
    assert [f["imdb_id"] for f in store.find_film("Dune", 1985)] == ["tt0087182"]  # ±1
    assert store.find_film("千と千尋の神隠し")[0]["title"] == "Spirited Away"
    assert store.find_film("Dune 2") == []
    assert store.film("tt0245429")["original_title"] == "千と千尋の神隠し"  # type: ignore[index]


def test_an_older_record_never_overwrites_a_newer_film(store: SQLStore) -> None:
    store.write([record("The Matrix", at="2026-03-01T00:00:00Z")])
    store.write([record("Matrix (old name)", at="2026-01-01T00:00:00Z")])  # a late outbox flush
    assert store.film("tt0133093")["title"] == "The Matrix"  # type: ignore[index]
    store.write([record("The Matrix (1999)", at="2026-04-01T00:00:00Z")])
    assert store.film("tt0133093")["title"] == "The Matrix (1999)"  # type: ignore[index]


def test_big_batch_in_one_write(store: SQLStore) -> None:
    batch = [record(f"Film {i}", f"tt{1000000 + i}", value=5 + i % 5) for i in range(1200)]
    assert store.write(batch) == 1200
    assert store.counts() == {"films": 1200, "lookups": 1200, "rating_observations": 2400}


def test_database_url_password_is_never_shown() -> None:
    url = "postgresql+psycopg://movieagg:pa55-w0rd-secret@db.example:5432/movies"
    assert "pa55-w0rd-secret" not in safe_url(url)
    assert "***" in safe_url(url)
    assert "pa55-w0rd-secret" not in repr(SQLStore(url))


async def test_no_secret_in_any_row(db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", db_url)
    monkeypatch.setenv("TMDB_ACCESS_TOKEN", TMDB_TOKEN)
    monkeypatch.setenv("MOVIEAGG_REDIS_TOKEN", "redis-token-not-for-rows")
    for title in ("The Matrix", "Amélie", "Up", "The Matrix"):
        await arate(title)
    fake.state.fail = {"omdb"}
    await arate("Blade Runner")
    store = SQLStore(db_url)
    try:
        assert store.counts()["lookups"] == 5
        with store.engine.connect() as conn:
            dump = "\n".join(
                repr(tuple(row))
                for table in ("films", "lookups", "rating_observations")
                for row in conn.execute(text(f"SELECT * FROM {table}"))
            )
    finally:
        store.close()
    assert "tt0133093" in dump and "omdb" in dump
    for secret in (TMDB_KEY, OMDB_KEY, TMDB_TOKEN, "redis-token-not-for-rows", "apikey=", "api_key="):
        assert secret not in dump
    assert Settings.from_env().database_url == db_url


# ----------------------------------------------------------------------- values where they enter

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER: every integer column of the schema


def _bad_numbers() -> dict[str, object]:
    entry = record("Out of Range", "tt7777777", tmdb_id=99_999_999_999, year=10**12)
    entry["query"] = {"title": "Out of Range", "year": -(2**40)}
    entry["score"] = float("nan")
    entry["observations"][0]["votes"] = 99_999_999_999  # a Wikidata review count gone wrong
    entry["observations"][1]["votes"] = 2**70  # beyond even SQLite's 64 bits
    return entry


def test_out_of_range_integers_never_reach_a_column(store: SQLStore) -> None:
    """A TMDB id or a vote count of 99999999999 fails PostgreSQL's INTEGER (DataError) and, past
    2**63, SQLite's binding (OverflowError): the store keeps such values out (NULL), the rest of
    the record is written, and both databases agree."""
    assert store.write([_bad_numbers(), record("Up", "tt1049413")]) == 2
    (entry,) = [e for e in store.searches() if e["query"]["title"] == "Out of Range"]
    assert entry["movie"]["tmdb_id"] is None and entry["movie"]["year"] is None
    assert entry["query"]["year"] is None and entry["score"] is None
    votes = [o["votes"] for o in store.history("tt7777777")]
    assert votes == [None, None]
    assert store.film("tt7777777") == {**store.film("tt7777777"), "tmdb_id": None, "year": None}  # type: ignore[dict-item]
    assert store.write([record("Edge", "tt7777778", tmdb_id=INT_MAX, year=2001)]) == 1
    assert store.film("tt7777778")["tmdb_id"] == INT_MAX  # type: ignore[index]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda e: e.pop("id"), "malformed"),
        (lambda e: e.update(at="yesterday"), "malformed"),
        (lambda e: e.update(observations="none"), "malformed"),
        (lambda e: e["observations"][0].pop("value"), "malformed"),
        (lambda e: e["observations"][0].update(value=float("inf")), "invalid_value"),
        (lambda e: e["observations"][0].update(scale="ten"), "malformed"),
        (lambda e: e.update(at="0001-01-01T00:00:00+14:00"), "malformed"),
    ],
)
def test_a_record_the_store_cannot_hold_is_rejected_with_its_reason(
    store: SQLStore, damage: object, reason: str
) -> None:
    from movieagg.core.errors import RecordRejected

    entry = record("Broken")
    damage(entry)  # type: ignore[operator]
    with pytest.raises(RecordRejected) as caught:
        store.write([entry])
    assert caught.value.reason == reason
    assert store.counts()["lookups"] == 0  # nothing half-written
