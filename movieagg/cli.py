"""The `movieagg` command. Thin: every command calls the library; errors → exit codes here.

Exit codes: 0 an answer (failed sources are listed in it); 1 no such film; 2 usage or invalid
input; 3 configuration (no usable source, missing or rejected keys); 4 every source failed;
5 AWS credentials missing or rejected, 6 no/unknown region or unreachable endpoint, 7 a stack or
packaging step failed (deploy/status/destroy); 8 the database or cache is unreachable or its schema
is newer than this release (history/db/cache); 70 an internal error (a bug: please report it);
130 interrupted; 141 the reader of the output went away (``movieagg rate … | head -2``), quietly.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from movieagg._version import __version__
from movieagg.commands.common import (
    QuietPipeGroup,
    fail,
    load_settings,
    options,
    run,
    stdout,
    suggests_commands_itself,
)
from movieagg.core.errors import EXIT_INTERRUPTED, ConfigurationError, MovieAggError

SCORE_METHOD = (
    "The score (method families/2) weighs critics (Rotten Tomatoes, Metacritic) and the audience "
    "(IMDb, TMDB, Trakt) as two families. Within a family, a rating is weighed by n/(n+100) for n "
    "audience votes (n/(n+5) for counted critic reviews; 1 for critic aggregates without a count); "
    "one pool of reviews counts once (the same rating from two sources; the Tomatometer beside the "
    "RT average rating); thin evidence is pulled towards a neutral 60. --weights sets your own."
)

app = typer.Typer(
    name="movieagg",
    help="How good is this movie? One score (0–100) from TMDB, OMDb (IMDb, Rotten Tomatoes, "
    "Metacritic), Wikidata and more.\n\nWorks with no configuration (keyless Wikidata); set "
    "TMDB_API_KEY and OMDB_API_KEY for more sources. See 'movieagg sources'.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
    cls=QuietPipeGroup,
    suggest_commands=not suggests_commands_itself(),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"movieagg {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option("--version", help="Show the version and exit.", callback=_version, is_eager=True),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what happens (keys are masked).")
    ] = False,
) -> None:
    options.verbose = verbose


TitleArg = Annotated[
    list[str],
    typer.Argument(
        help="The film: its title in any language it was released under (quotes optional), "
        "'Title (1999)', an IMDb id, or an IMDb, TMDB, Trakt or Letterboxd film URL.",
        show_default=False,
    ),
]
# Text, not int: the core validates a year the same way for every face (ASCII digits only;
# click's int() would accept "٢٠٠٩").
YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year",
        "-y",
        metavar="YEAR",
        help="Release year (±1 is tolerated); must agree with a year in the title.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Your weights by rating or family, e.g. imdb=2,rotten_tomatoes=0 or critics=0.5 "
        "(0 leaves one out; over MOVIEAGG_WEIGHTS, name by name).",
        show_default=False,
    ),
]


@app.command(
    help="Rate a film: one aggregate score and every source's rating.\n\n" + SCORE_METHOD,
    epilog="Examples:\n\n"
    "  movieagg rate The Matrix\n\n"
    '  movieagg rate "Dune (1984)" --json\n\n'
    "  movieagg rate tt1049413\n\n"
    "  movieagg rate https://letterboxd.com/film/heat-1995/\n\n"
    '  movieagg rate "Amélie" -s tmdb -s omdb --refresh',
)
def rate(
    words: TitleArg,
    year: YearOpt = None,
    json_output: JsonOpt = False,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Use only this source (repeatable): tmdb, omdb, wikidata, …"),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ignore cached ratings, fetch again, update the cache.")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    weights: WeightsOpt = None,
) -> None:
    """Rate a film: one aggregate score and every source's rating."""
    from movieagg.factory import build_runtime

    title = " ".join(words)
    settings = load_settings()

    async def go() -> Any:
        # The records are written by a detached helper after the answer is printed.
        runtime = build_runtime(settings, flush="detached", use_cache=not no_cache)
        try:
            result = await runtime.aggregator.rate(
                title, year, sources=source or None, refresh=refresh, use_cache=not no_cache, weights=weights
            )
            _print_result(result, json_output)  # print before the records are flushed to the database
        except MovieAggError as exc:
            if json_output:  # scripts read the error (and "did you mean") on stdout; stderr has its line
                _print_error(exc)
            raise
        finally:
            await runtime.aclose()
        if runtime.records is not None and runtime.records.problem is not None:
            raise runtime.records.problem  # answered, but its record cannot be kept: exit 3
        return result

    run(go, settings, status=f"Rating {title!r}…")


def _print_error(exc: MovieAggError) -> None:
    from movieagg._jsonout import write_json

    write_json({"error": {"code": exc.code, "message": str(exc), **exc.details()}})


def _print_result(result: Any, json_output: bool) -> None:
    if json_output:
        from movieagg._jsonout import write_json

        write_json(result.to_dict())
    else:
        from movieagg._render import render_result

        render_result(result, stdout())


@app.command(
    epilog='Examples:\n\n  movieagg search Dune\n\n  movieagg search "Godzilla" --year 1998 --json'
)
def search(
    words: TitleArg,
    year: YearOpt = None,
    json_output: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="How many candidates.")] = 10,
) -> None:
    """List candidate films for a title (title, year, IMDb id) to disambiguate remakes."""
    from movieagg.factory import build_aggregator

    title = " ".join(words)
    settings = load_settings()

    async def go() -> Any:
        async with build_aggregator(settings, record=False) as aggregator:
            return await aggregator.search(title, year, limit=limit)

    candidates = run(go, settings, status=f"Searching {title!r}…")
    if json_output:
        from movieagg._jsonout import write_json

        write_json([c.to_dict() for c in candidates])
    elif not candidates:
        fail(f"no film matches {title!r}", 1)
    else:
        from movieagg._render import render_candidates

        render_candidates(candidates, stdout())


@app.command(epilog="Examples:\n\n  movieagg sources\n\n  movieagg sources --json")
def sources(json_output: JsonOpt = False) -> None:
    """Show each source: whether it is configured and what it needs (key name, signup URL)."""
    from movieagg.factory import choose_specs
    from movieagg.sources.registry import all_specs

    settings = load_settings()
    try:
        chosen, _ = choose_specs(settings)
    except ConfigurationError as exc:
        fail(str(exc), exc.exit_code)
    enabled = {s.name for s in chosen}
    rows = [
        {
            "name": spec.name,
            "label": spec.label,
            "configured": spec.configured(settings),
            "enabled": spec.name in enabled,
            "keyless": not spec.keys,
            "provides": spec.provides,
            "needs": spec.needs(),
            "keys": list(spec.keys),
            "signup_url": spec.signup_url,
            "url": spec.url(settings),
        }
        for spec in all_specs().values()
    ]
    if json_output:
        from movieagg._jsonout import write_json

        write_json(rows)
    else:
        from movieagg._render import render_sources

        render_sources(rows, stdout())
        if settings.config_path is not None:
            stdout().print(f"[dim]Config file: {settings.config_path} (environment variables win)[/dim]")


# Sub-command modules register themselves on `app` (one line each, keep heavy imports lazy).
from movieagg.commands import register_all  # noqa: E402

register_all(app)


def _without_httpx_cli() -> None:
    """Keep httpx from importing its own command-line module in this process.

    ``import httpx`` also imports ``httpx._main`` (click, rich.progress, pygments) whenever
    they are installed — as they are beside typer and rich — which cost ~130 ms of every
    fresh lookup here for a CLI we never run (encode/httpx#3547). A stand-in whose ``main``
    loads the real module keeps ``httpx.main`` working. Only the movieagg command does this;
    the library leaves httpx alone.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    import types

    def main(*args: object, **kwargs: object) -> object:
        import importlib

        del sys.modules["httpx._main"]
        return importlib.import_module("httpx._main").main(*args, **kwargs)

    stand_in = types.ModuleType("httpx._main")
    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


def main() -> None:
    """Console entry point."""
    _without_httpx_cli()
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
