"""The HTML report: self-contained, escaped, and drawn by a real browser (Debian's Chromium)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from movieagg.taste.html import histogram_svg, render_html, scatter_svg

EVIL = '<img src=x onerror="alert(1)">&"\''


def sample() -> dict[str, Any]:
    film = {"title": EVIL, "year": 2001, "imdb_id": "tt0000001"}
    return {
        "export": {"kind": "letterboxd", "scale": 5.0, "rows": 3, "rated": 3},
        "matched": 2,
        "unmatched": [{"row": 3, "title": EVIL, "year": None, "imdb_id": None, "rating": "4",
                       "status": "not_found", "reason": f"no film matches {EVIL}"}],
        "uncertain": [],
        "you": {"mean": 70.0, "consensus_mean": 65.0, "offset": 5.0},
        "above": [{**film, "you": 90.0, "consensus": 70.0, "difference": 20.0}],
        "below": [],
        "agreement": [{"name": "imdb", "label": "IMDb", "family": "audience", "films": 2, "spearman": None}],
        "families": {k: {"films": 2, "spearman": None} for k in ("critics", "audience", "score")},
        "weights": {"method": "m", "films": 2, "folds": 5, "seed": 17, "default": {},
                    "default_text": "(every weight 1)", "fitted": None, "reason": "10 matched films are needed"},
        "histogram": {"edges": list(range(0, 101, 10)), "you": [0] * 5 + [1] * 2 + [0] * 3,
                      "consensus": [0] * 6 + [2] + [0] * 3},
        "points": [{**film, "you": 90.0, "consensus": 70.0}, {**film, "you": 50.0, "consensus": 60.0}],
    }  # fmt: skip


def test_untrusted_titles_are_escaped_everywhere() -> None:
    html = render_html(sample())
    assert "<img" not in html and 'onerror="' not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&quot;&#x27;") >= 4


def test_nothing_is_fetched_from_anywhere() -> None:
    html = render_html(sample()).replace(EVIL.replace("<", "&lt;").replace(">", "&gt;"), "")
    html = re.sub(r"&lt;img src=x.*?&#x27;", "", html)  # the title, as text
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"\b(src|href)\s*=|@import|url\(|//[a-z]", html, re.IGNORECASE)
    assert "default-src 'none'" in html  # and the page says so to the browser


def test_charts_place_the_points() -> None:
    svg = scatter_svg([{"title": "A", "year": None, "you": 100.0, "consensus": 0.0}])
    assert '<circle cx="30.0" cy="30.0"' in svg  # top left: you 100, consensus 0
    bars = histogram_svg({"edges": list(range(0, 101, 10)), "you": [4] + [0] * 9, "consensus": [0] * 9 + [2]})
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', bars)]
    assert max(heights) == heights[0] and heights[-1] == pytest.approx(heights[0] / 2)


def _png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct colours of an 8-bit RGB/RGBA PNG (enough for a screenshot)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, kind = 8, b"", 0, 0, 2
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if tag == b"IHDR":
            width, height, _, kind = struct.unpack(">IIBB", body[:10])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    bpp = 4 if kind == 6 else 3
    stride = width * bpp
    colours: set[bytes] = set()
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 7 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, bpp * 5))
        prev = line
    return width, height, colours


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_chromium_renders_the_charts(tmp_path: Path) -> None:
    page = tmp_path / "taste.html"
    page.write_text(render_html(sample()), encoding="utf-8")
    shot = tmp_path / "taste.png"
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=900,1200", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.exists(), "Chromium wrote no screenshot"
    width, height, colours = _png_pixels(shot)
    assert (width, height) == (900, 1200)
    you = {bytes((0x25, 0x63, 0xEB)), bytes((0x60, 0xA5, 0xFA))}  # --you, light or dark scheme
    cons = {bytes((0xC0, 0x26, 0xD3)), bytes((0xE8, 0x79, 0xF9))}
    assert colours & you, "no bar in your colour was drawn"
    assert colours & cons, "no bar in the consensus colour was drawn"
