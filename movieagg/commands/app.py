"""The typer app: the root command, ``rate``, ``search`` and ``sources``; the other command
modules register themselves on it. :mod:`movieagg.cli` is the entry point that builds it —
only when a command needs it (a cached ``movieagg rate`` is answered without it).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from movieagg._version import __version__
from movieagg.commands.common import fail, load_settings, options, print_result, run, stdout
from movieagg.core.errors import ConfigurationError

SCORE_METHOD = (
    "The score is a confidence-weighted mean of every rating on a 0–100 scale: a rating's weight "
    "is n/(n+100) for n audience votes (n/(n+5) for counted critic reviews; 1 for critic "
    "aggregates without a count), the same rating from two sources counts once, and when the "
    "total weight is under 1 the rest is a neutral prior of 60."
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


TitleArg = Annotated[str, typer.Argument(help="The film's title, in any language it was released under.")]
YearOpt = Annotated[int | None, typer.Option("--year", "-y", help="Release year (±1 is tolerated).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]


@app.command(
    help="Rate a film: one aggregate score and every source's rating.\n\n" + SCORE_METHOD,
    epilog="Examples:\n\n"
    '  movieagg rate "The Matrix"\n\n'
    '  movieagg rate "Dune" --year 1984 --json\n\n'
    '  movieagg rate "Amélie" -s tmdb -s omdb --refresh',
)
def rate(
    title: TitleArg,
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
) -> None:
    """Rate a film: one aggregate score and every source's rating."""
    from movieagg.factory import build_aggregator

    settings = load_settings()

    async def go() -> Any:
        aggregator = build_aggregator(settings, use_cache=not no_cache, flush_later=True)
        try:
            result = await aggregator.rate(
                title, year, sources=source or None, refresh=refresh, use_cache=not no_cache
            )
            print_result(result, json_output)  # print before the records are flushed to the database
            return result
        finally:
            await aggregator.aclose()

    run(go, settings, status=f"Rating {title!r}…")


@app.command(
    epilog='Examples:\n\n  movieagg search "Dune"\n\n  movieagg search "Godzilla" --year 1998 --json'
)
def search(
    title: TitleArg,
    year: YearOpt = None,
    json_output: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="How many candidates.")] = 10,
) -> None:
    """List candidate films for a title (title, year, IMDb id) to disambiguate remakes."""
    from movieagg.factory import build_aggregator

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
