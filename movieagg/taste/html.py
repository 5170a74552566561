"""The taste report as one self-contained HTML page: inline CSS and SVG charts, nothing fetched.

No script, no font, no image from anywhere: the page opens offline and sends nothing. Every
title (from the export or upstream) is HTML-escaped; numbers are formatted by us.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

CSS = """
:root { color-scheme: light dark; --fg:#1d1d1f; --bg:#fff; --muted:#6b6b73; --you:#2563eb;
  --cons:#c026d3; --grid:#d4d4d8; --good:#15803d; --bad:#b91c1c; }
@media (prefers-color-scheme: dark) { :root { --fg:#ececf1; --bg:#18181b; --muted:#a1a1aa;
  --grid:#3f3f46; --you:#60a5fa; --cons:#e879f9; --good:#4ade80; --bad:#f87171; } }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 1.5rem; max-width: 60rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.muted { color: var(--muted); } .good { color: var(--good); } .bad { color: var(--bad); }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid var(--grid); border-radius: .5rem; padding: .6rem .9rem; min-width: 9rem; }
.card b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .25rem .5rem; text-align: left;
  border-bottom: 1px solid var(--grid); vertical-align: top; } td.n, th.n { text-align: right;
  font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; } .charts figure { margin: 0; flex: 1 1 22rem; }
svg { width: 100%; height: auto; } svg text { fill: var(--fg); font-size: 11px; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 .8rem;
  vertical-align: -.1rem; } code { font-size: .9em; word-break: break-all; }
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _film(entry: Mapping[str, Any]) -> str:
    title = _e(entry.get("title") or entry.get("imdb_id") or "?")
    return f"{title} ({_e(entry['year'])})" if entry.get("year") else title


def histogram_svg(h: Mapping[str, Any]) -> str:
    w, ht, left, right, top_pad, bottom = 420, 240, 30, 14, 14, 24
    bins = len(h["you"])
    step = -(-max([*h["you"], *h["consensus"], 1]) // 4)  # whole films per gridline
    top = step * 4
    slot = (w - left - right) / bins
    plot = ht - bottom - top_pad
    parts = [
        f'<svg viewBox="0 0 {w} {ht}" role="img" aria-label="Histogram of your ratings and the consensus">'
    ]
    for i in range(5):
        y = top_pad + plot * i / 4
        value = step * (4 - i)
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="var(--grid)"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i in range(bins):
        for j, (key, colour) in enumerate((("you", "var(--you)"), ("consensus", "var(--cons)"))):
            n = h[key][i]
            bh = plot * n / top
            x = left + slot * i + 2 + j * (slot - 4) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{ht - bottom - bh:.1f}" width="{(slot - 4) / 2:.1f}" '
                f'height="{bh:.1f}" '
                f'fill="{colour}"><title>{_e(key)} {h["edges"][i]}–{h["edges"][i + 1]}: {n}</title></rect>'
            )
    for i, edge in enumerate(h["edges"]):
        parts.append(f'<text x="{left + slot * i:.1f}" y="{ht - 8}" text-anchor="middle">{edge}</text>')
    parts.append("</svg>")
    return "".join(parts)


def scatter_svg(points: Sequence[Mapping[str, Any]]) -> str:
    size, pad = 320, 30
    span = size - 2 * pad
    parts = [f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="You against the consensus">']
    for v in range(0, 101, 20):
        x = pad + span * v / 100
        y = size - pad - span * v / 100
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{pad}" y2="{size - pad}" stroke="var(--grid)"/>')
        parts.append(f'<line x1="{pad}" x2="{size - pad}" y1="{y:.1f}" y2="{y:.1f}" stroke="var(--grid)"/>')
        parts.append(f'<text x="{x:.1f}" y="{size - pad + 14}" text-anchor="middle">{v}</text>')
        parts.append(f'<text x="{pad - 4}" y="{y + 4:.1f}" text-anchor="end">{v}</text>')
    parts.append(
        f'<line x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}" stroke="var(--muted)" '
        'stroke-dasharray="4 3"/>'
    )
    for p in points:
        x = pad + span * float(p["consensus"]) / 100
        y = size - pad - span * float(p["you"]) / 100
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="var(--you)" fill-opacity=".55">'
            f"<title>{_film(p)}: you {float(p['you']):g}, "
            f"consensus {float(p['consensus']):g}</title></circle>"
        )
    parts.append(
        f'<text x="{size / 2}" y="{size - 4}" text-anchor="middle">consensus</text>'
        f'<text x="10" y="{size / 2}" transform="rotate(-90 10 {size / 2})" '
        'text-anchor="middle">you</text></svg>'
    )
    return "".join(parts)


def _rho(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def render_html(data: Mapping[str, Any]) -> str:
    ex, you, w = data["export"], data["you"], data["weights"]
    kind = {"letterboxd": "Letterboxd", "imdb": "IMDb"}.get(ex["kind"], ex["kind"])
    body: list[str] = [
        f"<h1>Your taste</h1><p class=muted>{_e(kind)} export · {ex['rated']} rated films · "
        "computed on your machine by movieagg</p>",
        '<div class="cards">',
        f"<div class=card>matched<b>{data['matched']}</b></div>",
        f"<div class=card>not matched<b>{len(data['unmatched'])}</b></div>",
        f"<div class=card>uncertain<b>{len(data['uncertain'])}</b></div>",
    ]
    if you["mean"] is not None:
        body += [
            f"<div class=card>your average<b>{you['mean']:g}</b></div>",
            f"<div class=card>consensus<b>{you['consensus_mean']:g}</b></div>",
            f"<div class=card>offset<b>{you['offset']:+g}</b></div>",
        ]
    body.append("</div>")
    legend = (
        '<p class="legend muted"><span style="background:var(--you)"></span>you'
        '<span style="background:var(--cons)"></span>consensus</p>'
    )
    body += [
        '<h2>Pictures</h2><div class="charts">',
        f"<figure>{histogram_svg(data['histogram'])}<figcaption>How you rate (films per band of 10){legend}"
        "</figcaption></figure>",
        f"<figure>{scatter_svg(data['points'])}<figcaption class=muted>Each dot a film; above the dashed "
        "line you liked it more than the consensus did.</figcaption></figure></div>",
    ]
    for key, head in (("above", "Most above the consensus"), ("below", "Most below the consensus")):
        if data[key]:
            body.append(f"<h2>{head}</h2><table><tr><th>Film</th><th class=n>You</th><th class=n>Consensus"
                        "</th><th class=n>Difference</th></tr>")  # fmt: skip
            for f in data[key]:
                cls = "good" if f["difference"] > 0 else "bad"
                body.append(
                    f"<tr><td>{_film(f)}</td><td class=n>{f['you']:g}</td><td class=n>{f['consensus']:g}</td>"
                    f"<td class='n {cls}'>{f['difference']:+g}</td></tr>"
                )
            body.append("</table>")
    body.append("<h2>Agreement with you</h2><p class=muted>Spearman's rank correlation between your "
                "ratings and each source's, over the films both rated.</p><table><tr><th>Source</th>"
                "<th>Family</th><th class=n>rho</th><th class=n>Films</th></tr>")  # fmt: skip
    for a in data["agreement"]:
        body.append(
            f"<tr><td>{_e(a['label'])}</td><td>{_e(a['family'])}</td><td class=n>{_rho(a['spearman'])}</td>"
            f"<td class=n>{a['films']}</td></tr>"
        )
    fam = data["families"]
    for name, label in (
        ("critics", "Critics (sub-score)"),
        ("audience", "Audience (sub-score)"),
        ("score", "The score"),
    ):
        body.append(
            f"<tr><td><b>{label}</b></td><td></td><td class=n>{_rho(fam[name]['spearman'])}</td>"
            f"<td class=n>{fam[name]['films']}</td></tr>"
        )
    body.append("</table><h2>Your weight profile</h2>")
    if w.get("fitted") is None:
        body.append(f"<p>{_e(w['reason'])} ({w['films']} films).</p>")
    else:
        verdict = (
            f"<p class=good>The fitted weights predict your ratings {w['gain']:g} points better on held-out "
            "films: <code>movieagg taste EXPORT --save-weights</code> makes them your default.</p>"
            if w["better"]
            else "<p class=bad>The fitted weights do no better than the default on held-out films; the "
            "default stays.</p>"
        )
        body += [
            f"<p>Fitted: <code>{_e(w['fitted_text'])}</code><br>"
            f"Default: <code>{_e(w['default_text'])}</code></p>",
            f"<p>Held-out error ({w['folds']}-fold, {w['films']} films): "
            f"fitted <b>{w['heldout_rmse_fitted']:g}</b>"
            f" · default <b>{w['heldout_rmse_default']:g}</b> points (RMSE).</p>",
            verdict,
        ]
    body.append(f"<p class=muted>Method: {_e(w['method'])}.</p>")
    for key, head in (("uncertain", "Uncertain matches"), ("unmatched", "Not matched")):
        if data[key]:
            body.append(f"<h2>{head} ({len(data[key])})</h2><table><tr><th class=n>Row</th><th>Film</th>"
                        "<th>Why</th></tr>")  # fmt: skip
            for r in data[key]:
                body.append(
                    f"<tr><td class=n>{_e(r['row'])}</td><td>{_film(r)}</td>"
                    f"<td>{_e(r.get('reason') or r['status'])}</td></tr>"
                )
            body.append("</table>")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Your taste — movieagg</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
