from tests.services import pg_url, redis_url

__all__ = ["pg_url", "redis_url"]
