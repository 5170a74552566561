"""`movieagg episodes SERIES`: a series' season × episode grid of ratings in the terminal, or
as JSON (the shape of ``/api/series/{imdb_id}/episodes``; schema core/schema/episode-grid.json).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n"
        '  movieagg episodes "Breaking Bad"\n\n'
        '  movieagg episodes "Shameless (2011)" --source tmdb\n\n'
        "  movieagg episodes tt0903747 --json\n\n"
        "Ratings are drawn from one source (imdb via OMDb, tmdb or trakt); each season is cached, "
        "so asking again makes no request. A rating with few votes is marked *.",
    )
    def episodes(
        words: Annotated[
            list[str],
            typer.Argument(help="The series: its title, 'Title (2008)' or its IMDb id.", show_default=False),
        ],
        year: Annotated[
            str | None,
            typer.Option(
                "--year", "-y", metavar="YEAR", help="First-aired year: tells same-title series apart."
            ),
        ] = None,
        source: Annotated[
            str | None,
            typer.Option(
                "--source", "-s", help="Whose ratings to draw: imdb, tmdb or trakt.", show_default=False
            ),
        ] = None,
        json_output: Annotated[
            bool, typer.Option("--json", help="Print one JSON object instead of a grid.")
        ] = False,
        refresh: Annotated[
            bool, typer.Option("--refresh", help="Ignore cached seasons, fetch again.")
        ] = False,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
        ] = False,
    ) -> None:
        """Rate every episode of a series: a season × episode heatmap, averages, best and worst."""
        from movieagg.commands.common import load_settings, run, stdout
        from movieagg.factory import build_runtime
        from movieagg.grids import draw_grid

        title = " ".join(words)
        settings = load_settings()

        async def go() -> Any:
            runtime = build_runtime(settings, flush=None, use_cache=not no_cache)
            try:
                return await draw_grid(
                    runtime, title, year, source=source, refresh=refresh, use_cache=not no_cache
                )
            finally:
                await runtime.aclose()

        grid = run(go, settings, status=f"Drawing {title!r}…")
        if json_output:
            from movieagg._jsonout import write_json

            write_json(grid.to_dict())
        else:
            from movieagg._render_episodes import render_grid

            render_grid(grid, stdout())
