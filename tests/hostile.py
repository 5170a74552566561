"""Hostile upstream data for the fault tests: a film whose text carries terminal escapes and
spreadsheet formulas, served by its own instance of the fake upstream (bench/fakeapi.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.fakeapi import FakeAPI
from bench.films import FILMS

ESCAPES = ("\x1b", "\x07", "\x9b", "\x08", "\r")  # none of these may reach a terminal raw

HOSTILE_FILM: dict[str, Any] = {
    "imdb": "tt9000001",
    "tmdb": 9000001,
    "qid": "Q99000001",
    "title": "Red Alert\x1b[31m!\x1b[0m\x07\x9b2J",
    "original": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "year": 2001,
    "runtime": 90,
    "director": "\x1b]0;owned\x07Evil \x1b[2JDirector\r",
    "imdb_rating": 7.1,
    "imdb_votes": 12345,
    "rt": 70,
    "mc": 60,
    "tmdb_avg": 7.0,
    "tmdb_votes": 1000,
    "popularity": 10.0,
    "alt_titles": (),
}
FORMULA_FILM: dict[str, Any] = {
    **HOSTILE_FILM,
    "imdb": "tt9000002",
    "tmdb": 9000002,
    "qid": "Q99000002",
    "title": "=cmd|' /C calc'!A0",
    "original": None,
    "director": "@SUM(1+1)",
}


@pytest.fixture
def hostile_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAPI]:
    """The fake upstream with the hostile films added, configured in the environment."""
    with FakeAPI(films=[*FILMS, HOSTILE_FILM, FORMULA_FILM]) as fake:
        for k, v in fake.env.items():
            monkeypatch.setenv(k, v)
        yield fake


def raw_escapes(text: str) -> list[str]:
    return [c for c in ESCAPES if c in text]
