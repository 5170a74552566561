"""--save-weights writes one line of the config file and keeps the rest."""

from __future__ import annotations

from pathlib import Path

from movieagg.core.config import Settings, read_config_file
from movieagg.taste.settings_file import write_setting


def test_new_file_is_created_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "config.toml"
    write_setting(path, "MOVIEAGG_WEIGHTS", "critics=1,audience=0.4,imdb=1")
    assert read_config_file(path) == {"MOVIEAGG_WEIGHTS": "critics=1,audience=0.4,imdb=1"}
    settings = Settings.from_env({"MOVIEAGG_HOME": str(tmp_path / "dir")})
    assert dict(settings.weights) == {"critics": 1.0, "audience": 0.4, "imdb": 1.0}


def test_other_settings_comments_and_tables_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\ntmdb_api_key = "k"\nmovieagg_weights = "imdb=2"\n\n[extra]\nx = 1')
    write_setting(path, "MOVIEAGG_WEIGHTS", "critics=1")
    text = path.read_text()
    assert text.startswith('# mine\ntmdb_api_key = "k"\nMOVIEAGG_WEIGHTS = "critics=1"\n')
    assert text.endswith("[extra]\nx = 1\n")
    assert read_config_file(path) == {"TMDB_API_KEY": "k", "MOVIEAGG_WEIGHTS": "critics=1"}
    path.write_text('a = "b"\n[t]\ny = 2\n')
    write_setting(path, "MOVIEAGG_WEIGHTS", "imdb=1")
    assert read_config_file(path) == {"A": "b", "MOVIEAGG_WEIGHTS": "imdb=1"}  # not inside [t]
