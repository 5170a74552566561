"""The Lambda zip holds the runtime and nothing else, and its hash moves only with runtime code.

Built sources-only (no wheels, no byte-compiling) so these run in seconds; the full build under
Python 3.12 is tests/deploy/test_package.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import movieagg
from bench.fakeapi import FakeAPI
from movieagg.deploy import package

SOURCE = Path(movieagg.__file__).resolve().parent

SERVE_EVERY_ROUTE = r"""
import json, sys
import movieagg.aws.handler as h

def event(method, path, query=None, headers=None):
    return {"httpMethod": method, "path": path, "headers": headers or {}, "queryStringParameters": query,
            "requestContext": {"requestId": "req-" + path.replace("/", "-"), "identity": {}}}

calls = [
    ("GET", "/api/rate", {"title": "The Matrix", "year": "1999"}),
    ("GET", "/api/search", {"q": "Dune"}),
    ("GET", "/api/movies/tt0133093", None),
    ("GET", "/api/movies/tt0133093/history", None),
    ("GET", "/api/sources", None),
    ("GET", "/api/health", None),
    ("GET", "/api/openapi.json", None),
    ("HEAD", "/api/rate", {"title": "The Matrix"}),
    ("OPTIONS", "/api/rate", None),
    ("GET", "/api/nothing", None),
    ("GET", "/api/rate", {"title": " "}),
]
statuses = [h.handler(event(m, p, q), None)["statusCode"] for m, p, q in calls]
modules = {name: getattr(mod, "__file__", None) for name, mod in sys.modules.items() if name.startswith("movieagg")}
print("RESULT " + json.dumps({"statuses": statuses, "modules": modules}))
"""


def _zip_names(artifact: package.Artifact) -> set[str]:
    with zipfile.ZipFile(artifact.path) as zf:
        return set(zf.namelist())


def test_serving_every_route_imports_only_what_the_zip_holds(tmp_path: Path, fake: FakeAPI) -> None:
    art = package.build_lambda(tmp_path / "build", requirements=[], compile_bytecode=False)
    names = _zip_names(art)
    task = tmp_path / "task"
    with zipfile.ZipFile(art.path) as zf:
        zf.extractall(task)
    env = {
        **os.environ,
        "PYTHONPATH": str(task),  # movieagg from the zip only; its dependencies from this venv
        "MOVIEAGG_HOME": str(tmp_path / "home"),
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-test-api",
    }
    proc = subprocess.run(
        [sys.executable, "-c", SERVE_EVERY_ROUTE],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out: dict[str, Any] = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))[7:])
    assert out["statuses"] == [200, 200, 200, 200, 200, 200, 200, 200, 204, 404, 400], proc.stdout[-2000:]
    modules: dict[str, str | None] = out["modules"]
    assert "movieagg.sources.tmdb" in modules and "movieagg.store.sql" in modules  # the routes really ran
    for name, file in sorted(modules.items()):
        assert file is not None and file.startswith(str(task)), (name, file)
        assert Path(file).relative_to(task).as_posix() in names, name
    tooling = ("movieagg.deploy", "movieagg.cli", "movieagg.commands", "movieagg.batch", "movieagg._render")
    assert not [n for n in modules if n.startswith(tooling)]


def test_the_zip_leaves_the_tooling_out() -> None:
    files = {p.relative_to(SOURCE).as_posix() for p in package.runtime_files(SOURCE)}
    assert {"aws/handler.py", "web/service.py", "web/openapi.json", "core/errors.py", "factory.py"} <= files
    for tooling in ("cli.py", "__main__.py", "_render.py", "_jsonout.py", "commands/", "deploy/", "batch"):
        assert not [f for f in files if f.startswith(tooling)], tooling


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "src" / "movieagg"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "_infra"))
    return copy


def _build(package_dir: Path, workdir: Path, **options: Any) -> package.Artifact:
    return package.build_lambda(
        workdir, requirements=[], compile_bytecode=False, package=package_dir, **options
    )


def test_zip_hash_changes_only_with_runtime_code(source_copy: Path, tmp_path: Path) -> None:
    first = _build(source_copy, tmp_path / "1")
    for tooling in ("deploy/deployer.py", "cli.py", "commands/deploy.py"):
        with (source_copy / tooling).open("a") as fh:
            fh.write("\n# an edit to the tooling\n")
    assert _build(source_copy, tmp_path / "2").sha256 == first.sha256
    with (source_copy / "web" / "routes.py").open("a") as fh:
        fh.write("\n# an edit to the runtime\n")
    second = _build(source_copy, tmp_path / "3")
    assert second.sha256 != first.sha256 and second.key != first.key


def test_a_cached_build_is_reused_across_tooling_edits(source_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _build(source_copy, tmp_path / "1", deps_cache=cache)
    (source_copy / "deploy" / "deployer.py").write_text("# rewritten\n")
    again = _build(source_copy, tmp_path / "2", deps_cache=cache)
    assert again.sha256 == first.sha256
    assert any("reused a cached build" in n for n in again.notes)
