"""SQLModel tables: films, lookups (the search log) and rating observations (history).

Portable types only (no JSON or array columns), so SQLite and PostgreSQL share one schema.
These classes describe the schema at the newest migration (``movieagg/store/migrations``);
a change here needs a new migration revision (a test compares the two).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, MetaData, UniqueConstraint, func
from sqlmodel import Field, SQLModel


class Film(SQLModel, table=True):
    __tablename__ = "films"
    __table_args__ = (UniqueConstraint("imdb_id", name="uq_films_imdb_id"),)

    id: int | None = Field(default=None, primary_key=True)
    imdb_id: str | None = Field(default=None, max_length=12)
    tmdb_id: int | None = Field(default=None, index=True)
    title: str = Field(max_length=300)
    original_title: str | None = Field(default=None, max_length=300)
    year: int | None = None
    updated_at: datetime


class Lookup(SQLModel, table=True):
    __tablename__ = "lookups"
    __table_args__ = (Index("ix_lookups_created_at", "created_at"), Index("ix_lookups_imdb_id", "imdb_id"))

    id: str = Field(primary_key=True, max_length=32)
    created_at: datetime
    query_title: str = Field(max_length=300)
    query_year: int | None = None
    outcome: str = Field(max_length=32)
    imdb_id: str | None = Field(default=None, max_length=12)
    tmdb_id: int | None = None
    title: str | None = Field(default=None, max_length=300)
    year: int | None = None
    score: float | None = None
    cached: bool = False
    stale: bool = False
    errors: str = Field(default="[]")  # JSON list of {"source", "message"}


class RatingObservation(SQLModel, table=True):
    __tablename__ = "rating_observations"
    __table_args__ = (
        Index("ix_observations_film_name_time", "imdb_id", "name", "fetched_at"),
        Index("ix_observations_lookup", "lookup_id"),
        Index("ix_observations_tmdb_time", "tmdb_id", "fetched_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lookup_id: str = Field(foreign_key="lookups.id", max_length=32)
    imdb_id: str | None = Field(default=None, max_length=12)
    tmdb_id: int | None = None
    source: str = Field(max_length=40)
    name: str = Field(max_length=60)
    label: str = Field(max_length=80)
    value: float
    scale: float
    normalized: float
    votes: int | None = None
    fetched_at: datetime


metadata: MetaData = SQLModel.metadata
_films = metadata.tables["films"]
# Case-insensitive title lookups (`movieagg history "the matrix"`): expression indexes.
Index("ix_films_title_lower", func.lower(_films.c.title))
Index("ix_films_original_title_lower", func.lower(_films.c.original_title))
