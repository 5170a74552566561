"""Writing one setting into the user's config file (``--save-weights``), keeping everything else.

The config file is flat TOML (``NAME = "value"`` lines) read by :mod:`movieagg.core.config`;
this rewrites or appends one line and replaces the file atomically.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def write_setting(path: Path, name: str, value: str) -> None:
    """Set ``name = "value"`` in the flat TOML file at ``path`` (created with its folder if absent)."""
    line = f"{name} = {json.dumps(value, ensure_ascii=False)}\n"  # a JSON string is a TOML basic string
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    out: list[str] = []
    done = False
    for old in lines:
        match = _KEY.match(old)
        if match and match.group(1).upper() == name.upper():
            if not done:
                out.append(line)
                done = True
            continue
        out.append(old if old.endswith("\n") else old + "\n")
    if not done:  # top-level keys go before the first [table], or they would belong to it
        first_table = next((i for i, text in enumerate(out) if text.lstrip().startswith("[")), len(out))
        out.insert(first_table, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(out), encoding="utf-8")
    os.replace(tmp, path)
