"""The writer thread: a stuck disk never stalls a request, records keep their order."""

from __future__ import annotations

import threading
from typing import Any

from movieagg.records.writer import BackgroundRecorder


def test_background_recorder_keeps_order_and_drains() -> None:
    seen: list[int] = []
    gate = threading.Event()

    class Slow:
        def record(self, entry: dict[str, Any]) -> None:
            gate.wait(5)
            if entry["n"] == 3:
                raise OSError("disk full")
            seen.append(entry["n"])

    rec = BackgroundRecorder(Slow(), max_pending=5)
    for n in range(8):
        rec.record({"n": n})  # returns at once although the disk is "stuck"
    assert seen == [] and rec.dropped >= 2
    assert rec.drain(timeout=0.05) is False
    gate.set()
    assert rec.drain(timeout=5) is True
    assert seen == sorted(seen) and 3 not in seen and seen[0] == 0
    rec.close()
    assert not rec._thread.is_alive()
