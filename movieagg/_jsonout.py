"""JSON on stdout for ``--json``: no rich import, so scripted use starts fast."""

from __future__ import annotations

import json
import sys
from typing import Any


def write_json(data: Any) -> None:
    """``data`` as JSON; a NaN or an infinity is a ValueError (exit 70), never invalid JSON."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    # A lone surrogate (undecodable input echoed back) becomes its JSON escape, not a crash.
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    sys.stdout.flush()
