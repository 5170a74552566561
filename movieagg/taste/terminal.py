"""The taste report in a terminal: text, bars, histograms and a scatter that fit 40 columns.

Titles come from the export and from upstream: every one goes through ``printable()`` and rich's
``escape`` before it is printed. Colour is rich's, so ``NO_COLOR`` turns it off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape

from movieagg.core.untrusted import printable

BLOCKS = " ▏▎▍▌▋▊▉█"


def _film(entry: Mapping[str, Any], width: int) -> str:
    title = printable(str(entry.get("title") or entry.get("imdb_id") or "?"))
    text = f"{title} ({entry['year']})" if entry.get("year") else title
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar of ``value`` out of ``top`` in ``width`` cells (eighths of a cell)."""
    if top <= 0 or width <= 0:
        return ""
    eighths = round(max(0.0, min(value / top, 1.0)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


def scatter(points: Sequence[Mapping[str, Any]], width: int, height: int) -> list[str]:
    """Rows of a text scatter: the consensus across (0–100), you up (0–100), ╱ where they agree."""
    grid = [[0] * width for _ in range(height)]
    for p in points:
        x = min(int(float(p["consensus"]) / 100 * width), width - 1)
        y = min(int(float(p["you"]) / 100 * height), height - 1)
        grid[height - 1 - y][x] += 1
    rows = []
    for r, cells in enumerate(grid):
        level = (height - 1 - r + 0.5) / height
        line = []
        for c, n in enumerate(cells):
            if n:
                line.append("●" if n >= 4 else "•" if n >= 2 else "∙")
            elif int(level * width) == c:
                line.append("[dim]╱[/]")
            else:
                line.append(" ")
        rows.append("".join(line))
    return rows


def render(data: Mapping[str, Any], console: Any) -> None:
    width = max(min(console.width, 100), 30)
    out = console.print
    ex = data["export"]
    kind = {"letterboxd": "Letterboxd", "imdb": "IMDb"}.get(ex["kind"], ex["kind"])
    out(f"[bold]Your taste[/] — {kind} export, {ex['rated']:,} rated films")
    out(
        f"matched {data['matched']:,} · unmatched {len(data['unmatched']):,} · "
        f"uncertain {len(data['uncertain']):,}"
    )
    you = data["you"]
    if you["mean"] is None:
        out("[yellow]No film matched: nothing to compare.[/]")
        _rows(data, console, width)
        return
    word = "higher" if you["offset"] > 0 else "lower" if you["offset"] < 0 else "the same"
    out("")
    out("[bold]You against the consensus[/] (0–100)")
    out(
        f"you average {you['mean']:g}, the consensus {you['consensus_mean']:g}: {abs(you['offset']):g} {word}"
    )
    name_w = max(width - 22, 10)
    for key, head in (("above", "Most above the consensus"), ("below", "Most below the consensus")):
        if data[key]:
            out(f"[bold]{head}[/]")
            for f in data[key]:
                style = "green" if f["difference"] > 0 else "red"
                out(
                    f"[{style}]{f['difference']:+5.0f}[/] {escape(_film(f, name_w))}"
                    f" [dim]{f['you']:g}/{f['consensus']:g}[/]",
                    soft_wrap=True,
                )
    out("")
    out("[bold]Agreement with you[/] (Spearman's rho, films)")
    label_w = 15 if width >= 50 else 12
    bar_w = max(min(width - 16 - label_w, 30), 5)
    for a in data["agreement"]:
        rho = a["spearman"]
        shown = "   —" if rho is None else f"{rho:+.2f}"
        label = printable(a["label"])
        label = label if len(label) <= label_w else label[: label_w - 1] + "…"
        out(
            f"{escape(label):<{label_w}} {bar(max(rho or 0, 0), 1, bar_w):<{bar_w}} "
            f"{shown} [dim]n={a['films']}[/]",
            highlight=False,
        )
    fam = data["families"]

    def rho_text(name: str) -> str:
        rho = fam[name]["spearman"]
        return f"{'—' if rho is None else f'{rho:+.2f}'} (n={fam[name]['films']})"

    out(f"critics {rho_text('critics')} · audience {rho_text('audience')}")
    out(f"the score {rho_text('score')}")
    _histograms(data, console, width)
    out("")
    out("[bold]You (up) against the consensus (across)[/]")
    plot_w = max(min(width - 6, 60), 20)
    plot_h = max(min(plot_w // 3, 16), 8)
    for i, row in enumerate(scatter(data["points"], plot_w, plot_h)):
        label = "100" if i == 0 else "  0" if i == plot_h - 1 else "   "
        out(f"{label}│{row}", highlight=False)
    out("   └" + "─" * plot_w)
    out("    0" + " " * max(plot_w - 6, 1) + "100")
    _profile(data["weights"], console)
    _rows(data, console, width)


def _histograms(data: Mapping[str, Any], console: Any, width: int) -> None:
    h = data["histogram"]
    top = max([*h["you"], *h["consensus"], 1])
    bar_w = max((width - 20) // 2, 4)
    console.print("")
    console.print("[bold]How you rate[/] [cyan]you[/] / [magenta]consensus[/] (films per band)")
    edges = h["edges"]
    for i, (a, b) in enumerate(zip(h["you"], h["consensus"], strict=True)):
        band = f"{edges[i]:>3}–{edges[i + 1]:<3}"
        console.print(
            f"{band} [cyan]{bar(a, top, bar_w):<{bar_w}}[/]{a:>4} "
            f"[magenta]{bar(b, top, bar_w):<{bar_w}}[/]{b:>4}",
            highlight=False,
            soft_wrap=True,
        )


def _profile(w: Mapping[str, Any], console: Any) -> None:
    out = console.print
    out("")
    out("[bold]Your weight profile[/]")
    if w.get("fitted") is None:
        out(f"[yellow]{escape(w['reason'])}[/] ({w['films']} films)")
        return
    out(f"fitted: {w['fitted_text']}")
    out(f"default: {w['default_text']}")
    out(
        f"held-out error ({w['folds']}-fold, {w['films']} films): fitted {w['heldout_rmse_fitted']:g}"
        f" · default {w['heldout_rmse_default']:g} points"
    )
    if w["better"]:
        out(f"[green]the fitted weights predict you {w['gain']:g} points better[/]; "
            "--save-weights makes them your default")  # fmt: skip
    elif w.get("kept_default"):
        out("[yellow]your ratings do not favour any source enough: the default weights stay[/]")
    else:
        out("[yellow]the fitted weights do no better than the default on held-out films[/] "
            "(--save-weights would not save them without --force)")  # fmt: skip
    out(f"[dim]method: {escape(w['method'])}[/]", soft_wrap=False)


def _rows(data: Mapping[str, Any], console: Any, width: int) -> None:
    name_w = max(width - 14, 12)
    for key, head in (("uncertain", "Uncertain matches (review them)"), ("unmatched", "Not matched")):
        rows = data[key]
        if not rows:
            continue
        console.print("")
        console.print(f"[bold]{head}[/] ({len(rows)})")
        for r in rows[:50]:
            console.print(f"row {r['row']:<4} {escape(_film(r, name_w))}", soft_wrap=True, highlight=False)
            if r.get("film"):  # uncertain: the film it was matched to
                console.print(f"  → {escape(_film(r['film'], name_w))}", soft_wrap=True, highlight=False)
            console.print(
                f"  [dim]{escape(printable(str(r.get('reason') or r['status'])))}[/]", soft_wrap=False
            )
        if len(rows) > 50:
            console.print(f"[dim]… and {len(rows) - 50} more (--json lists them all)[/]")
