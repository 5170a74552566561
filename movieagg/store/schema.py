"""Schema versions: Alembic migrations shipped in ``movieagg/store/migrations``.

How first use and migrations coexist: every database — a new SQLite file on a laptop or a
new RDS database — is built by running the migrations to head, so all of them share one
history and ``movieagg db upgrade`` can move any of them to the next release without data
loss. On first use in a process the store reads the version row (one small query, no
Alembic import) and, when it is behind, upgrades automatically
(``MOVIEAGG_DB_AUTO_UPGRADE=0`` turns that off: the store then refuses to write and the
records wait in the outbox until ``movieagg db upgrade`` runs). A database created by the
early ``create_all`` releases (our tables, no version table) is stamped at revision 0001
and upgraded from there. A database at a revision this release does not know (a newer
release migrated it) is left alone, with a clear error.

Concurrent upgrades (many Lambda containers starting at once) are serialised: a
transaction-scoped advisory lock on PostgreSQL (DDL there is transactional, so a failed
upgrade leaves nothing half-done), a lock file beside the database for SQLite.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from movieagg.core.errors import ConfigurationError, StoreError

# The newest revision in migrations/versions (a test checks it against Alembic's head).
HEAD = "0002"
KNOWN = ("0001", "0002")  # oldest first
VERSION_TABLE = "alembic_version"
OUR_TABLES = frozenset({"films", "lookups", "rating_observations"})
_PG_LOCK_ID = 0x6D6F7669  # "movi": the advisory lock id for migrations




def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no version table
    head: str = HEAD
    tables: tuple[str, ...] = ()
    pending: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return self.current is None and not (OUR_TABLES & set(self.tables))

    @property
    def legacy(self) -> bool:
        """Tables made by create_all before migrations existed (no version row)."""
        return self.current is None and bool(OUR_TABLES & set(self.tables))

    @property
    def unknown(self) -> bool:
        return self.current is not None and self.current not in KNOWN

    @property
    def up_to_date(self) -> bool:
        return self.current == HEAD

    def to_dict(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "head": self.head,
            "up_to_date": self.up_to_date,
            "pending": list(self.pending),
            "legacy": self.legacy,
            "unknown": self.unknown,
        }


def read_state(conn: Connection) -> SchemaState:
    tables = tuple(sorted(inspect(conn).get_table_names()))
    current = None
    if VERSION_TABLE in tables:
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
        current = str(rows[0]) if rows else None
    if current in KNOWN:
        pending = KNOWN[KNOWN.index(current) + 1 :]
    elif current is None:
        pending = KNOWN[1:] if OUR_TABLES & set(tables) else KNOWN
    else:
        pending = ()
    return SchemaState(current, HEAD, tables, tuple(pending))


def state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        return read_state(conn)


def _config(connection: Connection | None = None, url: str | None = None, output: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config(output_buffer=output) if output is not None else Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config()).get_heads()
    return str(heads[0]) if len(heads) == 1 else ",".join(heads)


@contextlib.contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the migration lock for this database."""
    backend = engine.dialect.name
    if backend == "sqlite":
        database = engine.url.database
        lock_file = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no cross-process lock, SQLite's own
            fcntl = None  # type: ignore[assignment]
        if database and database != ":memory:" and fcntl is not None:
            lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock_file = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with engine.begin() as conn:
                yield conn
        finally:
            if lock_file is not None:
                os.close(lock_file)  # closing releases the flock
        return
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        yield conn


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``target`` (default head); returns (before, after) revisions."""
    from alembic import command

    with _locked(engine) as conn:
        before = read_state(conn)
        if before.unknown:
            raise StoreError(
                f"the database schema is at revision {before.current}, newer than this movieagg "
                f"knows ({HEAD}); upgrade movieagg"
            )
        cfg = _config(conn)
        if before.legacy:
            command.stamp(cfg, "0001")
        command.upgrade(cfg, target)
        after = read_state(conn)
    return before.current, after.current


def downgrade(engine: Engine, target: str) -> tuple[str | None, str | None]:
    from alembic import command

    with _locked(engine) as conn:
        before = read_state(conn)
        command.downgrade(_config(conn), target)
        after = read_state(conn)
    return before.current, after.current


def upgrade_sql(url: str, start: str | None = None, target: str = "head") -> str:
    """The SQL an upgrade would run (offline), for a DBA to review or apply by hand."""
    from alembic import command
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    out = io.StringIO()
    try:  # the dialect only: no driver needed, no connection made
        parsed = make_url(url)
        parsed.get_dialect()
    except ArgumentError:
        raise ConfigurationError("MOVIEAGG_DATABASE_URL cannot be used: unknown database driver") from None
    safe = parsed.set(password=None).render_as_string(hide_password=False)
    cfg = _config(url=safe, output=out)
    command.upgrade(cfg, f"{start}:{target}" if start else target, sql=True)
    return out.getvalue()


def ensure(engine: Engine, auto_upgrade: bool = True) -> SchemaState:
    """Make the schema usable for this release (see the module docstring)."""
    with engine.connect() as conn:
        found = read_state(conn)
    if found.up_to_date:
        return found
    if found.unknown:
        raise StoreError(
            f"the database schema is at revision {found.current}, newer than this movieagg knows "
            f"({HEAD}); upgrade movieagg"
        )
    if not auto_upgrade and not found.empty:
        raise StoreError(
            f"the database schema is at {found.current or 'a pre-migration version'}, this release "
            f"needs {HEAD}: run `movieagg db upgrade`"
        )
    upgrade(engine)
    return state(engine)


__all__ = [
    "HEAD",
    "SchemaState",
    "StoreError",
    "alembic_head",
    "downgrade",
    "ensure",
    "migrations_dir",
    "state",
    "upgrade",
    "upgrade_sql",
]
