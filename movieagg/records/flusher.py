"""``python -m movieagg.records.flusher``: write the outbox to the database, detached from the CLI.

``movieagg rate`` prints its answer and exits; this helper (started by
:func:`movieagg.records.keeper.flush_detached`, output discarded) pays for SQLAlchemy's import
and the write instead. It holds the outbox's flush lock while it writes, so another CLI run
starts no second helper, and it looks for records appended meanwhile before it exits. On any
failure the records simply stay in the outbox for the next flush: nothing is lost.
"""

from __future__ import annotations

import contextlib

ROUNDS = 20  # records keep arriving (a shell loop of lookups): flush again, but not forever


def main() -> int:
    from movieagg.core.config import Settings
    from movieagg.records.keeper import flush_outbox, outbox_dir
    from movieagg.records.outbox import Outbox

    settings = Settings.from_env()
    outbox = Outbox(outbox_dir(settings))
    for _ in range(ROUNDS):
        with outbox.flushing(wait=False) as mine:
            if not mine:
                return 0  # another flush runs; it checks for new records after it lets go
            try:
                flush_outbox(settings, locked=True)
            except Exception:
                return 1  # unreachable database and the like: the records wait in the outbox
        # Appended while we held the lock? The appending CLI saw the lock taken and started
        # no helper of its own, so those records are ours to write.
        if not outbox.has_new():
            return 0
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
