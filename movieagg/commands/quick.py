"""``movieagg rate`` answered from the cache without typer, asyncio or any source.

A cached lookup is the command people repeat most; building typer's app, starting an event
loop and importing the adapters (httpx, ssl) would cost it several times Python's own start-up.
:func:`answer_from_cache` understands only the plain forms of ``rate`` (a title, ``--year``,
``--json``, ``--source``) and answers only when the cache holds the whole answer; for anything
else — other commands, other options, a miss, an error — it returns False and the typer app
runs the command as usual, so every message and exit code stays the app's.
"""

from __future__ import annotations

# title, year, --json, the --source names (a plain tuple: a NamedTuple costs a quick answer 0.3 ms)
RateArgs = tuple[str, int | None, bool, tuple[str, ...]]


def parse_rate(argv: list[str]) -> RateArgs | None:
    """The arguments of a plain ``rate`` command, or None when typer should read them."""
    if not argv or argv[0] != "rate":
        return None
    title: str | None = None
    year: int | None = None
    json_output = False
    sources: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--json":
            json_output = True
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in ("--year", "-y", "--source", "-s"):
            if not eq:
                value = next(args, "")
            if name in ("--year", "-y"):
                if not value.isascii() or not value.isdigit():
                    return None  # typer's message for a bad year
                year = int(value)
            elif value and not value.startswith("-"):
                sources.append(value)
            else:
                return None
        elif arg.startswith("-") or title is not None:
            return None  # --help, --refresh, --no-cache, a typo, a second title: typer's job
        else:
            title = arg
    if title is None:
        return None
    return title, year, json_output, tuple(sources)


def answer_from_cache(argv: list[str]) -> bool:
    """Print a cached ``movieagg rate`` answer and return True, or False to run typer's app."""
    args = parse_rate(argv)
    if args is None:
        return False
    title, year, json_output, sources = args
    from movieagg.commands.common import print_result, setup_logging
    from movieagg.core.config import Settings
    from movieagg.core.errors import MovieAggError
    from movieagg.factory import build_runtime

    try:
        settings = Settings.from_env()
    except MovieAggError:
        return False  # typer's run reports it
    setup_logging(settings)
    runtime = build_runtime(settings, flush="detached")
    try:
        try:
            result = runtime.aggregator.rate_cached(title, year, sources=sources or None)
        except MovieAggError:
            result = None  # bad input, an unknown source: reported (and recorded) by the full path
        if result is not None:
            print_result(result, json_output)
    finally:
        runtime.close()
    return result is not None
