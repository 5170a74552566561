"""The SQL store (SQLModel): SQLite by default, PostgreSQL (RDS) in the cloud.

Only bound parameters touch SQL. Records arrive in batches from the outbox and are written
in one transaction with set-based statements (one multi-row INSERT per table and batch):

- lookups: ``INSERT … ON CONFLICT (id) DO NOTHING RETURNING id`` — a record id is written
  once however often (and however concurrently) a batch is retried;
- rating observations: only for the lookups that insert actually wrote;
- films: ``INSERT … ON CONFLICT (imdb_id) DO UPDATE`` keeping the newest identity, so two
  containers recording the same new film at once never collide.

The schema is created or migrated on first use (see :mod:`movieagg.store.schema`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, event, func, insert, or_, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    StatementError,
)
from sqlmodel import create_engine

from movieagg.core.errors import ConfigurationError, RecordRejected
from movieagg.store import schema
from movieagg.store.rows import record_rows
from movieagg.store.tables import metadata

FILMS: Table = metadata.tables["films"]
LOOKUPS: Table = metadata.tables["lookups"]
OBSERVATIONS: Table = metadata.tables["rating_observations"]
BATCH_ROWS = 500  # rows per multi-row INSERT (well under SQLite's bound-parameter limit)


def safe_url(url: str) -> str:
    """The database URL with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'movieagg.sqlite3'}"


def make_engine(url: str, connect_timeout: float = 5.0) -> Engine:
    """An engine for ``url`` (no connection yet); a URL or driver movieagg cannot use is a
    ConfigurationError that names the setting, never the URL (it may hold a password)."""
    from movieagg.store import check_database_url

    check_database_url(url)
    try:
        return _make_engine(make_url(url), url, connect_timeout)
    except ArgumentError as exc:  # NoSuchModuleError too: a driver name SQLAlchemy does not know
        raise ConfigurationError(
            "MOVIEAGG_DATABASE_URL cannot be used: "
            + ("unknown database driver" if isinstance(exc, NoSuchModuleError) else "malformed URL")
            + " (e.g. sqlite:///path/to/history.sqlite3 or postgresql+psycopg://user@host/database)"
        ) from None
    except ImportError as exc:  # the driver's package is not installed
        hint = " (pip install 'movieagg[postgres]')" if "psycopg" in str(exc.name) else ""
        raise ConfigurationError(
            f"MOVIEAGG_DATABASE_URL needs the database driver {exc.name!r}, which is not installed{hint}"
        ) from None


def _make_engine(parsed: URL, url: str, connect_timeout: float) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # WAL: readers never block writers
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # Small pool with pre-ping: right for Lambda containers (one request at a time, connections
    # that may have gone stale while the container was frozen) and for a CLI process alike.
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": max(1, round(connect_timeout)), "application_name": "movieagg"}
    return create_engine(
        url,
        pool_size=2,
        max_overflow=3,
        pool_pre_ping=True,
        pool_recycle=300,
        pool_timeout=10,
        connect_args=connect_args,
    )


def _insert(engine: Engine, table: Table) -> Any:
    """The dialect's INSERT (with ON CONFLICT) for SQLite and PostgreSQL."""
    name = engine.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise schema.StoreError(f"unsupported database {name!r}: use SQLite or PostgreSQL")


def _chunks(rows: Sequence[dict[str, Any]], size: int = BATCH_ROWS) -> list[Sequence[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _refusal(exc: BaseException) -> str:
    """The reason class of a refused write (never its message: it may quote the values)."""
    orig = getattr(exc, "orig", None) or exc
    state = str(getattr(orig, "sqlstate", "") or "")
    if state == "22003" or isinstance(orig, OverflowError):
        return "out_of_range"
    if state == "22001":
        return "too_long"
    if state.startswith("23") or isinstance(exc, IntegrityError):
        return "constraint"
    if isinstance(orig, UnicodeError) or state in ("22021", "22P05"):
        return "invalid_text"
    return "invalid_value"


class SQLStore:
    """History and search log on SQLAlchemy. ``create``: build/migrate the schema on first use."""

    def __init__(self, url: str, *, create: bool = True, auto_upgrade: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._schema_ready = False
        self._create = create
        self._auto_upgrade = auto_upgrade

    def __repr__(self) -> str:
        return f"SQLStore({safe_url(self.url)!r})"

    def ensure_schema(self) -> None:
        if not self._schema_ready and self._create:
            schema.ensure(self.engine, auto_upgrade=self._auto_upgrade)
        self._schema_ready = True

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> str:
        """Run ``SELECT 1``; the dialect's name when the database answered (health checks)."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return str(self.engine.dialect.name)

    # -------------------------------------------------------------------------- writing

    def write(self, entries: Sequence[dict[str, Any]]) -> int:
        """Store lookups not stored yet (by id), their observations, and upsert films.

        Raises :class:`RecordRejected` when the batch cannot be stored because of its data (a
        malformed record, or a value the database refuses) rather than the database's state: the
        outbox then finds the bad records and sets them aside. Anything else (connection lost,
        timeouts) propagates as it is, and the batch is retried later.
        """
        self.ensure_schema()
        lookups: dict[str, dict[str, Any]] = {}
        observations: dict[str, list[dict[str, Any]]] = {}
        films: dict[str, dict[str, Any]] = {}
        for entry in entries:
            rows = record_rows(entry)
            lookup_id = rows.lookup["id"]
            if lookup_id in lookups:
                continue
            lookups[lookup_id] = rows.lookup
            observations[lookup_id] = rows.observations
            film = rows.film
            if film is not None:
                known = films.get(film["imdb_id"])
                if known is None or known["updated_at"] <= film["updated_at"]:
                    films[film["imdb_id"]] = film
        if not lookups:
            return 0
        try:
            return self._insert_rows(lookups, observations, films)
        except (DataError, IntegrityError) as exc:  # the database refused a value
            raise RecordRejected(_refusal(exc)) from None
        except StatementError as exc:
            if isinstance(exc, DBAPIError):  # OperationalError & co: the database's state
                raise
            raise RecordRejected(_refusal(exc)) from None  # a value the driver cannot bind
        except (OverflowError, UnicodeError) as exc:  # raised by the driver as they are
            raise RecordRejected(_refusal(exc)) from None

    def _insert_rows(
        self,
        lookups: dict[str, dict[str, Any]],
        observations: dict[str, list[dict[str, Any]]],
        films: dict[str, dict[str, Any]],
    ) -> int:
        with self.engine.begin() as conn:
            written: list[str] = []
            # Sorted keys: concurrent writers take row locks in one order (no deadlocks).
            rows = [lookups[k] for k in sorted(lookups)]
            for chunk in _chunks(rows):
                stmt = (
                    _insert(self.engine, LOOKUPS)
                    .values(list(chunk))
                    .on_conflict_do_nothing(index_elements=["id"])
                    .returning(LOOKUPS.c.id)
                )
                written.extend(str(i) for i in conn.execute(stmt).scalars())
            # In the order the lookups happened: ties in fetched_at fall back to the row id.
            in_order = sorted(written, key=lambda i: lookups[i]["created_at"])
            new_obs = [o for i in in_order for o in observations[i]]
            for chunk in _chunks(new_obs):
                conn.execute(insert(OBSERVATIONS), list(chunk))
            film_rows = [films[k] for k in sorted(films)]
            for chunk in _chunks(film_rows):
                stmt = _insert(self.engine, FILMS).values(list(chunk))
                new = stmt.excluded
                conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["imdb_id"],
                        set_={
                            "title": new.title,
                            "original_title": func.coalesce(new.original_title, FILMS.c.original_title),
                            "tmdb_id": func.coalesce(new.tmdb_id, FILMS.c.tmdb_id),
                            "year": func.coalesce(new.year, FILMS.c.year),
                            "updated_at": new.updated_at,
                        },
                        where=FILMS.c.updated_at <= new.updated_at,  # an older record never wins
                    )
                )
        return len(written)

    # -------------------------------------------------------------------------- reading

    def history(self, imdb_id: str, limit: int = 1000, tmdb_id: int | None = None) -> list[dict[str, Any]]:
        """Rating observations for one film (the newest ``limit``), oldest first."""
        self.ensure_schema()
        match = OBSERVATIONS.c.imdb_id == imdb_id
        if tmdb_id is not None:
            match = or_(match, and_(OBSERVATIONS.c.imdb_id.is_(None), OBSERVATIONS.c.tmdb_id == tmdb_id))
        query = (
            select(OBSERVATIONS)
            .where(match)
            .order_by(OBSERVATIONS.c.fetched_at.desc(), OBSERVATIONS.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_observation(r) for r in reversed(rows)]

    def searches(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent lookups (the search log), newest first."""
        self.ensure_schema()
        query = select(LOOKUPS).order_by(LOOKUPS.c.created_at.desc(), LOOKUPS.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [_lookup(r) for r in conn.execute(query).mappings().all()]

    def find_film(self, title: str, year: int | None = None) -> list[dict[str, Any]]:
        """Films seen before titled ``title`` (or originally so; case-insensitive), newest first."""
        self.ensure_schema()
        wanted = title.strip().lower()
        match = or_(func.lower(FILMS.c.title) == wanted, func.lower(FILMS.c.original_title) == wanted)
        query = select(FILMS).where(match)
        if year is not None:
            query = query.where(FILMS.c.year.between(year - 1, year + 1))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(FILMS.c.updated_at.desc())).mappings().all()
        found = [_film(r) for r in rows]
        if year is not None:
            found.sort(key=lambda f: f["year"] != year)  # exact year first, ±1 after
        return found

    def film(self, imdb_id: str) -> dict[str, Any] | None:
        self.ensure_schema()
        with self.engine.connect() as conn:
            row = conn.execute(select(FILMS).where(FILMS.c.imdb_id == imdb_id)).mappings().first()
        return _film(row) if row is not None else None

    def film_by_tmdb(self, tmdb_id: int) -> dict[str, Any] | None:
        self.ensure_schema()
        query = select(FILMS).where(FILMS.c.tmdb_id == tmdb_id).order_by(FILMS.c.updated_at.desc())
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _film(row) if row is not None else None

    def counts(self) -> dict[str, int]:
        """Rows per table (for `movieagg db status`)."""
        self.ensure_schema()
        with self.engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (FILMS, LOOKUPS, OBSERVATIONS)
            }


def _iso(dt: datetime) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _film(row: Any) -> dict[str, Any]:
    return {
        "imdb_id": row["imdb_id"],
        "tmdb_id": row["tmdb_id"],
        "title": row["title"],
        "original_title": row["original_title"],
        "year": row["year"],
        "updated_at": _iso(row["updated_at"]),
    }


def _observation(row: Any) -> dict[str, Any]:
    return {
        "imdb_id": row["imdb_id"],
        "source": row["source"],
        "name": row["name"],
        "label": row["label"],
        "value": row["value"],
        "scale": row["scale"],
        "normalized": row["normalized"],
        "votes": row["votes"],
        "fetched_at": _iso(row["fetched_at"]),
    }


def _lookup(row: Any) -> dict[str, Any]:
    has_movie = row["imdb_id"] or row["title"]
    return {
        "id": row["id"],
        "at": _iso(row["created_at"]),
        "query": {"title": row["query_title"], "year": row["query_year"]},
        "outcome": row["outcome"],
        "movie": {
            "title": row["title"],
            "year": row["year"],
            "imdb_id": row["imdb_id"],
            "tmdb_id": row["tmdb_id"],
        }
        if has_movie
        else None,
        "score": row["score"],
        "cached": bool(row["cached"]),
        "stale": bool(row["stale"]),
        "errors": json.loads(row["errors"] or "[]"),
    }
