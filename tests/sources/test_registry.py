"""Source plugins: found through their entry points, without paying for the search when none exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from movieagg.sources import registry


def fake_distribution(site: Path, entry_points: str) -> None:
    info = site / "movieagg_plugin_demo-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: movieagg-plugin-demo\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    (site / "movieagg_plugin_demo.py").write_text(
        "from movieagg.sources.registry import SourceSpec\n"
        "DEMO = SourceSpec('demo', 'Demo', 'movieagg_plugin_demo:Nothing', 'a test plugin')\n"
    )


def test_a_plugin_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_distribution(tmp_path, "[movieagg.sources]\ndemo = movieagg_plugin_demo:DEMO\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert registry._may_have_plugins()
    assert list(registry.plugin_specs()) == ["demo"]
    assert "demo" in registry.all_specs()


def test_without_plugins_importlib_metadata_is_not_loaded(tmp_path: Path) -> None:
    fake_distribution(tmp_path, "[console_scripts]\ndemo = movieagg_plugin_demo:main\n")
    probe = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from movieagg.sources.registry import plugin_specs\n"
        "assert plugin_specs() == {}\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_anime_sources_are_keyless_gated_and_rate_limited() -> None:
    from movieagg.core.config import Settings
    from movieagg.sources.limits import describe, limits_from_settings
    from movieagg.sources.registry import ANILIST, JIKAN, default_limits, rating_preference

    settings = Settings.from_env({"MOVIEAGG_JIKAN_RATE_LIMIT": "30/1m"}, read_file=False)
    for spec in (ANILIST, JIKAN):
        assert spec.configured(settings) and spec.needs() == "nothing (keyless)"
        assert spec.only_for == "anime" and not spec.can_search
    assert ANILIST.url(settings) == "https://graphql.anilist.co"
    assert JIKAN.url(Settings.from_env({"MOVIEAGG_JIKAN_URL": "http://x/v4"}, read_file=False)) == "http://x/v4"
    limits = limits_from_settings(settings, default_limits())
    assert (limits["anilist"].calls, limits["anilist"].period) == (90, 60.0)
    # The user's minute window replaces the default's; the 3/s window still holds.
    assert (limits["jikan"].calls, limits["jikan"].period) == (30, 60.0)
    assert [(w.calls, w.period) for w in limits["jikan"].also] == [(3, 1.0)]
    assert "and 3/1s" in describe(limits)["jikan"]
    assert rating_preference([JIKAN, ANILIST])[0] == "anilist"  # AniList's idMal wins a disagreement
