"""A health ping through the database driver alone, for a store this process has not opened yet.

Why: ``/api/health`` is often a fresh Lambda container's first request, and opening the store
to run ``SELECT 1`` imported SQLAlchemy and SQLModel (~400 ms of a ~600 ms cold init). The
answer must stay the same: this connects to the very database the store would use, the way its
engine would (SQLite: the same file, folder created, timeout and pragmas; PostgreSQL through
psycopg: the same URL, connect timeout and application name), runs ``SELECT 1`` and reports the
dialect's name. A URL it cannot read exactly as SQLAlchemy would (another driver, a password
kept apart, percent-escapes in a SQLite path, query options) is not guessed at: :func:`driver_ping`
returns None and the caller opens the store as before.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from movieagg.core.config import Settings

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIX = "postgresql+psycopg://"  # a bare postgresql:// is psycopg2 to SQLAlchemy: left to it


def driver_ping(settings: Settings, url: str, connect_timeout: float = 5.0) -> str | None:
    """``SELECT 1`` on the store's database without SQLAlchemy: its dialect name, or None when this
    URL is left to SQLAlchemy. Raises the driver's own error (e.g. ``OperationalError``) when the
    database does not answer, like the store's ping."""
    if url.startswith(SQLITE_PREFIX) and not any(c in url for c in "?%#"):
        database = url[len(SQLITE_PREFIX) :]
        if not database or database == ":memory:":
            return None
        _sqlite_ping(database)
        return "sqlite"
    if url.startswith(POSTGRES_PREFIX) and "?" not in url and not settings.database_password:
        try:
            import psycopg
        except ImportError:
            return None  # the store's own message says what to install
        conninfo = "postgresql://" + url.split("://", 1)[1]
        with psycopg.connect(
            conninfo, connect_timeout=max(1, round(connect_timeout)), application_name="movieagg"
        ) as conn:
            conn.execute("SELECT 1")
        return "postgresql"
    return None


def _sqlite_ping(database: str) -> None:
    """What the store's SQLite engine does on connect (movieagg.store.sql), then ``SELECT 1``."""
    import sqlite3

    Path(database).parent.mkdir(parents=True, exist_ok=True)
    conn: Any = sqlite3.connect(database, timeout=15, check_same_thread=False)
    try:
        cursor = conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("SELECT 1").fetchone()
        cursor.close()
    finally:
        with contextlib.suppress(Exception):
            conn.close()


__all__ = ["driver_ping"]
