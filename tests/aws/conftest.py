"""The Lambda tests drive the same Service fixtures as the web tests (tests/web/conftest.py)."""

from tests.web.conftest import fake_aggregator, invoke, logs, make_service, service

__all__ = ["fake_aggregator", "invoke", "logs", "make_service", "service"]
