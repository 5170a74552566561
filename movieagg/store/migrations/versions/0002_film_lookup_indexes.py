"""Films remember their original title; indexes for title and TMDB-id history lookups.

``movieagg history "Le Fabuleux Destin d'Amélie Poulain"`` finds the film by its original
title; case-insensitive title lookups and histories of films known only by a TMDB id get
an index. Additive: existing rows are kept (original_title starts empty and fills in on the
film's next lookup).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("films") as batch:
        batch.add_column(sa.Column("original_title", sa.String(length=300), nullable=True))
    op.create_index("ix_films_title_lower", "films", [sa.text("lower(title)")])
    op.create_index("ix_films_original_title_lower", "films", [sa.text("lower(original_title)")])
    op.create_index("ix_observations_tmdb_time", "rating_observations", ["tmdb_id", "fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_observations_tmdb_time", table_name="rating_observations")
    op.drop_index("ix_films_original_title_lower", table_name="films")
    op.drop_index("ix_films_title_lower", table_name="films")
    with op.batch_alter_table("films") as batch:
        batch.drop_column("original_title")
