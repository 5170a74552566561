"""Fixtures for the API service: a Service with the fake aggregator, invoked as Lambda invokes it.

Requests reach the service as API Gateway events through the Lambda handler (both payload
versions), the way chalice's test client drives its app: what the tests cover is what deploys.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from movieagg.aws import handler as handler_module
from movieagg.factory import Runtime
from movieagg.store.gate import StoreGate
from movieagg.web.service import Service
from tests.web.fakes import FakeAggregator


class Invoked:
    def __init__(self, result: dict[str, Any]) -> None:
        self.raw = result
        self.status: int = result["statusCode"]
        self.headers: dict[str, str] = result["headers"]
        self.text: str = result["body"]

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def code(self) -> str:
        return str(self.json()["error"]["code"])


def _as_runtime(builder: Callable[[Any], Any]) -> Callable[[Any], Runtime]:
    """Tests hand the service an aggregator (often a fake, its cache as an attribute)."""

    def build(settings: Any) -> Runtime:
        built = builder(settings)
        if isinstance(built, Runtime):
            return built
        return Runtime(
            settings, built, cache=getattr(built, "cache", None), records=None, store=StoreGate(settings)
        )

    return build


@pytest.fixture
def fake_aggregator() -> FakeAggregator:
    return FakeAggregator()


@pytest.fixture
def logs() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def make_service(logs: io.StringIO) -> Iterator[Callable[..., Service]]:
    """Build the Lambda's Service (fake aggregator unless told otherwise) and install it for handler()."""

    def make(aggregator: Any = None, environ: dict[str, str] | None = None, **options: Any) -> Service:
        env = dict(os.environ if environ is None else environ)
        builder = options.pop("builder", None)
        if builder is None and aggregator is not None:
            builder = lambda settings: aggregator  # noqa: E731
        service = handler_module.lambda_service(
            env, builder=_as_runtime(builder) if builder else None, log_stream=logs, **options
        )
        handler_module.install(service)
        return service

    yield make
    handler_module.reset()


@pytest.fixture
def service(make_service: Callable[..., Service], fake_aggregator: FakeAggregator) -> Service:
    return make_service(fake_aggregator)


@pytest.fixture
def invoke(service: Service) -> Callable[[dict[str, Any]], Invoked]:
    def call(event: dict[str, Any]) -> Invoked:
        return Invoked(handler_module.handler(event, None))

    return call


def log_lines(logs: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in logs.getvalue().splitlines() if line.strip()]
