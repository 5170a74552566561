"""movieagg._render: the table's own median is statistics.median, without importing statistics."""

from __future__ import annotations

import statistics
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from movieagg._render import _median


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=9))
def test_median_is_statistics_median(values: list[float]) -> None:
    assert _median(values) == statistics.median(values)


def test_the_table_renderer_does_not_import_statistics() -> None:
    probe = "import sys, movieagg._render; print('statistics' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
