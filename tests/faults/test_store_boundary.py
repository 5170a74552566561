"""Values past the store's columns stop at the adapters: a lookup whose sources send them is
still recorded in PostgreSQL (INTEGER is 32-bit), with the drops listed in its errors."""

from __future__ import annotations

import pytest

from bench.fakeapi import FakeAPI
from movieagg.api import arate
from movieagg.store.sql import SQLStore


@pytest.mark.parametrize("faulty", ["tmdb", "wikidata"])
async def test_ids_and_counts_past_int4_never_reach_postgresql(
    pg_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, faulty: str
) -> None:
    # TMDB sends an id of 99999999999; Wikidata (anyone can edit it) a review count of 99999999999.
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", pg_url)
    monkeypatch.setenv("MOVIEAGG_SOURCES", "tmdb,omdb,wikidata")
    fake.set_faults(**{faulty: "out_of_range"})
    result = await arate("Blade Runner", 1982, use_cache=False)
    assert any(e.source == faulty and "out of range" in e.message for e in result.errors)
    store = SQLStore(pg_url)
    try:
        (entry,) = [e for e in store.searches(10) if e["query"]["title"] == "Blade Runner"]
        assert entry["outcome"] == "ok"
        observed = store.history("tt0083658")
        assert observed and all(o["votes"] is None or 0 <= o["votes"] < 2**31 for o in observed)
    finally:
        store.close()
