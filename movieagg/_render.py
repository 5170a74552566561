"""Terminal output for the CLI: rich tables for people, JSON for programs.

Only the CLI imports this module. Colour follows rich's rules, so NO_COLOR and non-terminals
get plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from movieagg._jsonout import write_json  # noqa: F401  (kept importable from here)
from movieagg.core.models import Candidate, Rating, RatingResult
from movieagg.core.text import printable


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
    """One row per rating (the copy that counts); a note for each copy or sibling counted once."""
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
                f"{printable(row.label)} {row.display()}{by} shares its reviews with "
                f"{printable(sibling.label)} — counted once, as that"
            )
        elif others:
            notes.append(f"{printable(row.label)} also reported by {also} — counted once")
    return rows, notes


def render_result(result: RatingResult, console: Console) -> None:
    movie = result.movie
    heading = Text(printable(movie.title), style="bold")
    if movie.year:
        heading.append(f" ({movie.year})")
    ids = " · ".join(x for x in (movie.imdb_id, f"tmdb {movie.tmdb_id}" if movie.tmdb_id else None) if x)
    score_text = Text(
        "no score" if result.score is None else f"{result.score:.0f}", style=score_style(result.score)
    )
    score_text.append(" / 100" if result.score is not None else "", style="dim")

    shown, notes = _rows_and_notes(result.ratings)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Rating")
    table.add_column("Value", justify="right")
    table.add_column("0–100", justify="right")
    table.add_column("")
    table.add_column("Votes", justify="right")
    table.add_column("Share", justify="right")
    table.add_column("Via", style="dim")
    far = {(o.name, o.source): o for o in (result.agreement.outliers if result.agreement else ())}
    for rating in shown:
        counted = rating.weight > 0
        label = Text(printable(rating.label))
        if (rating.name, rating.source) in far:
            label.append(" ≠", style="bold magenta")  # far from the others (see the note below)
        table.add_row(
            label,
            rating.display(),
            f"{rating.normalized:.0f}",
            Text(_bar(rating.normalized), style=score_style(rating.normalized).replace("bold ", "")),
            _votes(rating.votes),
            f"{rating.weight:.0%}" if counted else "—",
            rating.source,
            style=None if counted else "dim",  # left out by the user's weights, or counted as another
        )
    headline = Text.assemble(("Score ", "bold"), score_text)
    subs = (("critics", result.critics), ("audience", result.audience))
    families = [f"{name} {value:.0f}" for name, value in subs if value is not None]
    if families:
        headline.append("   " + " · ".join(families), style="bold")
    parts: list[Any] = [headline, *_match_lines(result)]
    details = ", ".join(x for x in (f"{movie.runtime} min" if movie.runtime else None, movie.director) if x)
    if details:
        parts.append(Text(details, style="dim"))
    parts.append(
        table if result.ratings else Text("No source has a rating for this film yet.", style="yellow")
    )
    parts.extend(Text(note, style="dim") for note in notes)
    if far:
        listed = ", ".join(f"{printable(o.label)} {o.normalized:.0f}" for o in far.values())
        centre = median(o.centre for o in far.values())
        parts.append(Text(f"≠ far from the others (around {centre:.0f}): {listed}", style="magenta"))
    for error in result.errors:
        parts.append(Text(f"⚠ {error.source}: {error.message}", style="yellow"))
    origin = "from cache" if result.cached else "stale cache (sources failed)" if result.stale else "fresh"
    parts.append(Text(f"{origin} · fetched {result.fetched_at:%Y-%m-%d %H:%M} UTC", style="dim"))
    console.print(Panel(Group(*parts), title=heading, subtitle=ids or None, expand=False))
    if result.alternatives:
        others = ", ".join(
            f"{m.year}" + (f" ({m.imdb_id})" if m.imdb_id else "") for m in result.alternatives
        )
        console.print(
            Text(f"Also titled “{movie.title}”: {others} — add --year to choose.", style="dim"),
            highlight=False,
        )


def render_candidates(candidates: Sequence[Candidate], console: Console) -> None:
    table = Table(box=None, header_style="bold")
    for column in ("#", "Title", "Year", "IMDb", "TMDB", "Votes"):
        table.add_column(column, justify="right" if column in ("#", "Year", "Votes") else "left")
    for i, c in enumerate(candidates, 1):
        title = c.title if not c.original_title else f"{c.title} [dim]({c.original_title})[/dim]"
        table.add_row(
            str(i), title, str(c.year or "—"), c.imdb_id or "—", str(c.tmdb_id or "—"), _votes(c.votes)
        )
    console.print(table)


def render_sources(rows: Sequence[dict[str, Any]], console: Console) -> None:
    table = Table(box=None, header_style="bold")
    for column in ("Source", "Status", "Provides", "Needs"):
        table.add_column(column)
    for row in rows:
        status = Text("ready", style="green") if row["configured"] else Text("not configured", style="yellow")
        if row["configured"] and not row["enabled"]:
            status = Text("configured, not selected", style="dim")
        table.add_row(row["name"], status, row["provides"], row["needs"])
    console.print(table)
