"""A deployed stack's database URL has no password: MOVIEAGG_DATABASE_PASSWORD (from SSM) fills it in."""

from __future__ import annotations

from movieagg.core.config import Settings
from movieagg.store import database_url


def test_database_password_fills_a_password_less_url() -> None:
    base = "postgresql+psycopg://movieagg@db.internal:5432/movieagg?sslmode=require"
    s = Settings.from_env(
        {"MOVIEAGG_DATABASE_URL": base, "MOVIEAGG_DATABASE_PASSWORD": "p@ss/w:rd"}, read_file=False
    )
    url = database_url(s)
    assert url.startswith("postgresql+psycopg://movieagg:p%40ss%2Fw%3Ard@db.internal:5432/")
    own = "postgresql+psycopg://u:own@db/m"
    s = Settings.from_env({"MOVIEAGG_DATABASE_URL": own, "MOVIEAGG_DATABASE_PASSWORD": "x"}, read_file=False)
    assert database_url(s) == own
    assert "p@ss/w:rd" in s.secrets() or "x" in s.secrets()
