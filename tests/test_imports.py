"""Import-cost guards: what must stay off the hot paths (checked in fresh interpreters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.fakeapi import FakeAPI

HEAVY = ("boto3", "botocore", "sqlalchemy", "sqlmodel", "redis", "httpx")


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    probe = code + f"\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}, timeout=60)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_movieagg_is_light() -> None:
    assert loaded_after("import movieagg") == set()


def test_core_imports_nothing_of_the_outer_layers() -> None:
    code = "import movieagg.core.aggregator, movieagg.core.matching, movieagg.core.scoring\n"
    outer = ('movieagg.cli', 'movieagg.aws', 'movieagg.web', 'movieagg.deploy', 'typer', 'rich')
    code += f"assert not any(m.startswith({outer!r}) for m in sys.modules)"
    assert loaded_after("import sys\n" + code) == set()


def test_cli_help_is_light() -> None:
    assert loaded_after("from movieagg.cli import app") == set()


def test_a_cache_hit_imports_nothing_heavy(fake: FakeAPI) -> None:
    rate = "import movieagg\nr = movieagg.rate('The Matrix')\nassert r.cached == CACHED, r\n"
    assert "httpx" in loaded_after(rate.replace("CACHED", "False"))  # the miss really used the network
    assert loaded_after(rate.replace("CACHED", "True")) == set()


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
