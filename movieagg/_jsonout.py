"""JSON on stdout for ``--json``: no rich import, so scripted use starts fast."""

from __future__ import annotations

import json
import sys
from typing import Any


def write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
