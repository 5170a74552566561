"""Rating history and search logs: where lookup records end up (SQLite or PostgreSQL).

:func:`open_store` opens the store the settings name; :class:`StoreGate` holds it for a
long-lived process and keeps a down database from costing every request. Importing this
package imports neither SQLAlchemy nor SQLModel; :mod:`movieagg.store.sql` does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

if TYPE_CHECKING:
    from movieagg.store.sql import SQLStore


SUPPORTED = ("sqlite", "postgresql")
_SCHEME = re.compile(r"^(?P<dialect>[A-Za-z][A-Za-z0-9]*)(?:\+(?P<driver>[A-Za-z0-9_]+))?://")
_EXPECTED = "sqlite:///path/to/history.sqlite3 or postgresql+psycopg://user@host/database"


def check_database_url(url: str) -> None:
    """Raise a ConfigurationError (exit 3) unless ``url`` names a SQLite or PostgreSQL database.

    Cheap (no SQLAlchemy import), so even `movieagg rate` can check before leaving its records
    to a helper; the message never repeats the URL (it may hold a password), only its scheme.
    """
    found = _SCHEME.match(url)
    if found is None:
        raise ConfigurationError(f"MOVIEAGG_DATABASE_URL is not a database URL; use {_EXPECTED}")
    dialect = found.group("dialect").lower()
    if dialect not in SUPPORTED:
        raise ConfigurationError(
            f"MOVIEAGG_DATABASE_URL names a {dialect!r} database; movieagg keeps its history in "
            f"SQLite or PostgreSQL ({_EXPECTED})"
        )


def database_url(settings: Settings) -> str:
    """MOVIEAGG_DATABASE_URL (its password from MOVIEAGG_DATABASE_PASSWORD if it has none), else SQLite.

    A URL movieagg cannot use is a ConfigurationError (exit 3), never a SQLAlchemy traceback.
    """
    if settings.database_url:
        check_database_url(settings.database_url)
        # The password may live apart (an SSM SecureString on AWS), so the URL itself can sit
        # in plain configuration.
        password = settings.database_password
        if password and "://" in settings.database_url:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                url = make_url(settings.database_url)
            except ArgumentError:
                raise ConfigurationError(
                    f"MOVIEAGG_DATABASE_URL is not a database URL; use {_EXPECTED}"
                ) from None
            if url.password is None:
                return url.set(password=password.reveal()).render_as_string(hide_password=False)
        return settings.database_url
    return f"sqlite:///{settings.dir('data') / 'movieagg.sqlite3'}"


def open_store(settings: Settings) -> SQLStore:
    """The history store the settings name; its schema is migrated on first use unless
    MOVIEAGG_DB_AUTO_UPGRADE=0 (records then wait in the outbox until `movieagg db upgrade`)."""
    from movieagg.store.sql import SQLStore

    return SQLStore(database_url(settings), auto_upgrade=settings.db_auto_upgrade)


from movieagg.store.gate import StoreGate  # noqa: E402 - light, needs open_store above

__all__ = ["StoreGate", "check_database_url", "database_url", "open_store"]
