"""Import-cost guards: what must stay off the hot paths (checked in fresh interpreters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.fakeapi import FakeAPI

HEAVY = ("boto3", "botocore", "sqlalchemy", "sqlmodel", "redis", "httpx")


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    probe = code + f"\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_movieagg_is_light() -> None:
    assert loaded_after("import movieagg") == set()


def test_core_imports_nothing_of_the_outer_layers() -> None:
    code = "import movieagg.core.aggregator, movieagg.core.matching, movieagg.core.scoring\n"
    outer = ("movieagg.cli", "movieagg.aws", "movieagg.web", "movieagg.deploy", "typer", "rich")
    code += f"assert not any(m.startswith({outer!r}) for m in sys.modules)"
    assert loaded_after("import sys\n" + code) == set()


def test_the_aggregator_loads_what_asks_sources_only_when_it_asks() -> None:
    code = "import sys, movieagg.core.aggregator\n"
    asking = ("asyncio", "movieagg.core.resolve", "movieagg.core.fanout", "movieagg.core.calls")
    code += f"assert not [m for m in {asking!r} if m in sys.modules], sys.modules.keys()"
    assert loaded_after(code) == set()


def test_cli_help_is_light() -> None:
    assert loaded_after("from movieagg.cli import app") == set()


def test_a_cache_hit_imports_nothing_heavy(fake: FakeAPI) -> None:
    rate = "import movieagg\nr = movieagg.rate('The Matrix')\nassert r.cached == CACHED, r\n"
    assert "httpx" in loaded_after(rate.replace("CACHED", "False"))  # the miss really used the network
    assert loaded_after(rate.replace("CACHED", "True")) == set()


# What a cached `movieagg rate --json` may import (commands.quick): every movieagg module by
# name, and no third-party package at all. Above all no asyncio, ssl, httpx, adapter, limiter,
# quota, typer/click/rich, SQL store or diskcache (its reads need only sqlite3). A hit needs the
# query parser (ids, URLs, `Title (YYYY)`), pins (they beat the cache), weights (--weights,
# MOVIEAGG_WEIGHTS), confidence and agreement (on the cached answer), and the bounds, assessment
# and text/untrusted modules the models validate and fold with, and the aggregator's own plan and
# assemble; never what asks a source (resolve, fanout, calls, breaker, budget, upstream, lookaside,
# suggest). Gating (pure, a few lines) reads the cached "not asked" of the anime sources.
HIT_MOVIEAGG_MODULES = {
    "movieagg", "movieagg._dataclass_code", "movieagg._jsonout", "movieagg._version", "movieagg.cli",
    "movieagg.cache", "movieagg.cache.disk",
    "movieagg.commands", "movieagg.commands.common", "movieagg.commands.quick",
    "movieagg.core", "movieagg.core.aggregator", "movieagg.core.agreement", "movieagg.core.assemble",
    "movieagg.core.assessment",
    "movieagg.core.bounds", "movieagg.core.cachekeys", "movieagg.core.confidence",
    "movieagg.core.config", "movieagg.core.errors", "movieagg.core.gating", "movieagg.core.lookup_cache", "movieagg.core.lookup_log",
    "movieagg.core.lru", "movieagg.core.matching", "movieagg.core.memo", "movieagg.core.models",
    "movieagg.core.pins", "movieagg.core.plan", "movieagg.core.protocols", "movieagg.core.query", "movieagg.core.redact",
    "movieagg.core.safecache", "movieagg.core.scoring", "movieagg.core.text", "movieagg.core.untrusted",
    "movieagg.core.watch", "movieagg.core.watching", "movieagg.core.weights",  # where to watch, from cache
    "movieagg.factory", "movieagg.records", "movieagg.records.keeper", "movieagg.records.outbox",
    "movieagg.sources", "movieagg.sources.lazy", "movieagg.sources.limits", "movieagg.sources.registry",
    "movieagg.store", "movieagg.store.gate",
    "movieagg.tvhint",  # the same-title series of the answer, from the cache (#16)
}  # fmt: skip
HIT_THIRD_PARTY: set[str] = {"_distutils_hack"}  # setuptools' start-up hook: `python -c pass` loads it too
HIT_NEVER = {"asyncio", "ssl", "_ssl", "subprocess", "concurrent", "socket", "selectors", "email", "tomllib",
             "difflib", "uuid", "importlib.metadata", "zipfile", "_hashlib", "statistics"}  # fmt: skip


def test_a_cached_cli_rate_imports_only_the_allow_list(fake: FakeAPI) -> None:
    # A hit leaves through os._exit (no atexit); a miss returns normally. Report either way.
    probe = (
        "import atexit, json, os, sys\n"
        "report = lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
        "atexit.register(report)\n"
        "real_exit = os._exit\n"
        "os._exit = lambda code: (report(), sys.stderr.flush(), real_exit(code))\n"
        "sys.argv = ['movieagg', 'rate', 'The Matrix', '--json']\n"
        "from movieagg.cli import main\n"
        "main()\n"
    )
    assert json.loads(run_probe(probe).stdout)["cached"] is False  # fills the cache
    done = run_probe(probe)
    assert json.loads(done.stdout)["cached"] is True
    modules = set(json.loads(done.stderr.split("MODULES ", 1)[1].splitlines()[0]))
    assert {m for m in modules if m.split(".")[0] == "movieagg"} == HIT_MOVIEAGG_MODULES
    third_party = {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"movieagg", "__main__"}
    assert third_party <= HIT_THIRD_PARTY
    assert not {m for m in modules if m in HIT_NEVER or m.split(".")[0] in HIT_NEVER}


def run_probe(code: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_the_cli_keeps_httpx_from_importing_its_own_cli(fake: FakeAPI) -> None:
    """`import httpx` would also import httpx's CLI (click, pygments, rich.progress): ~130 ms."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('httpx CLI loaded: %s, httpx loaded: %s\\n'"
        " % (hasattr(sys.modules.get('httpx._main'), '__file__'), 'httpx' in sys.modules)))\n"
        "sys.argv = ['movieagg', 'rate', 'Up', '--json', '--no-cache']\n"
        "from movieagg.cli import main\n"
        "main()\n"
    )
    done = run_probe(probe)
    assert "httpx CLI loaded: False, httpx loaded: True" in done.stderr


def test_httpx_main_still_works_behind_the_stand_in() -> None:
    probe = (
        "import sys\n"
        "from movieagg.cli import _without_httpx_cli\n"
        "_without_httpx_cli()\n"
        "import httpx\n"
        "assert 'pygments' not in sys.modules\n"
        "httpx.main(['--help'], standalone_mode=False)\n"
    )
    done = run_probe(probe)
    assert "Usage" in done.stdout and "httpx" in done.stdout


def test_a_cold_health_probe_imports_no_orm(tmp_path: Path) -> None:
    """A fresh Lambda container's /api/health pings the store's database with its driver alone."""
    probe = (
        "import json, sys\n"
        "import movieagg.aws.handler as h\n"
        "event = {'resource': '/api/{proxy+}', 'path': '/api/health', 'httpMethod': 'GET', 'headers': {},\n"
        "         'multiValueHeaders': {}, 'queryStringParameters': None, 'multiValueQueryStringParameters': None,\n"
        "         'pathParameters': {'proxy': 'health'}, 'stageVariables': None, 'body': None,\n"
        "         'isBase64Encoded': False, 'requestContext': {'requestId': 'r', 'stage': 'prod',\n"
        "         'path': '/prod/api/health', 'httpMethod': 'GET', 'identity': {'sourceIp': '127.0.0.1'}}}\n"
        "body = json.loads(h.handler(event, None)['body'])\n"
        "print(json.dumps([body['checks']['store'], sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic')"
        " if m in sys.modules)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOVIEAGG_")}
    env.update(MOVIEAGG_HOME=str(tmp_path), AWS_LAMBDA_FUNCTION_NAME="movieagg-test-api")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    store, orm = json.loads(done.stdout.strip().splitlines()[-1])
    assert store == {"status": "ok", "backend": "sqlite"}
    assert orm == []
