"""The batch engine: rate many films (series and episodes too) with bounded concurrency,
streaming each result as it is done.

At most ``concurrency`` lookups are in flight and no more results than that are held, so memory
stays flat for 100,000 titles; sources stay polite through the shared HTTP client's per-source
rate limits and OMDb's daily quota.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from movieagg.batch.inputs import coerce_items
from movieagg.batch.items import BatchItem
from movieagg.batch.results import BatchResult
from movieagg.core.errors import InvalidQuery, MovieAggError
from movieagg.core.weights import Weights, parse_weights

if TYPE_CHECKING:
    from movieagg.core.aggregator import Aggregator
    from movieagg.core.config import Settings
    from movieagg.core.models import RatingResult
    from movieagg.factory import Runtime

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 256


# How a row that is not a film is rated (#16): the TV lookup over the batch's runtime.
OtherKinds = Callable[[BatchItem, dict[str, Any]], Awaitable["RatingResult"]]


def tv_rater(runtime: Runtime) -> OtherKinds:
    """Rate series, episode and "any" rows as ``movieagg rate --type`` does (movieagg.tvlookup)."""

    async def rate(item: BatchItem, options: dict[str, Any]) -> RatingResult:
        from movieagg.tvlookup import rate_any

        what = item.imdb_id or item.title or ""
        return await rate_any(runtime, what, None if item.imdb_id else item.year, kind=item.kind, **options)

    return rate


async def _rate_one(
    aggregator: Aggregator,
    item: BatchItem,
    sources: Sequence[str] | None,
    refresh: bool,
    use_cache: bool,
    weights: Weights | None = None,
    other_kinds: OtherKinds | None = None,
) -> BatchResult:
    if item.error:
        return BatchResult(item, "invalid", message=item.error)
    if item.year_text is not None:
        return BatchResult(item, "invalid", message=f"year must be a whole number, not {item.year_text!r}")
    options: dict[str, Any] = {"sources": sources, "refresh": refresh, "use_cache": use_cache}
    options["weights"] = weights
    try:
        if item.kind != "movie":  # a series, an episode, or "any": the TV lookup decides
            if other_kinds is None:
                why = f"a {item.kind} row needs the batch's own runtime (arate_many without aggregator=)"
                return BatchResult(item, "failed", message=why)
            result = await other_kinds(item, options)
        elif item.imdb_id:
            result = await aggregator.rate_imdb(item.imdb_id, **options)
        else:
            result = await aggregator.rate(item.title or "", item.year, **options)
    except MovieAggError as exc:  # the error table says which status: invalid, not_found, failed
        return BatchResult(item, exc.batch_status, message=str(exc), errors=tuple(exc.errors))
    except Exception as exc:  # one bad title must not sink a list of 100,000
        return BatchResult(item, "failed", message=f"internal error ({type(exc).__name__})")
    if result.match is not None and result.match.uncertain:  # rated, but which film is in doubt
        why = "; ".join(result.match.reasons)
        return BatchResult(
            item, "uncertain", result, f"match {result.match.confidence:.2f}: {why}", result.alternatives,
            result.errors,
        )  # fmt: skip
    if result.alternatives:  # no year given and remakes exist (remembered with the identity)
        also = ", ".join(f"{m.title} ({m.year})" for m in result.alternatives)
        return BatchResult(
            item, "ambiguous", result, f"no year given; also: {also}", result.alternatives, result.errors
        )
    return BatchResult(item, "found", result, errors=result.errors)


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[BatchItem]:
    if isinstance(items, AsyncIterable):
        i = 0
        async for value in items:
            i += 1
            (item,) = coerce_items([value])
            yield item if isinstance(value, BatchItem) else dataclasses.replace(item, index=i)
    else:
        for item in coerce_items(items):
            yield item


async def arate_many(
    titles: Iterable[Any] | AsyncIterable[Any],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    sources: Iterable[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    settings: Settings | None = None,
    aggregator: Aggregator | None = None,
    skip: set[int] | None = None,
    weights: Mapping[str, float] | str | None = None,
) -> AsyncIterator[BatchResult]:
    """Rate many films; yields a :class:`BatchResult` per item as soon as it is done.

    ``titles``: strings (``"Heat (1995)"``, ``"tt0113277"``), (title, year) pairs, dicts with
    title/year/imdb_id, or :class:`BatchItem` (sync or async iterable; read lazily). At most
    ``concurrency`` lookups are in flight, so memory does not grow with the input. Failures
    are results (``status`` "failed", "not_found", …), never exceptions — except a
    configuration problem that would fail every item (no usable source), raised up front.
    ``skip`` holds :attr:`BatchItem.key` values to leave out (resuming). ``weights``: your
    weights by rating or family for every score (``"imdb=2,critics=0.5"``), checked up front.

    Example::

        >>> titles = ["Heat (1995)", "tt0133093", ("Dune", 1984)]
        >>> async for r in movieagg.arate_many(titles):  # doctest: +SKIP
        ...     print(r.item.index, r.status, r.result.score if r.result else r.message)
        2 found 77.6
        1 found 77.7
        3 found 49.3
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidQuery(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
    weighed = _weights(weights)
    chosen = list(sources) if sources is not None else None
    runtime: Runtime | None = None
    if aggregator is None:
        from movieagg.factory import build_runtime

        # Lookup records go to the store as the batch goes ("periodic"), not all at the end.
        runtime = build_runtime(settings, flush="periodic", use_cache=use_cache, patient=True)
        aggregator = runtime.aggregator
        try:  # a database URL movieagg cannot use: say so before rating anything
            runtime.store.check()
        except BaseException:
            await runtime.aclose()
            raise
    records = runtime.records if runtime is not None else None
    other_kinds = tv_rater(runtime) if runtime is not None else None
    pending: set[asyncio.Future[BatchResult]] = set()
    reading: asyncio.Future[BatchItem] | None = None
    try:
        aggregator.select(chosen)  # unknown/unconfigured sources: fail once, not per item
        items = _aiter(titles).__aiter__()
        exhausted = False
        # Reading the next item is itself awaited alongside the lookups, so a slow input (a
        # pipe that waits for its writer) never holds back results that are ready.
        while True:
            if reading is None and not exhausted and len(pending) < concurrency:
                reading = asyncio.ensure_future(items.__anext__())
            waiting: set[asyncio.Future[Any]] = set(pending)
            if reading is not None:
                waiting.add(reading)
            if not waiting:
                break
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if reading is not None and reading in done:
                done.discard(reading)
                try:
                    item = reading.result()
                except StopAsyncIteration:
                    exhausted = True
                else:
                    if not (skip and item.key in skip):
                        pending.add(
                            asyncio.ensure_future(
                                _rate_one(aggregator, item, chosen, refresh, use_cache, weighed, other_kinds)
                            )
                        )
                reading = None
            finished = [t for t in done if t in pending]
            pending.difference_update(finished)
            for task in sorted(finished, key=lambda t: t.result().item.index):
                yield task.result()
                if records is not None:
                    await records.after_lookup()
    finally:
        leftovers: list[asyncio.Future[Any]] = [*pending, *([reading] if reading is not None else [])]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
        if runtime is not None:
            await runtime.aclose()


def _weights(weights: Mapping[str, float] | str | None) -> Weights | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        return parse_weights(weights)
    return parse_weights(",".join(f"{k}={v}" for k, v in weights.items()))


def rate_many(titles: Iterable[Any], **options: Any) -> list[BatchResult]:
    """Rate many films at once (politely, within each source's rate limit): a list of
    :class:`BatchResult`, in input order. Titles are strings (``"Heat (1995)"``, ``"tt0113277"``),
    (title, year) pairs or dicts with title/year/imdb_id; options as for :func:`arate_many`,
    which streams results as they finish instead.

    Example::

        >>> for r in movieagg.rate_many(["Dune", ("Heat", 1995), {"imdb_id": "tt0133093"}]):  # doctest: +SKIP
        ...     print(r.item.index, r.status, r.result.score if r.result else r.message)
        1 ambiguous 75.4
        2 found 77.7
        3 found 77.6
    """
    from movieagg.api import _run

    async def collect() -> list[BatchResult]:
        return [r async for r in arate_many(titles, **options)]

    return sorted(_run(collect()), key=lambda r: r.item.index)
