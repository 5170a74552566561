"""The circuit breaker per source: closed → open after N failures → half-open probe → closed."""

from __future__ import annotations

import re

from movieagg.core.breaker import Breakers
from movieagg.core.errors import SourceFailure

DOWN = SourceFailure("tmdb", "timed out after 10s", "timeout")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breakers(threshold: int = 3, cooldown: float = 30.0) -> tuple[Breakers, Clock]:
    clock = Clock()
    return Breakers(threshold, cooldown, clock=clock, wall_clock=lambda: 1_700_000_000.0 + clock.now), clock


def test_opens_after_consecutive_failures_and_says_since_when_and_until_when() -> None:
    b, clock = breakers()
    for _ in range(2):
        assert b.skip("tmdb") is None
        b.record("tmdb", DOWN)
    assert b.skip("tmdb") is None  # two failures: still closed
    b.record("tmdb", DOWN)
    clock.now += 5
    skipped = b.skip("tmdb")
    assert skipped is not None and skipped.kind == "unavailable"
    assert re.fullmatch(r"skipped — failing since \d\d:\d\d:\d\d UTC; next try in 25 s", skipped.message)


def test_a_success_resets_the_count() -> None:
    b, _ = breakers()
    b.record("tmdb", DOWN)
    b.record("tmdb", DOWN)
    b.record("tmdb", None)
    b.record("tmdb", DOWN)
    assert b.skip("tmdb") is None and not b.is_open("tmdb")


def test_half_open_lets_one_probe_through_then_closes_on_success() -> None:
    b, clock = breakers(threshold=1, cooldown=30)
    b.record("tmdb", DOWN)
    clock.now += 31
    assert b.skip("tmdb") is None  # the probe
    other = b.skip("tmdb")  # a concurrent lookup while the probe is out
    assert other is not None and "being retried now" in other.message
    b.record("tmdb", None)
    assert not b.is_open("tmdb") and b.skip("tmdb") is None


def test_a_failed_probe_opens_for_another_cooldown() -> None:
    b, clock = breakers(threshold=1, cooldown=30)
    b.record("tmdb", DOWN)
    clock.now += 31
    assert b.skip("tmdb") is None
    b.record("tmdb", DOWN)
    skipped = b.skip("tmdb")
    assert skipped is not None and "next try in 30 s" in skipped.message


def test_a_cancelled_probe_lets_the_next_caller_probe() -> None:
    b, clock = breakers(threshold=1, cooldown=30)
    b.record("tmdb", DOWN)
    clock.now += 31
    assert b.skip("tmdb") is None
    b.abandon("tmdb")
    assert b.skip("tmdb") is None


def test_answers_that_cost_no_time_do_not_count() -> None:
    """A 404, a garbled body or a rejected key mean the service answers: no reason to skip it."""
    b, _ = breakers(threshold=1)
    for kind in ("malformed", "http", "auth", "quota"):
        b.record("omdb", SourceFailure("omdb", "x", kind))
        assert not b.is_open("omdb")
