"""A per-source daily request quota, counted in SQLite so every process on the machine shares it.

:class:`DailyQuota` counts the requests made to a source today (UTC) in ``quota.sqlite3`` in
the data directory (MOVIEAGG_HOME when set): each request takes one unit in a short
``BEGIN IMMEDIATE`` transaction. When the quota is spent the source is not called again until
the next UTC day; the request fails as a ``quota`` SourceFailure, which the aggregator reports
and survives. The registry says which sources have a quota, its default size
(``MOVIEAGG_<SOURCE>_DAILY_LIMIT`` overrides it; ``0`` = unlimited) and how the service itself
says it is spent (OMDb: ``"Request limit reached!"``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movieagg.core.config import Settings
from movieagg.core.config import env_name as setting_name

if TYPE_CHECKING:
    from movieagg.sources.registry import SourceSpec

log = logging.getLogger("movieagg.ratelimit")

QUOTA_FILE = "quota.sqlite3"


def today_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


class DailyQuota:
    """Requests per UTC day for one source, counted in SQLite so every process shares it.

    Failures of the counter itself (unwritable home, locked for too long) never cost a lookup:
    they are logged once and the request goes ahead.
    """

    def __init__(
        self,
        path: Path,
        source: str,
        limit: int,
        *,
        today: Callable[[], str] = today_utc,
        spent_detector: Callable[[int, Any], bool] | None = None,
        env_name: str | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.limit = limit
        self._today = today
        self.spent_detector = spent_detector
        self.env_name = env_name or setting_name(source, "DAILY_LIMIT")
        self._conn: sqlite3.Connection | None = None
        self._thread_lock = threading.Lock()
        self._spent_day: str | None = None
        self._warned = False
        self.refused = 0  # requests this process did not send because the quota was spent

    # ------------------------------------------------------------------ storage

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS quota_usage ("
                " source TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,"
                " spent_at TEXT, PRIMARY KEY (source, day))"
            )
            self._conn = conn
        return self._conn

    def _degrade(self, exc: Exception) -> None:
        if not self._warned:
            log.warning(
                "%s: cannot count the daily quota in %s (%s); not enforcing it",
                self.source, self.path, type(exc).__name__,
            )  # fmt: skip
            self._warned = True

    def close(self) -> None:
        with self._thread_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ------------------------------------------------------------------ API

    def take(self) -> bool:
        """Count one request; False (and nothing counted) when today's quota is spent."""
        day = self._today()
        if self._spent_day == day:
            self.refused += 1
            return False
        if self.limit <= 0:
            return True
        for attempt in range(4):  # a busy database (many processes) is retried, not skipped
            try:
                with self._thread_lock:
                    taken = self._take(day)
                break
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and attempt < 3:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                self._degrade(exc)
                return True
            except (sqlite3.Error, OSError) as exc:
                self._degrade(exc)
                return True
        if not taken:
            self._spent_day = day
            self.refused += 1
        return taken

    def _take(self, day: str) -> bool:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR IGNORE INTO quota_usage (source, day, used) VALUES (?, ?, 0)",
                (self.source, day),
            )
            cur = conn.execute(
                "UPDATE quota_usage SET used = used + 1 WHERE source = ? AND day = ? AND used < ?",
                (self.source, day, self.limit),
            )
            taken = cur.rowcount == 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return taken

    def used_today(self) -> int:
        try:
            with self._thread_lock:
                row = (
                    self._connect()
                    .execute(
                        "SELECT used FROM quota_usage WHERE source = ? AND day = ?",
                        (self.source, self._today()),
                    )
                    .fetchone()
                )
        except (sqlite3.Error, OSError) as exc:
            self._degrade(exc)
            return 0
        return int(row[0]) if row else 0

    def remaining(self) -> int | None:
        return None if self.limit <= 0 else max(self.limit - self.used_today(), 0)

    def mark_spent(self) -> None:
        """The service itself said the quota is spent (another app may share the key)."""
        day = self._today()
        self._spent_day = day
        try:
            with self._thread_lock:
                conn = self._connect()
                conn.execute(
                    "INSERT INTO quota_usage (source, day, used, spent_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (source, day) DO UPDATE SET used = max(used, excluded.used),"
                    " spent_at = excluded.spent_at",
                    (self.source, day, max(self.limit, 0), datetime.now(UTC).isoformat(timespec="seconds")),
                )
        except (sqlite3.Error, OSError) as exc:
            self._degrade(exc)

    def check_response(self, status: int, body: Any) -> None:
        if self.spent_detector is not None and self.spent_detector(status, body):
            log.warning("%s says its daily request limit is reached; not calling it again today", self.source)
            self.mark_spent()

    @property
    def spent(self) -> bool:
        return self._spent_day == self._today()

    def message(self) -> str:
        if self.limit > 0:
            return (
                f"daily quota of {self.limit:,} requests spent; not called again until 00:00 UTC "
                f"(raise {self.env_name} if your key allows more)"
            )
        return "daily request limit reached; not called again until 00:00 UTC"


def quotas_from_settings(
    settings: Settings, specs: Iterable[SourceSpec], directory: Path | None = None
) -> dict[str, DailyQuota]:
    """One DailyQuota per source with a daily limit (its default from the registry)."""
    where = (directory or settings.dir("data")) / QUOTA_FILE
    quotas: dict[str, DailyQuota] = {}
    for spec in specs:
        if spec.daily_limit is None:
            continue
        limit = settings.daily_limit(spec.name, spec.daily_limit)
        assert limit is not None
        quotas[spec.name] = DailyQuota(
            where,
            spec.name,
            limit,
            spent_detector=spec.quota_spent,
            env_name=setting_name(spec.name, "DAILY_LIMIT"),
        )
    return quotas
