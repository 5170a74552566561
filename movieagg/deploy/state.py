"""The state file of a stage (``<data dir>/deploy/<stage>.json``): what the last deploy left."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def state_path(home: Path, stage: str) -> Path:
    return home / "deploy" / f"{stage}.json"


def read_state(home: Path, stage: str) -> dict[str, Any] | None:
    try:
        data = json.loads(state_path(home, stage).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(home: Path, stage: str, data: Mapping[str, Any]) -> Path:
    path = state_path(home, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["read_state", "state_path", "write_state"]
