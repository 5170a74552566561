"""The test services' own promises: the README and tests/services.py agree, a missing database is made."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests import services
from tests.services import pg_url  # noqa: F401  (the fixture)

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_names_the_same_default_urls() -> None:
    assert f"default\n`{services.DEFAULT_REDIS_URL}`" in README or f"default `{services.DEFAULT_REDIS_URL}`" in README
    assert services.DEFAULT_DATABASE_URL in README
    assert not re.search(r"redis://127\.0\.0\.1:6379(?![/\d])", README.split("## Tests", 1)[1])


@pytest.mark.postgres
@pytest.mark.usefixtures("pg_url")  # skips, or fails under MOVIEAGG_REQUIRE_SERVICES, without a server
def test_a_missing_test_database_is_created() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(services.database_base_url()).set(database=f"movieagg_fresh_{uuid.uuid4().hex[:8]}")
    rendered = url.render_as_string(hide_password=False)
    try:
        assert services.ensure_database(rendered) is True
        assert services.ensure_database(rendered) is False  # there now, and remembered
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select current_database()")).scalar() == url.database
        engine.dispose()
    finally:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        admin.dispose()
