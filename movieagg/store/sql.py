"""The SQL store (SQLModel): SQLite by default, PostgreSQL (RDS) in the cloud.

Only the ORM and bound parameters touch SQL. Records arrive in batches from the outbox and
are written in one transaction; lookup ids make the write idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, col, create_engine, select

from movieagg.core.models import parse_iso as _parse_aware
from movieagg.store.tables import Film, Lookup, RatingObservation


def parse_iso(text: str) -> datetime:
    """Timezone-aware UTC: timestamptz on PostgreSQL, ISO text with offset on SQLite."""
    return _parse_aware(text).astimezone(UTC)


def safe_url(url: str) -> str:
    """The database URL with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'movieagg.sqlite3'}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
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
    # Small pool with pre-ping: right for Lambda containers and for a CLI process alike.
    return create_engine(
        url,
        pool_size=2,
        max_overflow=3,
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args={"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {},
    )


class SQLStore:
    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._schema_ready = False
        self._create = create

    def ensure_schema(self) -> None:
        if not self._schema_ready and self._create:
            SQLModel.metadata.create_all(self.engine)
        self._schema_ready = True

    def close(self) -> None:
        self.engine.dispose()

    def write(self, entries: Sequence[dict[str, Any]]) -> int:
        """Insert lookups not yet stored (by id), their observations, and upsert films."""
        self.ensure_schema()
        with Session(self.engine) as session:
            ids = [str(e["id"]) for e in entries]
            existing = set(session.exec(select(Lookup.id).where(col(Lookup.id).in_(ids))).all())
            written = 0
            films: dict[str, dict[str, Any]] = {}
            for entry in entries:
                if entry["id"] in existing:
                    continue
                existing.add(entry["id"])
                written += 1
                movie = entry.get("movie") or {}
                query = entry.get("query") or {}
                session.add(
                    Lookup(
                        id=str(entry["id"]),
                        created_at=parse_iso(entry["at"]),
                        query_title=str(query.get("title", ""))[:300],
                        query_year=query.get("year"),
                        outcome=str(entry.get("outcome", "ok"))[:32],
                        imdb_id=movie.get("imdb_id"),
                        tmdb_id=movie.get("tmdb_id"),
                        title=(movie.get("title") or None) and str(movie["title"])[:300],
                        year=movie.get("year"),
                        score=entry.get("score"),
                        cached=bool(entry.get("cached")),
                        stale=bool(entry.get("stale")),
                        errors=json.dumps(entry.get("errors") or [], ensure_ascii=False),
                    )
                )
                for obs in entry.get("observations") or []:
                    session.add(
                        RatingObservation(
                            lookup_id=str(entry["id"]),
                            imdb_id=movie.get("imdb_id"),
                            tmdb_id=movie.get("tmdb_id"),
                            source=str(obs["source"]),
                            name=str(obs["name"]),
                            label=str(obs["label"]),
                            value=float(obs["value"]),
                            scale=float(obs["scale"]),
                            normalized=float(obs["normalized"]),
                            votes=obs.get("votes"),
                            fetched_at=parse_iso(obs["fetched_at"]),
                        )
                    )
                if movie.get("imdb_id"):
                    films[movie["imdb_id"]] = {**movie, "at": entry["at"]}
            session.flush()
            self._upsert_films(session, films.values())
            session.commit()
            return written

    @staticmethod
    def _upsert_films(session: Session, movies: Iterable[dict[str, Any]]) -> None:
        for movie in movies:
            film = session.exec(select(Film).where(Film.imdb_id == movie["imdb_id"])).first()
            if film is None:
                film = Film(imdb_id=movie["imdb_id"], title="", updated_at=parse_iso(movie["at"]))
            film.tmdb_id = movie.get("tmdb_id") or film.tmdb_id
            film.title = str(movie.get("title") or film.title)[:300]
            film.year = movie.get("year") or film.year
            film.updated_at = parse_iso(movie["at"])
            session.add(film)

    def history(self, imdb_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        """Rating observations for one film, oldest first."""
        self.ensure_schema()
        with Session(self.engine) as session:
            rows = session.exec(
                select(RatingObservation)
                .where(RatingObservation.imdb_id == imdb_id)
                .order_by(col(RatingObservation.fetched_at).desc(), col(RatingObservation.id).desc())
                .limit(limit)
            ).all()
            return [_observation(r) for r in reversed(rows)]

    def searches(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent lookups, newest first."""
        self.ensure_schema()
        with Session(self.engine) as session:
            rows = session.exec(select(Lookup).order_by(col(Lookup.created_at).desc()).limit(limit)).all()
            return [_lookup(r) for r in rows]

    def find_film(self, title: str) -> list[dict[str, Any]]:
        """Films seen before whose title equals ``title`` (case-insensitive), newest first."""
        self.ensure_schema()
        with Session(self.engine) as session:
            from sqlalchemy import func

            rows = session.exec(
                select(Film)
                .where(func.lower(Film.title) == title.lower())
                .order_by(col(Film.updated_at).desc())
            ).all()
            return [
                {"imdb_id": f.imdb_id, "tmdb_id": f.tmdb_id, "title": f.title, "year": f.year} for f in rows
            ]


def _iso(dt: datetime) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _observation(row: RatingObservation) -> dict[str, Any]:
    return {
        "imdb_id": row.imdb_id,
        "source": row.source,
        "name": row.name,
        "label": row.label,
        "value": row.value,
        "scale": row.scale,
        "normalized": row.normalized,
        "votes": row.votes,
        "fetched_at": _iso(row.fetched_at),
    }


def _lookup(row: Lookup) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": _iso(row.created_at),
        "query": {"title": row.query_title, "year": row.query_year},
        "outcome": row.outcome,
        "movie": {"title": row.title, "year": row.year, "imdb_id": row.imdb_id, "tmdb_id": row.tmdb_id}
        if row.imdb_id or row.title
        else None,
        "score": row.score,
        "cached": row.cached,
        "stale": row.stale,
        "errors": json.loads(row.errors or "[]"),
    }
