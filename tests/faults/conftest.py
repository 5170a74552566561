from __future__ import annotations

from tests.services import db_url, pg_url, redis_url

__all__ = ["db_url", "pg_url", "redis_url"]
