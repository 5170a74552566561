"""CLI sub-commands beyond the core ones, one module each, registered on the root app.

Each module defines its Typer commands on ``movieagg.cli.app`` (or a sub-app added with
``app.add_typer``) and keeps heavy imports inside the command functions.
"""

from __future__ import annotations

import importlib
from typing import Any

# Module names under movieagg.commands; each exposes register(app).
MODULES: tuple[str, ...] = (
    "serve",
    "batch",
    "pins",
    "deploy",
    "history",
    "cache",
    "db",
    "datasets",
    "taste",
    "episodes",
)


def register_all(app: Any) -> None:
    for name in MODULES:
        importlib.import_module(f"movieagg.commands.{name}").register(app)
