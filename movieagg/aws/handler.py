"""The AWS Lambda entry point behind API Gateway (REST v1 proxy and HTTP API v2 events).

``handler(event, context)``: the event becomes a :class:`~movieagg.web.http.Request`
(:mod:`movieagg.aws.events`), the one :class:`~movieagg.web.service.Service` of the container
answers it — the same service ``movieagg serve`` runs — and the response goes back in the
event's payload version. Every invocation runs on one private, long-lived event loop, so the
service's HTTP client and connection pools survive between invocations. Nothing heavy is
imported here: no boto3 (unless MOVIEAGG_SSM_PREFIX is set), no httpx or sqlmodel until a
route needs them, and none of the CLI or deploy tooling.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from movieagg.aws.events import parse_event, to_event_response
from movieagg.aws.params import open_parameter_store
from movieagg.web.service import Service

_services: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Service] = weakref.WeakKeyDictionary()
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def lambda_service(environ: Mapping[str, str] | None = None, **options: Any) -> Service:
    """A Service as a Lambda container runs it: settings may come from Parameter Store."""
    return Service(environ, parameters=open_parameter_store, **options)


def service_for_loop(loop: asyncio.AbstractEventLoop) -> Service:
    """The one Service bound to ``loop`` (its HTTP client belongs to that loop)."""
    service = _services.get(loop)
    if service is None:
        service = lambda_service()
        _services[loop] = service
    return service


async def ahandler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Async twin of :func:`handler`, for callers that already run an event loop."""
    request = parse_event(event)
    service = service_for_loop(asyncio.get_running_loop())
    response = await service.handle(request)
    return to_event_response(response, request.version)


def _private_loop() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    return _loop


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: one event in, one proxy-integration response out."""
    with _loop_lock:  # Lambda sends one event at a time; threads in tests or tools take turns
        loop = _private_loop()
        return loop.run_until_complete(ahandler(event, context))


def install(service: Service, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Use ``service`` for events on ``loop`` (default: the private loop); tests inject theirs."""
    _services[loop or _private_loop()] = service


def reset() -> None:
    """Forget every Service (tests); the next invocation is a cold start again."""
    global _loop
    for loop, service in list(_services.items()):
        if not loop.is_closed() and not loop.is_running():
            with contextlib.suppress(Exception):
                loop.run_until_complete(service.aclose())
    _services.clear()
    if _loop is not None and not _loop.is_closed():
        _loop.close()
    _loop = None


__all__ = ["ahandler", "handler", "install", "lambda_service", "reset", "service_for_loop"]
