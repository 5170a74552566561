"""A source call's budget: the service's time counts, waiting for our own rate limit does not."""

from __future__ import annotations

import asyncio

import pytest

from movieagg.core import budget


async def test_the_budget_times_out_a_slow_call() -> None:
    with pytest.raises(TimeoutError):
        await budget.within(0.05, asyncio.sleep(1))


async def test_paused_time_is_not_counted() -> None:
    async def polite_then_quick() -> str:
        with budget.paused():
            await asyncio.sleep(0.15)  # waiting for a rate-limit slot: 3x the budget
        await asyncio.sleep(0.02)  # the service's own time
        return "answered"

    assert await budget.within(0.05, polite_then_quick()) == "answered"


async def test_time_before_and_after_a_pause_adds_up() -> None:
    async def slow_around_a_pause() -> None:
        await asyncio.sleep(0.03)
        with budget.paused():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.04)  # 0.03 + 0.04 > 0.06: over budget

    with pytest.raises(TimeoutError):
        await budget.within(0.06, slow_around_a_pause())


async def test_overlapping_pauses_resume_the_clock_once_both_end() -> None:
    async def waits(seconds: float) -> None:
        with budget.paused():
            await asyncio.sleep(seconds)

    async def two_requests() -> None:
        await asyncio.gather(waits(0.1), waits(0.15))

    await budget.within(0.05, two_requests())


def test_pause_outside_a_source_call_is_harmless() -> None:
    async def outside() -> int:
        with budget.paused():
            await asyncio.sleep(0)
        return 1

    assert asyncio.run(outside()) == 1


async def test_a_pause_never_carries_a_call_past_the_lookups_deadline() -> None:
    """Rate-limit waits stop the call's own clock, not the lookup's: `until` is a wall."""

    async def polite_forever() -> None:
        with budget.paused():
            await asyncio.sleep(5)

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await budget.within(10.0, polite_forever(), until=started + 0.1)
    assert loop.time() - started < 2.0


async def test_the_deadline_caps_the_budget() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(TimeoutError):
        await budget.within(10.0, asyncio.sleep(5), until=loop.time() + 0.05)
