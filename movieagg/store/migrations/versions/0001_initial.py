"""Initial schema: films, lookups (the search log), rating_observations (history).

The schema the first releases created with ``create_all``; a database made that way (with no
``alembic_version`` table) is stamped at this revision and upgraded from here.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "films",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("imdb_id", sa.String(length=12), nullable=True),
        sa.Column("tmdb_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("imdb_id", name="uq_films_imdb_id"),
    )
    op.create_index("ix_films_tmdb_id", "films", ["tmdb_id"])
    op.create_table(
        "lookups",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("query_title", sa.String(length=300), nullable=False),
        sa.Column("query_year", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("imdb_id", sa.String(length=12), nullable=True),
        sa.Column("tmdb_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("errors", sa.String(), nullable=False),
    )
    op.create_index("ix_lookups_created_at", "lookups", ["created_at"])
    op.create_index("ix_lookups_imdb_id", "lookups", ["imdb_id"])
    op.create_table(
        "rating_observations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lookup_id", sa.String(length=32), sa.ForeignKey("lookups.id"), nullable=False),
        sa.Column("imdb_id", sa.String(length=12), nullable=True),
        sa.Column("tmdb_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("scale", sa.Float(), nullable=False),
        sa.Column("normalized", sa.Float(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_observations_film_name_time", "rating_observations", ["imdb_id", "name", "fetched_at"]
    )
    op.create_index("ix_observations_lookup", "rating_observations", ["lookup_id"])


def downgrade() -> None:
    op.drop_table("rating_observations")
    op.drop_table("lookups")
    op.drop_table("films")
