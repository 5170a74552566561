"""``movieagg rate`` answered from the cache without typer, asyncio or any source.

A cached lookup is the command people repeat most; building typer's app, starting an event
loop and importing the adapters (httpx, ssl) would cost it several times Python's own start-up.
:func:`answer_from_cache` understands the plain forms of ``rate`` — the film's words (quotes
optional: a title, ``Title (YYYY)``, an IMDb id or a film page, read by the core's query parser),
``--year``/``-y``, ``--json``, ``--source``/``-s``, ``--weights`` and ``--region`` — and answers
only when the cache holds the whole answer, where to watch and the same-title series
(movieagg.tvhint) included (pins, query parsing,
confidence and agreement applied by
:meth:`Aggregator.rate_cached <movieagg.core.aggregator.Aggregator.rate_cached>`, as by the
full lookup). For anything else — other commands, other options, a miss, invalid input, an
error — it returns False and the typer app runs the command as usual, so every message and
exit code stays the app's; what the quick path logged on its way is dropped then (the app
says it again), never said twice.
"""

from __future__ import annotations

import logging
from typing import Any

# words, --year (as typed), --json, the --source names, --weights, --region (a plain tuple: a
# NamedTuple costs a quick answer 0.3 ms)
RateArgs = tuple[str, str | None, bool, tuple[str, ...], str | None, str | None]

_VALUED = frozenset(("--year", "-y", "--source", "-s", "--weights", "--region"))


def parse_rate(argv: list[str]) -> RateArgs | None:
    """The arguments of a plain ``rate`` command, or None when typer should read them."""
    if not argv or argv[0] != "rate":
        return None
    words: list[str] = []
    year: str | None = None
    json_output = False
    sources: list[str] = []
    weights: str | None = None
    region: str | None = None
    args = iter(argv[1:])
    for arg in args:
        if arg == "--json":
            json_output = True
            continue
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in _VALUED:
            return None  # --help, --refresh, --no-cache, --, a typo: typer's job
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None  # a missing value, or one click reads its own way: typer's message
        if name in ("--year", "-y"):
            year = value  # text: the core validates it as every face does
        elif name in ("--source", "-s"):
            sources.append(value)
        elif name == "--region":
            region = value
        else:
            weights = value
    if not words:
        return None
    return " ".join(words), year, json_output, tuple(sources), weights, region


class _Entries:
    """Lookup records held back: written only when the quick path answers."""

    def __init__(self) -> None:
        self.kept: list[dict[str, object]] = []

    def record(self, entry: dict[str, object]) -> None:
        self.kept.append(entry)


class _Held(logging.Handler):
    """What the quick path logs, held until it knows whether it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def answer_from_cache(argv: list[str]) -> bool:
    """Print a cached ``movieagg rate`` answer and return True, or False to run typer's app.

    Exits itself (SystemExit) only as the app would after printing an answer: with the
    records' configuration problem (exit 3), or an internal error while printing (exit 70).
    """
    args = parse_rate(argv)
    if args is None:
        return False
    title, year, json_output, sources, weights, region = args
    from movieagg.commands.common import setup_logging
    from movieagg.core.config import Settings
    from movieagg.core.errors import MovieAggError
    from movieagg.factory import build_runtime

    try:
        settings = Settings.from_env()
    except MovieAggError:
        return False  # typer's run reports it
    setup_logging(settings)
    logger = logging.getLogger("movieagg")
    handlers, held = logger.handlers[:], _Held()
    logger.handlers[:] = [held]
    result: Any = None
    try:
        runtime = build_runtime(settings, flush="detached")
        try:
            aggregator = runtime.aggregator
            recorder, entries = aggregator.recorder, _Entries()
            aggregator.recorder = entries  # kept back until where to watch is known cached too
            try:
                result = aggregator.rate_cached(title, year, sources=sources or None, weights=weights)
            finally:
                aggregator.recorder = recorder
            if result is not None:
                result = _with_cached_hint(runtime, result, title, year, sources)
            if result is not None:
                result = _with_cached_watch(runtime, result, region, sources)
            if result is not None and recorder is not None:
                for entry in entries.kept:
                    recorder.record(entry)
        except Exception:  # bad input, an unknown source, a bug: reported (and recorded) by the app
            result = None
        if result is None:
            runtime.close()  # nothing was recorded: nothing is written
            return False
    except Exception:
        return False
    finally:
        logger.handlers[:] = handlers
        if result is not None:
            for record in held.records:
                logger.handle(record)
    return _answer(runtime, result, json_output)


def _with_cached_hint(
    runtime: Any, result: Any, title: str, year: str | None, sources: tuple[str, ...]
) -> Any:
    """``result`` with the same-title series from the cache; None (the app asks) when not cached.

    As the app's ``rate`` (movieagg.tvlookup): a title query naming no episode gets the hint."""
    from movieagg.core.query import parse_episode_query
    from movieagg.tvhint import cached_hint, hint_key, wanted, with_hint

    parsed = parse_episode_query(title, year)
    if not wanted(parsed):
        return result
    hint = cached_hint(runtime.cache, hint_key(parsed, sources or None))
    return None if hint is None else with_hint(result, hint)


def _with_cached_watch(runtime: Any, result: Any, region: str | None, sources: tuple[str, ...]) -> Any:
    """``result`` with where to watch from the cache; None (the app asks TMDB) when not cached.

    A bad ``--region`` or MOVIEAGG_REGION raises: the app reports it."""
    from movieagg.core.watch import parse_region
    from movieagg.core.watching import cached_watch, wanted
    from movieagg.factory import watch_finder

    country = parse_region(region) if region is not None else runtime.settings.watch_region
    finder = watch_finder(runtime)
    if not wanted(finder, sources or None):
        return result
    return cached_watch(finder, country, result)


def _answer(runtime: Any, result: Any, json_output: bool) -> bool:
    """Print the answer, then leave its record (as the app's ``rate``: print first)."""
    from movieagg.commands.common import error_line, internal_error, print_result
    from movieagg.core.errors import EXIT_INTERNAL

    try:
        try:
            print_result(result, json_output)
        except BrokenPipeError:
            raise  # the entry point exits 141, quietly
        except Exception as exc:
            error_line(internal_error(exc))
            raise SystemExit(EXIT_INTERNAL) from None
    finally:
        runtime.close()
    problem = runtime.records.problem if runtime.records is not None else None
    if problem is not None:  # answered, but its record cannot be kept: exit 3
        error_line(str(problem))
        raise SystemExit(problem.exit_code)
    return True
