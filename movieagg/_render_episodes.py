"""The episode grid in a terminal: a season × episode heatmap whose numbers are printed (the
colour only repeats them), per-season averages, the best and worst episodes.

Only the CLI imports this module. Rows wrap to the console's width (a 40-column terminal gets
a few episodes a line); NO_COLOR and non-terminals get the same text without colour. Thin
ratings (few votes) carry a ``*``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from movieagg.core.episodes import THIN_VOTES, Episode, EpisodeGrid
from movieagg.core.untrusted import printable

_CELL = 5  # "9.9* " — a rating, the thin mark, a space
_LABEL = 4  # "S01 "
_SOURCE_LABELS = {"imdb": "IMDb", "tmdb": "TMDB", "trakt": "Trakt"}


def cell_style(rating: float | None) -> str:
    """Blue (best) to orange (worst), readable with red-green colour blindness, as for films."""
    if rating is None:
        return "dim"
    if rating >= 9.0:
        return "bold white on blue"
    if rating >= 8.0:
        return "black on bright_cyan"
    if rating >= 7.0:
        return "black on cyan"
    if rating >= 6.0:
        return "black on yellow"
    return "black on dark_orange"


def _cell(e: Episode | None) -> Text:
    if e is None:
        return Text(" " * _CELL)
    if e.rating is None:
        return Text(" –  ", style="dim") + Text(" ")
    mark = "*" if e.thin else " "
    return Text(f"{e.rating:3.1f}"[:3] if e.rating < 10 else "10 ", style=cell_style(e.rating)) + Text(
        mark + " "
    )


def render_grid(grid: EpisodeGrid, console: Any) -> None:
    series = grid.series
    head = Text(printable(series.title), style="bold")
    if series.years:
        head.append(f" ({printable(series.years)})")
    label = _SOURCE_LABELS.get(grid.source, grid.source)
    head.append(f" — {label} episode ratings", style="dim")
    console.print(head)
    width = max(20, int(getattr(console, "width", 80) or 80))
    avg_width = 9  # " avg 8.47"
    per_line = max(1, (width - _LABEL - avg_width) // _CELL)
    longest = max((max((e.episode for e in s.episodes), default=0) for s in grid.seasons), default=0)
    per_line = min(per_line, max(1, longest))
    for start in range(1, longest + 1, per_line):
        numbers = range(start, min(longest, start + per_line - 1) + 1)
        header = Text(" " * _LABEL, style="dim")
        for n in numbers:
            header.append(f"E{n:<{_CELL - 1}}"[: _CELL - 1] + " ", style="dim")
        console.print(header, no_wrap=True, overflow="ellipsis")
        for season in grid.seasons:
            by_number = {e.episode: e for e in season.episodes}
            if not any(n in by_number for n in numbers):
                continue
            line = Text(f"S{season.season:02d} ", style="bold")
            for n in numbers:
                line.append_text(_cell(by_number.get(n)))
            if start == 1:
                average = season.average
                line.append(f" avg {average:.2f}" if average is not None else " avg –", style="bold")
            console.print(line, no_wrap=True, overflow="ellipsis")
    if not grid.seasons:
        console.print(Text("no season could be drawn", style="yellow"))
    for title, episodes in (("Best", grid.best()), ("Worst", grid.worst())):
        if not episodes:
            continue
        console.print(Text(f"{title}:", style="bold"))
        for e in episodes:
            name = printable(e.title or "")
            console.print(Text(f"  S{e.season:02d}E{e.episode:02d} {e.rating:.1f}  {name}"), overflow="fold")
    if any(e.thin for s in grid.seasons for e in s.episodes):
        console.print(Text(f"* thin: fewer than {THIN_VOTES} votes", style="dim"))
    for error in grid.errors:
        console.print(Text(f"! {printable(error.source)}: {printable(error.message)}", style="yellow"))
    if grid.cached:
        console.print(Text("(cached)", style="dim"))
