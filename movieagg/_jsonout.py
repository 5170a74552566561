"""JSON on stdout for ``--json``: no rich import, so scripted use starts fast."""

from __future__ import annotations

import json
import sys
from typing import Any


def write_json(data: Any) -> None:
    """``data`` as JSON; a NaN or an infinity is a ValueError (exit 70), never invalid JSON."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    sys.stdout.flush()
