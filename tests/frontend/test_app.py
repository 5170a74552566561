"""The React app's own checks, run from pytest: types, component tests, the build and its size."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.frontend.conftest import FRONTEND, node_tool, run, tail


def test_typescript_types_check() -> None:
    proc = run([node_tool("tsc"), "-b", "--pretty", "false"], timeout=180)
    assert proc.returncode == 0, f"tsc found type errors:\n{tail(proc)}"


def test_component_tests_pass() -> None:
    """Vitest + Testing Library: search, result, error states, routes (frontend/src/**/*.test.tsx)."""
    proc = run([node_tool("vitest"), "run", "--reporter=dot"], timeout=300)
    assert proc.returncode == 0, f"vitest failed:\n{tail(proc, 120)}"
    assert re.search(r"Tests\s+.*\d+ passed", proc.stdout), tail(proc)


def test_build_has_no_inline_script_and_no_external_asset(site: Path) -> None:
    html = (site / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, html
    assert all(" src=" in s for s in scripts), f"inline script in index.html: {scripts}"
    # Every stylesheet, script, icon and font comes from this origin.
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert attr.startswith("/"), f"external reference in index.html: {attr}"
    css = "".join(p.read_text() for p in (site / "assets").glob("*.css"))
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "the CSS loads something from another host"
    assert "@import" not in css
    assert "@font-face" not in css  # system fonts only
    js = "".join(p.read_text() for p in (site / "assets").glob("*.js"))
    assert not re.search(r"https?://[^\"'`\s]*\.(?:js|css|woff2?)\b", js), (
        "the JS loads code or fonts from a host"
    )


def test_hashed_asset_names(site: Path) -> None:
    """Long-lived caching in nginx relies on content hashes in every asset's name."""
    names = [p.name for p in (site / "assets").iterdir()]
    assert names
    assert all(re.search(r"-[A-Za-z0-9_-]{8}\.(js|css)$", n) for n in names), names


def test_bundle_stays_lean(site: Path) -> None:
    """The gzipped JS stays under 100 KB (React 19 itself is ~60 KB of it); figure printed."""
    proc = run(["node", str(FRONTEND / "scripts" / "size.mjs"), str(site)], timeout=60)
    print(proc.stdout)
    assert proc.returncode == 0, tail(proc)
    sizes = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sizes["js_gzip_bytes"] < 100 * 1024
    assert sizes["css_gzip_bytes"] < 10 * 1024
