"""Alembic migrations on SQLite and PostgreSQL: from empty, from the previous revision, from a
pre-migration (create_all) database, concurrent first use, and the models matching head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from movieagg.store import schema
from movieagg.store.sql import SQLStore, make_engine
from movieagg.store.tables import metadata
from tests.store.records import record


def test_head_constant_matches_the_scripts() -> None:
    assert schema.alembic_head() == schema.HEAD == schema.KNOWN[-1]
    assert (schema.migrations_dir() / "env.py").is_file()
    assert (schema.migrations_dir() / "script.py.mako").is_file()


INDEX_NAMES = {  # expression indexes are not reflected on SQLite: ask the catalogue
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'films'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = 'films' AND schemaname = current_schema()",
}


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_up_from_empty_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert schema.state(engine).empty
        before, after = schema.upgrade(engine)
        assert (before, after) == (None, schema.HEAD)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            indexes = set(conn.execute(text(INDEX_NAMES[engine.dialect.name])).scalars())
        assert diff == [], f"tables.py and the migrations disagree: {diff}"
        assert {"ix_films_title_lower", "ix_films_original_title_lower"} <= indexes
        # Upgrading again is a no-op.
        assert schema.upgrade(engine) == (schema.HEAD, schema.HEAD)
    finally:
        engine.dispose()


def _insert_at_0001(db_url: str) -> None:
    """Rows written by a release at revision 0001 (no original_title column yet)."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO films (imdb_id, tmdb_id, title, year, updated_at) "
                "VALUES ('tt0211915', 194, 'Amélie', 2001, :at)"
            ),
            {"at": "2026-01-01 00:00:00+00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO lookups (id, created_at, query_title, outcome, imdb_id, title, year, score, "
                "cached, stale, errors) VALUES ('old1', :at, 'Amelie', 'ok', 'tt0211915', 'Amélie', 2001, "
                "81.5, false, false, '[]')"
            ),
            {"at": "2026-01-01 00:00:00+00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO rating_observations (lookup_id, imdb_id, source, name, label, value, scale, "
                "normalized, votes, fetched_at) VALUES ('old1', 'tt0211915', 'omdb', 'imdb', 'IMDb', 8.3, "
                "10, 83, 793456, :at)"
            ),
            {"at": "2026-01-01 00:00:00+00:00"},
        )
    engine.dispose()


def test_up_from_previous_revision_keeps_data(db_url: str) -> None:
    engine = make_engine(db_url)
    schema.upgrade(engine, "0001")
    assert schema.state(engine).current == "0001"
    assert schema.state(engine).pending == ("0002",)
    _insert_at_0001(db_url)

    store = SQLStore(db_url)  # first use upgrades automatically
    try:
        assert store.counts() == {"films": 1, "lookups": 1, "rating_observations": 1}
        assert schema.state(store.engine).current == schema.HEAD
        [film] = store.find_film("AMÉLIE")
        assert film["imdb_id"] == "tt0211915" and film["original_title"] is None
        assert [o["value"] for o in store.history("tt0211915")] == [8.3]
        # The new column fills in on the film's next lookup.
        store.write(
            [record("Amélie", "tt0211915", "2026-02-01T00:00:00Z", 8.4, original_title="Le Fabuleux Destin")]
        )
        assert store.find_film("le fabuleux destin")[0]["imdb_id"] == "tt0211915"
        assert [o["value"] for o in store.history("tt0211915") if o["name"] == "imdb"] == [8.3, 8.4]
    finally:
        store.close()
        engine.dispose()


def test_downgrade_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        schema.upgrade(engine)
        assert schema.downgrade(engine, "0001") == (schema.HEAD, "0001")
        with engine.connect() as conn:
            assert "original_title" not in {c["name"] for c in inspect(conn).get_columns("films")}
        assert schema.upgrade(engine) == ("0001", schema.HEAD)
    finally:
        engine.dispose()


def test_pre_migration_database_is_adopted(db_url: str) -> None:
    """A database made by create_all before migrations existed: stamped 0001, then upgraded."""
    engine = make_engine(db_url)
    schema.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    _insert_at_0001(db_url)
    found = schema.state(engine)
    assert found.legacy and found.current is None
    store = SQLStore(db_url)
    try:
        assert store.counts()["lookups"] == 1
        assert schema.state(store.engine).current == schema.HEAD
    finally:
        store.close()
        engine.dispose()


def test_no_auto_upgrade_refuses_with_a_clear_message(db_url: str) -> None:
    engine = make_engine(db_url)
    schema.upgrade(engine, "0001")
    engine.dispose()
    store = SQLStore(db_url, auto_upgrade=False)
    try:
        with pytest.raises(schema.StoreError, match="movieagg db upgrade"):
            store.write([record()])
    finally:
        store.close()


def test_unknown_newer_revision_is_left_alone(db_url: str) -> None:
    engine = make_engine(db_url)
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    store = SQLStore(db_url)
    try:
        with pytest.raises(schema.StoreError, match="newer than this movieagg"):
            store.write([record()])
        with pytest.raises(schema.StoreError):
            schema.upgrade(engine)
    finally:
        store.close()
        engine.dispose()


def test_concurrent_first_use_migrates_once(db_url: str, tmp_path: Path) -> None:
    """Four processes (containers) start on an empty database at once: one migrates, all write."""
    script = (
        "import sys; from movieagg.store.sql import SQLStore; from tests.store.records import record\n"
        "s = SQLStore(sys.argv[1]); print(s.write([record()])); s.close()\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == "1"
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            lookups = conn.execute(text("SELECT count(*) FROM lookups")).scalar_one()
            films = conn.execute(text("SELECT count(*) FROM films")).scalar_one()
        assert versions == [schema.HEAD]
        assert (lookups, films) == (4, 1)
    finally:
        engine.dispose()


def test_offline_sql_for_a_dba() -> None:
    sql = schema.upgrade_sql("postgresql+psycopg://admin:hunter2secret@db.example/movies")
    assert "CREATE TABLE films" in sql and "CREATE INDEX ix_films_title_lower" in sql
    assert "hunter2secret" not in sql
    step = schema.upgrade_sql("postgresql+psycopg://db.example/movies", start="0001")
    assert "ADD COLUMN original_title" in step and "CREATE TABLE films" not in step
