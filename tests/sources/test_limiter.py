"""Per-source rate limits: parsing, the sliding-window limiter, and against the local fake."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bench.fakeapi import FakeAPI
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import ConfigurationError, SourceFailure
from movieagg.core.models import Movie
from movieagg.sources._http import HttpClient
from movieagg.sources.limiter import RateLimited, RateLimiter
from movieagg.sources.limits import Limit, describe, limits_from_settings, parse_limit
from movieagg.sources.registry import TRAKT, default_limits
from movieagg.sources.tmdb import TMDBSource


def test_parse_limit() -> None:
    assert parse_limit("40/1s") == Limit(40, 1.0)
    assert parse_limit("40/s") == Limit(40, 1.0)
    assert parse_limit("1000/5m") == Limit(1000, 300.0)
    assert parse_limit("10/500ms") == Limit(10, 0.5)
    assert parse_limit("off") is None and parse_limit("0") is None
    with pytest.raises(ConfigurationError):
        parse_limit("fast please")


def test_limits_from_settings_overrides_and_adds() -> None:
    settings = Settings.from_env(
        {
            "MOVIEAGG_TMDB_RATE_LIMIT": "20/1s",
            "MOVIEAGG_WIKIDATA_RATE_LIMIT": "off",
            "MOVIEAGG_MYPLUGIN_CONCURRENCY": "2",
        },
        read_file=False,
    )
    limits = limits_from_settings(settings, default_limits())
    assert limits["tmdb"] == Limit(20, 1.0)
    assert "wikidata" not in limits
    assert limits["myplugin"].concurrency == 2
    assert limits["trakt"] == TRAKT.rate_limit
    with pytest.raises(ConfigurationError):
        limits_from_settings(Settings.from_env({"MOVIEAGG_TMDB_CONCURRENCY": "-1"}, read_file=False), {})


async def test_limiter_never_exceeds_window_with_virtual_clock() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(5, 1.0, margin=0.0, smooth=False), clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(23):
        await limiter.acquire()
        sent.append(now[0])
    for i in range(len(sent) - 5):
        assert sent[i + 5] - sent[i] >= 1.0 - 1e-9  # any 6 consecutive span at least the window
    assert sent[4] == 0.0 and sent[5] == pytest.approx(1.0)
    limiter.penalize(3.0)
    await limiter.acquire()
    assert now[0] >= sent[-1] + 3.0 - 1e-9


async def test_a_late_answer_holds_back_the_request_a_window_later() -> None:
    """A request that reached the service late (its answer came late) still bounds the window."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(3, 1.0, margin=0.0, smooth=False), clock=lambda: now[0], sleep=sleep)
    first = await limiter.acquire()
    now[0] = 0.3  # the first request's send was held back: its answer came at 0.3 s
    limiter.answered(first)
    for _ in range(2):
        limiter.answered(await limiter.acquire())
    await limiter.acquire()  # the 4th: one period after the first *answer*, not its send
    assert now[0] == pytest.approx(1.3)


async def test_a_window_counts_from_half_the_fastest_round_trip_before_the_answer() -> None:
    """The service counted a request before its answer came back: at the latest half the
    fastest round trip before it. Counting from the answer itself cost ~5% of the rate."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(3, 1.0, margin=0.0, smooth=False), clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        record = await limiter.acquire()
        now[0] += 0.1  # every round trip 100 ms
        limiter.answered(record)
    await limiter.acquire()  # the 4th: first answered at 0.1, counted by 0.05, so at 1.05
    assert now[0] == pytest.approx(1.05)


async def test_smooth_limit_spreads_requests_evenly() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(40, 1.0), clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(81):
        await limiter.acquire()
        sent.append(now[0])
    assert all(b - a == pytest.approx(1.02 / 40) for a, b in itertools.pairwise(sent))
    assert Limit(40, 1.0).rate == pytest.approx(40 / 1.02)


async def test_late_wake_ups_are_made_up_without_breaking_the_window() -> None:
    """A busy loop wakes the limiter late; the schedule catches up, the window still holds."""
    import random

    rng = random.Random(7)
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds + rng.choice([0.0, 0.0, 0.002, 0.03])  # sometimes late, once in a while very

    limit = Limit(10, 1.0)
    limiter = RateLimiter(limit, clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(300):
        await limiter.acquire()
        sent.append(now[0])
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= limit.interval / 2 - 1e-9
    assert all(sent[i + 10] - sent[i] >= 1.02 - 1e-9 for i in range(len(sent) - 10))
    # Lateness does not accumulate: 300 requests take about 299 intervals, not 299 × (interval + lateness).
    assert sent[-1] < 299 * limit.interval * 1.02


async def test_min_interval_and_concurrency_cap() -> None:
    limiter = RateLimiter(Limit(100, 1.0, min_interval=0.02, concurrency=2))
    inflight = peak = 0
    starts: list[float] = []

    async def one() -> None:
        nonlocal inflight, peak
        async with limiter.slot():
            starts.append(time.monotonic())
            inflight += 1
            peak = max(peak, inflight)
            await asyncio.sleep(0.01)
            inflight -= 1

    await asyncio.gather(*(one() for _ in range(10)))
    assert peak <= 2
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.018


async def test_tmdb_requests_are_spaced_against_the_fake(fake: FakeAPI) -> None:
    """60 concurrent TMDB lookups, limit 20/s, fake rejects above 20/s: no 429 at all."""
    fake.state.tmdb_rps = 20
    fake.state.rejected.clear()
    fake.state.arrivals.pop("tmdb", None)
    http = HttpClient(5.0, limits={"tmdb": Limit(20, 1.0)})
    tmdb = TMDBSource(http, fake.env["MOVIEAGG_TMDB_URL"], api_key=Secret(fake.env["TMDB_API_KEY"]))
    started = time.monotonic()
    results = await asyncio.gather(*(tmdb.fetch(Movie("x", tmdb_id=603)) for _ in range(60)))
    elapsed = time.monotonic() - started
    await http.aclose()
    assert all(r is not None for r in results)
    assert fake.state.rejected["tmdb"] == 0
    arrivals = list(fake.state.arrivals["tmdb"])
    assert len(arrivals) == 60
    # Measured at the server: never more than 20 requests in any one-second window.
    assert max(sum(1 for t in arrivals if a <= t < a + 1.0) for a in arrivals) <= 20
    # …and not needlessly slow: 60 requests at 20/s (2% margin) take ~2.1 s; the upper bound
    # leaves room for a loaded 2-core CI machine (3.6 s seen) while still catching a limiter
    # that throttles far below its rate.
    assert 1.9 < elapsed < 5.0


async def test_429_pauses_the_source_then_resumes(fake: FakeAPI) -> None:
    """Without a client limit the fake answers 429 + Retry-After; every request still succeeds."""
    fake.state.tmdb_rps = 10
    fake.state.rejected.clear()
    http = HttpClient(5.0, max_attempts=5, limits={"tmdb": Limit(1000, 1.0)})
    tmdb = TMDBSource(http, fake.env["MOVIEAGG_TMDB_URL"], api_key=Secret(fake.env["TMDB_API_KEY"]))
    results = await asyncio.gather(*(tmdb.fetch(Movie("x", tmdb_id=603)) for _ in range(15)))
    await http.aclose()
    assert all(r is not None for r in results)
    assert fake.state.rejected["tmdb"] >= 1
    assert http.limiters["tmdb"].penalties >= 1


async def test_a_long_block_fails_fast_instead_of_holding_up_a_lookup(fake: FakeAPI) -> None:
    """Blocked for 5 minutes (a 429's Retry-After: 300): one lookup reports it at once."""
    http = HttpClient(5.0, limits={"tmdb": Limit(40, 1.0)}, max_queue_wait=5.0)
    tmdb = TMDBSource(http, fake.env["MOVIEAGG_TMDB_URL"], api_key=Secret(fake.env["TMDB_API_KEY"]))
    http.limiters["tmdb"].penalize(300)
    started = time.monotonic()
    with pytest.raises(SourceFailure) as failure:
        await tmdb.fetch(Movie("x", tmdb_id=603))
    await http.aclose()
    assert time.monotonic() - started < 3.0  # not the 5 s it may queue, let alone 300
    assert failure.value.kind == "quota"
    assert failure.value.message == "over its rate limit; next request possible in 300s"
    assert fake.counts().get("tmdb", 0) == 0


async def test_slot_gives_up_after_its_longest_wait() -> None:
    limiter = RateLimiter(Limit(100, 1.0, concurrency=1))
    async with limiter.slot():
        started = time.monotonic()
        with pytest.raises(RateLimited):
            async with limiter.slot(max_wait=0.1):
                pytest.fail("got a slot the cap does not allow")
        assert 0.09 < time.monotonic() - started < 2.0
    async with limiter.slot(max_wait=0.1):  # free again
        pass


# ---------------------------------------------------------------- daily quota


class SlidingWindowService:
    """A service allowing at most ``calls`` requests in any ``period`` (a 429 beyond)."""

    def __init__(self, calls: int, period: float) -> None:
        self.calls, self.period = calls, period
        self.accepted: list[float] = []
        self.rejected = 0

    async def request(self) -> bool:
        await asyncio.sleep(0.005)  # the way there
        now = time.monotonic()
        self.accepted = [t for t in self.accepted if now - t < self.period]
        ok = len(self.accepted) < self.calls
        if ok:
            self.accepted.append(now)
        else:
            self.rejected += 1
        await asyncio.sleep(0.01)  # the way back
        return ok


async def test_the_limiter_learns_a_lower_limit_from_429s() -> None:
    """The service allows half what the limiter assumes (as TMDB enforcing 20/s against the
    default 40/s, here 20 and 40 per 0.25 s): a few 429s, then the service's pace."""
    limiter = RateLimiter(Limit(40, 0.25))
    service = SlidingWindowService(20, 0.25)
    todo = iter(range(300))

    async def worker() -> None:
        for _ in todo:
            while True:
                async with limiter.slot():
                    ok = await service.request()
                if ok:
                    break
                limiter.penalize(0.25)  # Retry-After

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(16)))
    elapsed = time.monotonic() - started
    assert service.rejected < 10, service.rejected
    assert limiter.limit.calls <= 20 and limiter.configured.calls == 40
    # No slower than the service allows: 300 at 80/s ≈ 3.75 s (+2% margin); room for a busy CI host.
    assert elapsed < 300 / 80 * 1.05 + 2.5, elapsed


async def test_a_learnt_limit_recovers_after_a_quiet_spell() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(40, 1.0), clock=lambda: now[0], sleep=sleep)
    for _ in range(30):
        limiter.answered(await limiter.acquire())
    limiter.penalize(0.0)
    learnt = limiter.limit.calls
    assert learnt < 40
    now[0] += 30.0
    await limiter.acquire()
    assert limiter.limit.calls == learnt  # not yet
    now[0] += 31.0
    await limiter.acquire()
    assert limiter.limit.calls == learnt + 4  # a tenth of the configured 40 back
    for _ in range(10):
        now[0] += 61.0
        await limiter.acquire()
    assert limiter.limit == limiter.configured


async def test_a_burst_of_429s_lowers_the_limit_by_half_at_most_once_a_window() -> None:
    """Someone else filled the service's window: all 15 requests are rejected, one by one. That
    says little about the service's own limit: halve it once, not down to one a second."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(Limit(40, 1.0), clock=lambda: now[0], sleep=sleep)
    for _ in range(15):
        await limiter.acquire()
    for _ in range(15):
        limiter.penalize(1.0)
    assert limiter.limit.calls == 20


async def test_two_windows_both_hold() -> None:
    """Jikan's 3/s *and* 60/min: a burst keeps to 3 a second, a minute to 60."""
    from movieagg.sources.registry import JIKAN

    assert JIKAN.rate_limit is not None and JIKAN.rate_limit.also
    minute = Limit(6, 2.0, margin=0.0, smooth=False, also=(Limit(3, 0.5, margin=0.0, smooth=False),))
    http = HttpClient(5.0, limits={"src": minute})
    starts: list[float] = []

    async def one() -> None:
        async with http._limited("src"):
            starts.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(9)))
    times = sorted(t - began for t in starts)
    for i in range(len(times) - 3):
        assert times[i + 3] - times[i] >= 0.5 - 0.02  # never 4 in half a second
    for i in range(len(times) - 6):
        assert times[i + 6] - times[i] >= 2.0 - 0.02  # never 7 in the long window
    assert "and 3/0.5s" in describe({"src": minute})["src"]
