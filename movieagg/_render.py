"""Terminal output for the CLI: rich tables for people, JSON for programs.

Only the CLI imports this module. Colour follows rich's rules, so NO_COLOR and non-terminals
get plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from movieagg._jsonout import write_json  # noqa: F401  (kept importable from here)
from movieagg.core.models import Candidate, Rating, RatingResult
from movieagg.core.untrusted import printable  # every untrusted string, before it is shown


def _median(values: Sequence[float]) -> float:
    """``statistics.median`` (same arithmetic) without importing statistics (numbers, fractions,
    decimal, random: ~3 ms of a cached ``movieagg rate`` table)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def score_style(score: float | None) -> str:
    """Blue-to-orange rather than green-to-red: readable with red-green colour blindness."""
    if score is None:
        return "dim"
    if score >= 75:
        return "bold bright_blue"
    if score >= 60:
        return "bold cyan"
    if score >= 45:
        return "bold yellow"
    return "bold dark_orange"


def _bar(normalized: float, width: int = 10) -> str:
    filled = round(max(0.0, min(100.0, normalized)) / 100 * width)
    return "█" * filled + "·" * (width - filled)


def _votes(votes: int | None) -> str:
    if votes is None:
        return "—"
    if votes >= 1_000_000:
        return f"{votes / 1_000_000:.1f}M"
    if votes >= 10_000:
        return f"{votes / 1000:.0f}k"
    return f"{votes:,}"


def _match_lines(result: RatingResult) -> list[Text]:
    """How sure the answer is about the film: a dim line, or a visible warning when uncertain."""
    match = result.match
    if match is None:
        return []
    reasons = "; ".join(printable(r) for r in match.reasons)
    if match.uncertain:
        line = Text(f"⚠ uncertain match ({match.confidence:.2f}): ", style="bold yellow")
        line.append(reasons, style="yellow")
        hint = "add --year, rate it by IMDb id, or `movieagg pin` the film you mean"
        return [line, Text(hint, style="yellow")]
    return [Text(f"match {match.confidence:.2f}: {reasons}", style="dim")]


def _reviews(rating: Rating) -> str:
    noun = "reviews" if rating.family == "critics" else "votes"
    return f" ({_votes(rating.votes)} {noun})" if rating.votes else ""


def _rows_and_notes(ratings: Sequence[Rating]) -> tuple[list[Rating], list[str]]:
    """One row per rating (the copy that counts); a note for each copy or sibling counted once
    (notes hold upstream labels and source names: printable)."""
    by_name: dict[str, list[Rating]] = {}
    for rating in ratings:
        by_name.setdefault(rating.name, []).append(rating)
    rows = [max(copies, key=lambda r: r.weight) for copies in by_name.values()]
    notes: list[str] = []
    for row in rows:
        others = [r for r in by_name[row.name] if r is not row]
        also = ", ".join(f"{r.source}: {r.display()}{_reviews(r)}" for r in others)
        sibling = next((r for r in rows if r is not row and r.pool == row.pool and r.weight > 0), None)
        if row.weight == 0 and sibling is not None:
            by = f" (also reported by {', '.join(r.source for r in others)})" if others else ""
            notes.append(
                printable(
                    f"{row.label} {row.display()}{by} shares its reviews with {sibling.label}"
                    " — counted once, as that"
                )
            )
        elif others:
            notes.append(printable(f"{row.label} also reported by {also} — counted once"))
    return rows, notes


# Below these widths a table would have to cut cells; the layout changes instead.
_FULL_TABLE = 74  # every column, in a panel
_PANEL = 60  # below: no panel border, the heading is a line of its own


def _rating_table(result: RatingResult, shown: Sequence[Rating], width: int) -> Table:
    """Ratings as a table; at narrower widths the bar, the share and the source go first.

    Essential cells (label, value, votes) are folded onto a second line, never cut with "…".
    A rating far from the others is marked ≠ (see the note under the table).
    """
    full = width >= _FULL_TABLE
    far = {(o.name, o.source) for o in (result.agreement.outliers if result.agreement else ())}
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Rating", overflow="fold")
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("0–100", justify="right", no_wrap=True)
    if full:
        table.add_column("")
    table.add_column("Votes", justify="right", no_wrap=True)
    if full:
        table.add_column("Share", justify="right", no_wrap=True)
        table.add_column("Via", style="dim", overflow="fold")
    for rating in shown:
        counted = rating.weight > 0
        label = Text(printable(rating.label))
        if (rating.name, rating.source) in far:
            label.append(" ≠", style="bold magenta")  # far from the others (see the note below)
        cells: list[Any] = [label, rating.display(), f"{rating.normalized:.0f}"]
        if full:
            bar_style = score_style(rating.normalized).replace("bold ", "")
            cells.append(Text(_bar(rating.normalized), style=bar_style))
        cells.append(_votes(rating.votes))
        if full:
            cells += [f"{rating.weight:.0%}" if counted else "—", Text(printable(rating.source))]
        # dim: left out by the user's weights, or counted as another copy of its pool
        table.add_row(*cells, style=None if counted else "dim")
    return table


def _tv_line(result: RatingResult) -> str:
    tv = result.tv
    if tv is None:
        return ""
    if result.kind == "episode":
        where = f"S{tv.season or 0:02d}E{tv.episode or 0:02d}"
        return f"TV episode {where} of {tv.series_title or tv.series_imdb_id}"
    counts = ", ".join(
        x
        for x in (
            f"{tv.seasons} seasons" if tv.seasons else None,
            f"{tv.episodes} episodes" if tv.episodes else None,
        )
        if x
    )
    parts = [f"TV series {tv.years}" if tv.years else "TV series", counts, ", ".join(tv.networks)]
    if tv.creators:
        parts.append("created by " + ", ".join(tv.creators))
    return " · ".join(p for p in parts if p)


def render_result(result: RatingResult, console: Console, *, verbose: bool = False) -> None:
    movie = result.movie
    width = console.width
    heading = Text(printable(movie.title), style="bold")
    if movie.year:
        heading.append(f" ({movie.year})")
    ids = printable(
        " · ".join(x for x in (movie.imdb_id, f"tmdb {movie.tmdb_id}" if movie.tmdb_id else None) if x)
    )
    if result.score is None:
        score_line = Text("No score yet: no source has rated this film", style="dim")
    else:
        score_line = Text.assemble(
            ("Score ", "bold"), (f"{result.score:.0f}", score_style(result.score)), (" / 100", "dim")
        )
    subs = (("critics", result.critics), ("audience", result.audience))
    families = " · ".join(f"{name} {value:.0f}" for name, value in subs if value is not None)
    parts: list[Any] = []
    boxed = width >= _PANEL and len(heading) + 6 <= width and len(ids) + 6 <= width
    if not boxed:
        parts.append(heading)
        if ids:
            parts.append(Text(ids, style="dim"))
    if families and boxed:
        score_line.append("   " + families, style="bold")
    parts.append(score_line)
    if families and not boxed:  # a narrow terminal: the families on a line of their own, whole
        parts.append(Text(families, style="bold"))
    parts += _match_lines(result)
    details = printable(
        ", ".join(x for x in (f"{movie.runtime} min" if movie.runtime else None, movie.director) if x)
    )
    if result.tv is not None:  # a series' facts, or an episode's place (#16)
        details = printable(_tv_line(result))
    if details:
        parts.append(Text(details, style="dim"))
    shown, notes = _rows_and_notes(result.ratings)
    if result.ratings:
        parts.append(_rating_table(result, shown, width))
        if width < _FULL_TABLE:
            parts.append(Text("(shares and sources: a wider terminal, or --json)", style="dim"))
    parts.extend(Text(note, style="dim") for note in notes)
    outliers = result.agreement.outliers if result.agreement else ()
    if outliers:
        listed = printable(", ".join(f"{o.label} {o.normalized:.0f}" for o in outliers))
        centre = _median([o.centre for o in outliers])
        parts.append(Text(f"≠ far from the others (around {centre:.0f}): {listed}", style="magenta"))
    if result.watch is not None:
        parts.append(_watch_line(result))
    for error in result.errors:
        parts.append(Text(printable(f"⚠ {error.source}: {error.message}"), style="yellow"))
    if verbose:  # sources not asked (the anime ones, for another film) are detail, not errors
        parts.extend(Text(printable(f"{name}: {why}"), style="dim") for name, why in result.not_asked)
    origin = "from cache" if result.cached else "stale cache (sources failed)" if result.stale else "fresh"
    parts.append(Text(f"{origin} · fetched {result.fetched_at:%Y-%m-%d %H:%M} UTC", style="dim"))
    if boxed:
        console.print(Panel(Group(*parts), title=heading, subtitle=ids or None, expand=False))
    else:
        console.print(Group(*parts))
    if result.alternatives:
        others = "; ".join(
            f"{m.title} ({m.year}" + (f", {m.imdb_id})" if m.imdb_id else ")") for m in result.alternatives
        )
        console.print(
            Text(
                printable(f"Also called “{result.query.title}”: {others} — add --year to choose."),
                style="dim",
            ),
            highlight=False,
        )


def _watch_line(result: RatingResult) -> Text:
    """``Watch (GB): stream on Netflix · rent/buy on Apple TV — data by JustWatch`` (folds on a
    narrow terminal; provider names are untrusted)."""
    watch = result.watch
    assert watch is not None
    line = Text(f"Watch ({watch.region}): ", style="bold")
    line.append(printable(watch.summary()))
    line.append(f" — data by {watch.attribution}", style="dim")
    return line


def render_candidates(candidates: Sequence[Candidate], console: Console) -> None:
    """Title folds onto more lines at narrow widths; ids, years and votes are never cut."""
    narrow = console.width < 60
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=narrow)
    for column in ("#", "Title", "Year", "IMDb", "TMDB", "Votes"):
        if narrow and column == "#":
            continue
        table.add_column(
            column,
            justify="right" if column in ("#", "Year", "Votes") else "left",
            no_wrap=column != "Title",
            overflow="fold",
            ratio=1 if column == "Title" else None,
        )
    for i, c in enumerate(candidates, 1):
        title = Text(printable(c.title))  # a Text, not markup: a title may hold "[/]"
        if c.original_title:
            title.append(f" ({printable(c.original_title)})", style="dim")
        year, imdb, tmdb = str(c.year or "—"), Text(printable(c.imdb_id or "—")), str(c.tmdb_id or "—")
        cells: list[Any] = [title, year, imdb, tmdb, _votes(c.votes)]
        if not narrow:
            cells.insert(0, str(i))
        table.add_row(*cells)
    console.print(table)


def render_sources(rows: Sequence[dict[str, Any]], console: Console) -> None:
    """Sign-up URLs, the one thing people come here for, are printed whole on lines of their own."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    narrow = console.width < 60
    for column in ("Source", "Status") if narrow else ("Source", "Status", "Provides", "Needs"):
        table.add_column(column, overflow="fold")
    signups: list[tuple[str, str]] = []
    for row in rows:
        status = Text("ready", style="green") if row["configured"] else Text("not configured", style="yellow")
        if row["configured"] and not row["enabled"]:
            status = Text("configured, not selected", style="dim")
        url = row.get("signup_url")
        needs = str(row["needs"])
        if url:
            needs = needs.replace(f"; get one at {url}", "")
            signups.append((row["name"], url))
        if narrow:
            table.add_row(Text(printable(str(row["name"]))), status)
            table.add_row("", Text(printable(needs), style="dim"))
        else:
            label, provides = (Text(printable(str(row[k]))) for k in ("name", "provides"))
            table.add_row(label, status, provides, Text(printable(needs)))
    console.print(table)
    if signups:
        console.print(Text("Get a key:", style="bold"))
        for name, url in signups:
            # soft_wrap: never broken by rich; a narrow terminal wraps it and it still copies whole
            console.print(Text.assemble(f"  {name}: ", (url, f"link {url}")), soft_wrap=True)
