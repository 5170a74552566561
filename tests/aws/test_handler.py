"""The Lambda entry point: event shapes it reads, its /tmp home, what importing it costs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from movieagg.web.service import Service
from tests.web.conftest import Invoked
from tests.web.fakes import v1_event, v2_event

EVENTS = pytest.mark.parametrize("make_event", [v1_event, v2_event], ids=["v1", "v2"])
Invoke = Callable[[dict[str, Any]], Invoked]


def test_v2_named_stage_is_stripped(invoke: Invoke) -> None:
    assert invoke(v2_event("/api/sources", stage="prod")).status == 200


@EVENTS
def test_request_id_comes_from_api_gateway(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/sources"))
    assert r.headers["X-Request-Id"] in ("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "JKJaXmPLvHcESHA=")


def test_lambda_uses_tmp_home_and_real_aggregator_flushes_history(
    make_service: Callable[..., Service], fake: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end in-process: the real aggregator against the fake upstream; records reach the store."""
    from movieagg.aws import handler as module
    from movieagg.web import service as service_module

    home = tmp_path / "lambda-home"
    monkeypatch.setattr(service_module, "LAMBDA_HOME", str(home))
    env = {
        **fake.env,
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-api",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    }
    service = make_service(environ=env)
    r = Invoked(module.handler(v2_event("/api/rate", {"title": "The Matrix"}), None))
    assert r.status == 200 and r.json()["cached"] is False
    assert service.settings is not None and service.settings.home == home
    again = Invoked(module.handler(v1_event("/api/rate", {"title": "The Matrix"}), None))
    assert again.json()["cached"] is True
    hist = Invoked(module.handler(v2_event("/api/movies/tt0133093/history"), None))
    assert hist.status == 200 and len(hist.json()["observations"]) >= 2
    assert (home / "movieagg.sqlite3").exists()


def test_import_is_light() -> None:
    code = (
        "import sys, movieagg.aws.handler\n"
        "mods = ('boto3', 'botocore', 'httpx', 'sqlmodel', 'sqlalchemy', 'redis', 'uvicorn', 'rich')\n"
        "heavy = [m for m in mods if m in sys.modules]\n"
        "print(json.dumps(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


def test_the_runtime_imports_no_tooling() -> None:
    """The Lambda runtime stands apart from the tooling: no deploy code, CLI, batch, typer or rich."""
    code = (
        "import json, sys, movieagg.aws.handler\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('movieagg', 'typer', 'rich')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    tooling = ("movieagg.deploy", "movieagg.cli", "movieagg.commands", "movieagg.batch", "typer", "rich")
    assert [m for m in loaded if m.startswith(tooling)] == []
    assert "movieagg.web.service" in loaded and "movieagg.aws.events" in loaded
