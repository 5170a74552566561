"""The typer app: the root command, ``rate``, ``search`` and ``sources``; the other command
modules register themselves on it. :mod:`movieagg.cli` is the entry point that builds it —
only when a command needs it (a cached ``movieagg rate`` is answered without it, by
:mod:`movieagg.commands.quick`, which must print exactly what ``rate`` here prints).
"""

from __future__ import annotations

from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from movieagg._version import __version__
from movieagg.commands.common import (
    fail,
    load_settings,
    options,
    print_result,
    reader_gone,
    run,
    stdout,
)
from movieagg.core.errors import ConfigurationError, MovieAggError


class QuietPipeGroup(TyperGroup):
    """The root command: a closed output pipe ends any command with :func:`reader_gone`, and a
    mistyped command is suggested once (click ≥ 8.4 suggests by itself; typer would add its own)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            reader_gone()


def suggests_commands_itself() -> bool:
    """Whether click names close matches of an unknown command (``NoSuchCommand``, click 8.4+)."""
    return hasattr(click.exceptions, "NoSuchCommand")


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
    help="Rate a film, a TV series or an episode: one aggregate score and every source's rating.\n\n"
    + SCORE_METHOD,
    epilog="Examples:\n\n"
    "  movieagg rate The Matrix\n\n"
    '  movieagg rate "Dune (1984)" --json\n\n'
    "  movieagg rate tt1049413\n\n"
    '  movieagg rate "Breaking Bad"   (a series; --type series|episode|any chooses)\n\n'
    '  movieagg rate "Breaking Bad S05E14"\n\n'
    "  movieagg rate Fargo --type series\n\n"
    "  movieagg rate https://letterboxd.com/film/heat-1995/\n\n"
    '  movieagg rate "Amélie" -s tmdb -s omdb --refresh\n\n'
    "  movieagg rate Heat --region GB",
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
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Where to watch in this country (two letters, e.g. GB); default MOVIEAGG_REGION, "
            "else your locale's country, else US.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--type",
            "-t",
            metavar="TYPE",
            help="movie, series, episode or any. Default: the film (same-title series named among its "
            "alternatives), or the series when no film has that title.",
            show_default=False,
        ),
    ] = None,
    season: Annotated[
        str | None,
        typer.Option("--season", metavar="N", help="An episode's season (S05E14 in the title works too)."),
    ] = None,
    episode: Annotated[
        str | None, typer.Option("--episode", metavar="N", help="An episode's number.")
    ] = None,
) -> None:
    """Rate a film, a TV series or an episode: one aggregate score and every source's rating."""
    from movieagg.core.watching import rate_with_watch
    from movieagg.factory import build_runtime, watch_finder
    from movieagg.tvlookup import rate_any

    title = " ".join(words)
    settings = load_settings()

    async def go() -> Any:
        # The records are written by a detached helper after the answer is printed.
        runtime = build_runtime(settings, flush="detached", use_cache=not no_cache)
        try:
            country = watch_region(settings, region)  # before any request; --json reports it too
            result = await rate_with_watch(
                watch_finder(runtime),
                country,
                lambda: rate_any(
                    runtime,
                    title,
                    year,
                    kind=kind,
                    season=season,
                    episode=episode,
                    sources=source or None,
                    refresh=refresh,
                    use_cache=not no_cache,
                    weights=weights,
                ),
                deadline=runtime.aggregator.deadline,
                sources=source or None,
            )
            print_result(result, json_output)  # print before the records are flushed to the database
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


def watch_region(settings: Any, given: str | None) -> str:
    """The country of "where to watch": ``--region`` (exit 2 when not two letters), else the
    settings' (MOVIEAGG_REGION, the locale's country, US)."""
    from movieagg.core.watch import parse_region

    return parse_region(given) if given is not None else str(settings.watch_region)


def _print_error(exc: MovieAggError) -> None:
    from movieagg._jsonout import write_json

    write_json({"error": {"code": exc.code, "message": str(exc), **exc.details()}})


@app.command(epilog='Examples:\n\n  movieagg search Dune\n\n  movieagg search "Godzilla" --year 1998 --json')
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
