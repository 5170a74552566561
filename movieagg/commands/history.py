"""`movieagg history`: how a film's ratings changed over time, and the search log.

Reads the store (MOVIEAGG_DATABASE_URL, default SQLite under MOVIEAGG_HOME) after writing any
records still waiting in the outbox. A title is resolved through the films already in the
store first (title or original title, ±1 year), then the identity cache, then the sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from movieagg.core.errors import StoreError

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.store.sql import SQLStore


SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 24


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH) -> str:
    """A one-line chart of the newest ``width`` values, scaled to their own range."""
    values = list(values)[-width:]
    if not values:
        return ""
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return SPARKS[3] * len(values)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * top)] for v in values)


def series(observations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Observations grouped per rating (source + name), each oldest first."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for obs in observations:
        key = (obs["source"], obs["name"])
        entry = grouped.setdefault(
            key, {"source": obs["source"], "name": obs["name"], "label": obs["label"], "points": []}
        )
        entry["points"].append(
            {
                "at": obs["fetched_at"],
                "value": obs["value"],
                "scale": obs["scale"],
                "normalized": obs["normalized"],
                "votes": obs["votes"],
            }
        )
    for entry in grouped.values():
        entry["points"].sort(key=lambda p: p["at"])
        first, last = entry["points"][0], entry["points"][-1]
        entry["change"] = round(last["normalized"] - first["normalized"], 2)
    return sorted(grouped.values(), key=lambda e: (e["label"], e["source"]))


def _display(point: dict[str, Any], entry: dict[str, Any]) -> str:
    from movieagg.core.models import Rating

    rating = Rating(
        entry["name"], entry["label"], point["value"], point["scale"], point["votes"], entry["source"]
    )
    return rating.display()


def _when(iso_text: str) -> str:
    return iso_text.replace("T", " ")[:16]


def _flush_first(settings: Settings) -> None:
    """Write records waiting in the outbox so the newest lookups show; never fatal here."""
    import logging

    from movieagg.records.keeper import flush_waiting

    try:
        flush_waiting(settings)
    except Exception as exc:
        logging.getLogger("movieagg").warning(
            "could not write pending lookup records (%s)", type(exc).__name__
        )


def _resolve(title: str, year: int | None, settings: Settings, store: SQLStore) -> dict[str, Any]:
    """The film meant by ``title``: the store's films, then the identity cache, then the sources."""

    from movieagg.commands.common import fail
    from movieagg.core import cachekeys
    from movieagg.core.models import IMDB_ID_RE, Query

    text = title.strip()
    if IMDB_ID_RE.match(text.lower()):
        imdb = text.lower()
        return store.film(imdb) or {"imdb_id": imdb, "tmdb_id": None, "title": imdb, "year": None}
    query = Query.create(text, year)
    known = store.find_film(query.title, query.year)
    distinct = {f["imdb_id"]: f for f in known}
    if len(distinct) == 1 or (known and query.year is not None and known[0]["year"] == query.year):
        return known[0]
    if len(distinct) > 1:
        listed = ", ".join(
            f"{f['title']} ({f['year'] or '?'}) {f['imdb_id']}" for f in list(distinct.values())[:6]
        )
        fail(
            f"{query.title!r} matches {len(distinct)} films in the history: {listed}; "
            "add --year or give the IMDb id",
            2,
        )

    from movieagg.core.models import Movie
    from movieagg.factory import build_aggregator, open_configured_cache

    cache = None
    try:
        cache = open_configured_cache(settings)
        raw = cachekeys.decode(cache.get(cachekeys.identity_key(query.title, query.year))) if cache else None
    except Exception:  # a cache that cannot be read is just a miss here
        raw = None
    finally:
        close = getattr(cache, "close", None)
        if callable(close):
            close()
    if isinstance(raw, dict):
        try:
            movie = Movie.from_dict(raw)
        except (KeyError, TypeError, ValueError):  # a bad entry (models check it) is no entry
            movie = None
        if movie is not None and (movie.imdb_id or movie.tmdb_id is not None):
            return {
                "imdb_id": movie.imdb_id,
                "tmdb_id": movie.tmdb_id,
                "title": movie.title,
                "year": movie.year,
            }

    async def search() -> Any:
        async with build_aggregator(settings, record=False) as aggregator:
            return await aggregator.search(query.title, query.year, limit=1)

    from movieagg.commands.common import run

    found = run(search, settings, status=f"Looking up {query.title!r}…")
    if not found:
        fail(f"no film matches {query.title!r}", 1)
    top = found[0]
    if top.imdb_id is None and top.tmdb_id is not None:
        film = store.film_by_tmdb(top.tmdb_id)
        if film is not None:
            return film
    return {"imdb_id": top.imdb_id, "tmdb_id": top.tmdb_id, "title": top.title, "year": top.year}


def _render_film(film: dict[str, Any], groups: list[dict[str, Any]], observations: int, points: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from movieagg.commands.common import stdout
    from movieagg.core.untrusted import printable

    console = stdout()
    heading = Text(printable(film["title"] or film["imdb_id"]), style="bold")
    if film.get("year"):
        heading.append(f" ({film['year']})")
    ids = " · ".join(
        x for x in (film.get("imdb_id"), f"tmdb {film['tmdb_id']}" if film.get("tmdb_id") else None) if x
    )
    console.print(Text.assemble(heading, ("  " + printable(ids), "dim")))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column, justify in (
        ("Rating", "left"),
        ("Via", "left"),
        ("First", "right"),
        ("Latest", "right"),
        ("Change", "right"),
        ("Trend", "left"),
        ("n", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for entry in groups:
        first, last = entry["points"][0], entry["points"][-1]
        change = entry["change"]
        style = "bright_blue" if change > 0 else "dark_orange" if change < 0 else "dim"
        table.add_row(
            Text(printable(entry["label"])),
            Text(printable(entry["source"]), style="dim"),
            _display(first, entry),
            _display(last, entry),
            Text(f"{change:+.1f}" if change else "=", style=style),
            Text(sparkline([p["normalized"] for p in entry["points"]]), style="cyan"),
            str(len(entry["points"])),
        )
    console.print(table)
    if points:
        detail = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("When (UTC)", "Rating", "Value", "0–100", "Votes"):
            detail.add_column(column, justify="left" if column in ("When (UTC)", "Rating") else "right")
        rows = sorted(
            ((p["at"], e, p) for e in groups for p in e["points"]), key=lambda r: (r[0], r[1]["label"])
        )
        for at, entry, point in rows:
            detail.add_row(
                _when(at),
                Text(printable(entry["label"])),
                _display(point, entry),
                f"{point['normalized']:.0f}",
                f"{point['votes']:,}" if point["votes"] is not None else "—",
            )
        console.print(detail)
    span = (
        min(p["at"] for e in groups for p in e["points"]),
        max(p["at"] for e in groups for p in e["points"]),
    )
    console.print(
        Text(
            f"{observations} observations from {_when(span[0])} to {_when(span[1])} UTC; "
            "change is in points on the 0–100 scale",
            style="dim",
        )
    )


def _render_searches(entries: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    from movieagg.commands.common import stdout
    from movieagg.core.untrusted import printable

    console = stdout()
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("When (UTC)", no_wrap=True)
    table.add_column("Query")
    table.add_column("Film")
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Cache", no_wrap=True)
    table.add_column("Result", min_width=22)
    for e in entries:
        query = e["query"]["title"] + (f" ({e['query']['year']})" if e["query"].get("year") else "")
        movie = e.get("movie") or {}
        film = ""
        if movie.get("title"):
            film = movie["title"] + (f" ({movie['year']})" if movie.get("year") else "")
        cache = (
            Text("stale", style="yellow")
            if e["stale"]
            else Text("hit", style="green")
            if e["cached"]
            else Text("miss", style="dim")
        )
        errors = e.get("errors") or []
        if e["outcome"] == "ok":
            failed = ",".join(dict.fromkeys(x["source"] for x in errors))
            result = Text(
                printable(f"ok; failed: {failed}") if errors else "ok",
                style="yellow" if errors else "default",
            )
        else:
            detail = errors[0]["message"] if errors else ""
            result = Text(printable(f"{e['outcome']}: {detail}")[:60], style="red")
        table.add_row(
            _when(e["at"]),
            Text(printable(query)),  # Text, not markup: a query may hold "[/]"
            Text(printable(film or "—")),
            f"{e['score']:.0f}" if e.get("score") is not None else "—",
            cache,
            result,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n"
        '  movieagg history "The Matrix"\n\n'
        '  movieagg history "Dune" --year 1984 --points\n\n'
        "  movieagg history tt0133093 --json\n\n"
        "  movieagg history --searches --limit 50\n\n"
        "Every fresh `movieagg rate` records each source's rating; history shows how they moved. "
        "Exit 1: no such film or no history yet; 8: the database is unreachable."
    )
    def history(
        title: Annotated[
            str | None, typer.Argument(help="The film's title (as you rated it) or its IMDb id.")
        ] = None,
        year: Annotated[
            str | None,
            typer.Option("--year", "-y", metavar="YEAR", help="Release year (±1 is tolerated)."),
        ] = None,
        searches: Annotated[
            bool, typer.Option("--searches", help="Show the search log (recent lookups) instead.")
        ] = False,
        limit: Annotated[
            int | None,
            typer.Option(
                "--limit",
                "-n",
                min=1,
                max=10_000,
                help="How many lookups (--searches; 20) or newest observations.",
            ),
        ] = None,
        points: Annotated[bool, typer.Option("--points", help="Also list every observation.")] = False,
        json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    ) -> None:
        """How a film's ratings changed over time (table and trend chart), or the search log."""
        from movieagg.commands.common import fail, load_settings, setup_logging
        from movieagg.core.errors import MovieAggError
        from movieagg.core.models import validate_year
        from movieagg.store import database_url, open_store
        from movieagg.store.sql import safe_url

        settings = load_settings()
        setup_logging(settings)
        try:
            year_number = validate_year(year)  # as every face does (ASCII digits only)
        except MovieAggError as exc:
            fail(str(exc), exc.exit_code)
        if not searches and title is None:
            fail("give a film title or IMDb id, or --searches for the search log", 2)
        if searches and title is not None:
            fail("--searches shows every recent lookup: leave out the title", 2)
        try:
            store = open_store(settings)  # a URL movieagg cannot use: one line, exit 3
        except MovieAggError as exc:
            fail(str(exc), exc.exit_code)
        _flush_first(settings)
        try:
            if searches:
                entries = store.searches(limit or 20)
                if json_output:
                    from movieagg._jsonout import write_json

                    write_json(entries)
                elif not entries:
                    typer.echo('no lookups recorded yet: `movieagg rate "…"` records one')
                else:
                    _render_searches(entries)
                return
            assert title is not None
            film = _resolve(title, year_number, settings, store)
            observations = store.history(
                film["imdb_id"] or "", limit=limit or 5000, tmdb_id=film.get("tmdb_id")
            )
            if not observations:
                name = film["title"] + (f" ({film['year']})" if film.get("year") else "")
                fail(
                    f"no rating history for {name} {film.get('imdb_id') or ''} yet: "
                    f"`movieagg rate` records one".replace("  ", " "),
                    1,
                )
            groups = series(observations)
            if json_output:
                from movieagg._jsonout import write_json

                write_json({"movie": film, "series": groups, "observations": len(observations)})
            else:
                _render_film(film, groups, len(observations), points)
        except (typer.Exit, BrokenPipeError):
            raise
        except MovieAggError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            fail(
                f"cannot read the history from {safe_url(database_url(settings))} ({type(exc).__name__})",
                StoreError.exit_code,
            )
        finally:
            store.close()
