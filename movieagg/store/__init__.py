"""Rating history and search logs: where lookup records end up (SQLite or PostgreSQL).

:func:`open_store` opens the store the settings name; :class:`StoreGate` holds it for a
long-lived process and keeps a down database from costing every request. Importing this
package imports neither SQLAlchemy nor SQLModel; :mod:`movieagg.store.sql` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from movieagg.core.config import Settings

if TYPE_CHECKING:
    from movieagg.store.sql import SQLStore


def database_url(settings: Settings) -> str:
    """MOVIEAGG_DATABASE_URL (its password from MOVIEAGG_DATABASE_PASSWORD if it has none), else SQLite."""
    if settings.database_url:
        # The password may live apart (an SSM SecureString on AWS), so the URL itself can sit
        # in plain configuration.
        password = settings.database_password
        if password and "://" in settings.database_url:
            from sqlalchemy.engine import make_url

            url = make_url(settings.database_url)
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

__all__ = ["StoreGate", "database_url", "open_store"]
