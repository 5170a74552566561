"""movieagg.store.ping: a health ping through the driver alone answers as the store's ping would."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from movieagg.core.config import Settings
from movieagg.store import database_url
from movieagg.store.gate import StoreGate, StoreUnavailable
from movieagg.store.ping import driver_ping
from movieagg.web.health import check_store
from tests.services import database_base_url


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"MOVIEAGG_HOME": str(tmp_path / "home"), **env}, read_file=False)


def test_sqlite_is_pinged_on_the_stores_own_file_with_its_pragmas(tmp_path: Path) -> None:
    s = settings(tmp_path)
    url = database_url(s)
    assert driver_ping(s, url) == "sqlite"
    path = Path(url.removeprefix("sqlite:///"))
    assert path.is_file()  # the folder was created, as the store's engine does
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_answer_is_the_stores_own(tmp_path: Path) -> None:
    from movieagg.store import open_store

    s = settings(tmp_path)
    store = open_store(s)
    try:
        assert driver_ping(s, database_url(s)) == store.ping() == "sqlite"
    finally:
        store.close()


def test_a_fresh_gate_pings_without_sqlalchemy(tmp_path: Path) -> None:
    probe = (
        "import json, sys\n"
        "from movieagg.core.config import Settings\n"
        "from movieagg.store.gate import StoreGate\n"
        f"gate = StoreGate(Settings.from_env({{'MOVIEAGG_HOME': {str(tmp_path)!r}}}, read_file=False))\n"
        "print(json.dumps([gate.ping(), 'sqlalchemy' in sys.modules, 'sqlmodel' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == ["sqlite", False, False]


def test_an_unusable_sqlite_file_is_down_and_opens_the_breaker(tmp_path: Path) -> None:
    s = settings(tmp_path, MOVIEAGG_DATABASE_URL=f"sqlite:///{tmp_path}")  # a directory, not a file
    gate = StoreGate(s, cooldown=60)
    assert asyncio.run(check_store(gate)) == {"status": "down", "error": "OperationalError"}
    with pytest.raises(StoreUnavailable):
        gate.ping()


def test_a_bad_url_is_still_misconfigured(tmp_path: Path) -> None:
    gate = StoreGate(settings(tmp_path, MOVIEAGG_DATABASE_URL="mysql://u@h/db"))
    assert asyncio.run(check_store(gate)) == {"status": "misconfigured", "error": "configuration"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///:memory:",
        "sqlite:///a%20b.sqlite3",  # SQLAlchemy's reading of escapes is left to it
        "sqlite:///x.sqlite3?timeout=3",
        "sqlite+pysqlite:///x.sqlite3",
        "postgresql://u@127.0.0.1/db",  # psycopg2 to SQLAlchemy, not psycopg
        "postgresql+psycopg://u@127.0.0.1/db?sslmode=require",
        "postgresql+asyncpg://u@127.0.0.1/db",
    ],
)
def test_urls_it_cannot_read_as_sqlalchemy_does_are_left_to_the_store(tmp_path: Path, url: str) -> None:
    assert driver_ping(settings(tmp_path), url) is None


def test_a_password_kept_apart_is_left_to_the_store(tmp_path: Path) -> None:
    s = settings(tmp_path, MOVIEAGG_DATABASE_PASSWORD="pw")
    assert driver_ping(s, "postgresql+psycopg://u@127.0.0.1:1/db") is None


def test_postgresql_through_psycopg(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    base = database_base_url()
    if not base.startswith("postgresql+psycopg://") or "?" in base:
        pytest.skip("MOVIEAGG_TEST_DATABASE_URL is not a plain postgresql+psycopg:// URL")
    try:
        assert driver_ping(settings(tmp_path), base) == "postgresql"
    except Exception as exc:  # pragma: no cover - no server here
        pytest.skip(f"PostgreSQL unavailable: {type(exc).__name__}")


def test_an_unreachable_postgresql_is_down_with_the_drivers_error_class(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    s = settings(tmp_path, MOVIEAGG_DATABASE_URL="postgresql+psycopg://u:hunter2@127.0.0.1:1/none")
    result = asyncio.run(check_store(StoreGate(s)))
    assert result == {"status": "down", "error": "OperationalError"}  # as SQLAlchemy's wrapper is named
