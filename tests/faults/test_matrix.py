"""Every fault mode × every source, through the real aggregator (bench/fault_matrix.py).

Each case asserts: nothing undocumented escapes, the answer is valid JSON about the right
film, no key reaches another host, the lookup ends within its deadline (× 1.5), a huge or
gzip-bombed answer costs at most a bounded amount of memory, and whatever the faulty source
lost — the source or one of its values — is listed in ``errors``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import fault_matrix
from bench.fakeapi import FakeAPI


@pytest.mark.parametrize(("mode", "source", "scenario"), list(fault_matrix.cases()))
def test_the_lookup_survives(fake_api: FakeAPI, tmp_path: Path, mode: str, source: str, scenario: str) -> None:
    outcome = fault_matrix.run_case(fake_api, mode, source, scenario, tmp_path)
    assert outcome.problems == [], outcome
    if mode in ("hang", "trickle", "html5xx") and scenario == "all":
        assert outcome.listed, "a failing source is listed"
