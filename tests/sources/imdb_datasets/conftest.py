"""Fixtures: the hand-made dataset files, and those files imported where the settings look."""

from __future__ import annotations

from pathlib import Path

import pytest

from movieagg.core.config import Settings
from movieagg.sources.imdb_datasets.files import db_path
from movieagg.sources.imdb_datasets.importer import import_datasets
from tests.sources.imdb_datasets.rows import write_dataset_dir


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return write_dataset_dir(tmp_path / "datasets")


@pytest.fixture
def imported(dataset_dir: Path, isolated_env: Path) -> Path:
    target = db_path(Settings.from_env())
    import_datasets(dataset_dir, target)
    return target
