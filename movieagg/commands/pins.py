"""`movieagg pin TITLE… IMDB_ID`, `movieagg pins`, `movieagg unpin TITLE…`: a user's own word.

A pin says which film a title means; it beats every resolver and cache entry, in the CLI, the
library, ``batch`` and ``serve`` (which also read MOVIEAGG_PINS). The file is ``pins.toml`` in
the config dir (:mod:`movieagg.core.pins`).
"""

from __future__ import annotations

from typing import Annotated

import typer

YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year", "-y", help="Only for this year: `rate TITLE --year YEAR` uses the pin.", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n"
        "  movieagg pin Solaris tt0069293\n\n"
        "  movieagg pin Heat https://www.imdb.com/title/tt0113277/ --year 1995\n\n"
        "A pin without --year answers queries without a year; one with --year, that year only.",
    )
    def pin(
        words: Annotated[
            list[str],
            typer.Argument(
                help="The title, then the film's IMDb id or IMDb page, e.g. Solaris tt0069293.",
                show_default=False,
            ),
        ],
        year: YearOpt = None,
    ) -> None:
        """Pin a title to a film: every lookup of that title answers with it, certain."""
        from movieagg.commands.common import fail, guard, load_settings, stdout
        from movieagg.core.errors import InvalidQuery
        from movieagg.core.pins import Pin, PinFile
        from movieagg.core.query import parse_query
        from movieagg.core.untrusted import printable

        if len(words) < 2:
            fail("give a title and the film's IMDb id: movieagg pin Solaris tt0069293", 2)
        try:
            target = parse_query(words[-1])
            title = parse_query(" ".join(words[:-1]), year)
        except InvalidQuery as exc:
            fail(str(exc), 2)
        if target.imdb_id is None:
            fail(f"the last argument must be an IMDb id or IMDb page, not {words[-1][:40]!r}", 2)
        if title.kind != "title":
            fail("the title to pin must be a title, not an id or a link", 2)
        chosen = Pin(title.query.title, title.query.year, target.imdb_id)
        settings = load_settings()
        guard(lambda: PinFile(settings.pins_file).add(chosen))
        said = f"pinned {printable(chosen.label())} → {chosen.imdb_id}"
        stdout().print(said, markup=False, highlight=False)

    @app.command(epilog="Examples:\n\n  movieagg pins\n\n  movieagg pins --json")
    def pins(json_output: JsonOpt = False) -> None:
        """List your pins: which film each pinned title means (the file's, then MOVIEAGG_PINS)."""
        from movieagg.commands.common import guard, load_settings, stdout
        from movieagg.core.pins import PinFile

        settings = load_settings()
        from_file = guard(lambda: PinFile(settings.pins_file).all())
        inline = guard(lambda: settings.inline_pins)
        keys = {p.key for p in from_file}
        rows = [{**p.to_dict(), "from": "file"} for p in from_file]
        rows += [{**p.to_dict(), "from": "MOVIEAGG_PINS"} for p in inline if p.key not in keys]
        if json_output:
            from movieagg._jsonout import write_json

            write_json(rows)
            return
        from rich.table import Table

        from movieagg.core.untrusted import printable

        console = stdout()
        if not rows:
            console.print(f"No pins yet ({settings.pins_file}). Example: movieagg pin Solaris tt0069293")
            return
        table = Table(box=None, header_style="bold")
        for column in ("Title", "Year", "IMDb", "From"):
            table.add_column(column)
        for row in rows:
            year_text = str(row["year"] or "any")
            table.add_row(printable(str(row["title"])), year_text, str(row["imdb_id"]), str(row["from"]))
        console.print(table)
        console.print(f"[dim]{settings.pins_file}[/dim]", highlight=False)

    @app.command(epilog="Examples:\n\n  movieagg unpin Solaris\n\n  movieagg unpin Heat --year 1995")
    def unpin(
        words: Annotated[list[str], typer.Argument(help="The pinned title.", show_default=False)],
        year: YearOpt = None,
    ) -> None:
        """Remove a pin (exit 1 when there is none for that title and year)."""
        from movieagg.commands.common import fail, guard, load_settings, stdout
        from movieagg.core.errors import InvalidQuery
        from movieagg.core.pins import PinFile
        from movieagg.core.query import parse_query

        try:
            title = parse_query(" ".join(words), year)
        except InvalidQuery as exc:
            fail(str(exc), 2)
        settings = load_settings()
        removed = guard(lambda: PinFile(settings.pins_file).remove(title.query.title, title.query.year))
        if not removed:
            when = f" ({title.query.year})" if title.query.year else ""
            fail(f"no pin for {title.query.title!r}{when}", 1)
        stdout().print(f"unpinned {title.query.title}", markup=False, highlight=False)
