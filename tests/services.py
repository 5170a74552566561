"""Real Redis and PostgreSQL for the backend tests (issue #3).

URLs come from ``MOVIEAGG_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/9``: a database
number nobody else uses) and ``MOVIEAGG_TEST_DATABASE_URL`` (default the ``test`` database on
127.0.0.1, created on first use when the server has none; the README says the same). With ``MOVIEAGG_REQUIRE_SERVICES=1`` or ``CI`` set, a missing server fails the
test; on a laptop without one it skips with the reason. Every test gets its own key prefix
(Redis) or schema (PostgreSQL), so runs and engineers sharing the servers never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def required() -> bool:
    return os.environ.get("MOVIEAGG_REQUIRE_SERVICES") == "1" or bool(os.environ.get("CI"))


def unavailable(what: str, why: str) -> None:
    message = f"{what} is not reachable ({why}); start it or set the URL"
    if required():
        pytest.fail(f"{message} — required here (MOVIEAGG_REQUIRE_SERVICES=1 / CI)")
    pytest.skip(message)


def redis_base_url() -> str:
    return os.environ.get("MOVIEAGG_TEST_REDIS_URL") or DEFAULT_REDIS_URL


def database_base_url() -> str:
    return os.environ.get("MOVIEAGG_TEST_DATABASE_URL") or DEFAULT_DATABASE_URL


def with_query(url: str, **params: str) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A redis:// URL with a unique key prefix; its keys are deleted afterwards."""
    try:
        import redis
    except ImportError as exc:
        unavailable("the redis package", str(exc))
    base = redis_base_url()
    client = redis.Redis.from_url(base, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {base}", type(exc).__name__)
    prefix = f"t{uuid.uuid4().hex[:10]}:"
    yield with_query(base, prefix=prefix)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


_ensured: set[str] = set()


def ensure_database(url: str) -> bool:
    """Create the URL's database when the server is up but the database is missing (a fresh
    PostgreSQL has no ``test``); True when it had to. Any other failure is left to the caller."""
    if url in _ensured:
        return False
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            _ensured.add(url)
            return False
    except Exception as exc:
        if "does not exist" not in str(exc) or not target.database:
            return False
    finally:
        engine.dispose()
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            name = target.database.replace('"', '""')
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    _ensured.add(url)
    return True


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    try:
        from sqlalchemy import create_engine, text
    except ImportError as exc:  # pragma: no cover
        unavailable("sqlalchemy", str(exc))
    base = database_base_url()
    try:
        ensure_database(base)
    except Exception as exc:
        unavailable("PostgreSQL", f"cannot create the test database: {type(exc).__name__}")
    engine = create_engine(base, connect_args={"connect_timeout": 3})
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        engine.dispose()
        unavailable("PostgreSQL", type(exc).__name__)
    try:
        yield with_query(base, options=f"-csearch_path={schema}")
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


# Every upstream service the fake may serve (names it does not know are ignored by it).
EVERY_SERVICE = frozenset({"tmdb", "omdb", "wikidata", "trakt", "imdb", "imdb-datasets"})


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a real PostgreSQL (a fresh schema each)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))
