"""The packaged Lambda zip imports and serves a request under Python 3.12 with nothing else on the path.

The zip is built for real (manylinux wheels from PyPI via pip, byte-compiled by a local Python
3.12), unpacked, and the handler is invoked in a subprocess of ``python3.12 -I -S`` whose path is
the unpacked zip and the standard library only, against the local fake of the upstream APIs.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi import FakeAPI
from movieagg.deploy import bundles, package
from movieagg.deploy.archives import Artifact
from tests.services import pg_url, redis_url

__all__ = ["pg_url", "redis_url"]  # fixtures: a fresh PostgreSQL schema and Redis key prefix

PY312 = package.find_python()
needs_py312 = pytest.mark.skipif(
    PY312 is None and not os.environ.get("CI"),
    reason="no local Python 3.12 (the Lambda runtime's); CI installs it and fails instead of skipping",
)

RUN = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import movieagg.aws.handler as h
assert h.__file__.startswith(sys.argv[1]), h.__file__
def event(path, query=None):
    return {"resource": "/api/{proxy+}", "path": path, "httpMethod": "GET", "headers": {},
            "multiValueHeaders": {}, "queryStringParameters": query, "multiValueQueryStringParameters": None,
            "pathParameters": {"proxy": path[5:]}, "stageVariables": None,
            "requestContext": {"requestId": "req-1", "stage": "prod", "path": "/prod" + path,
                               "httpMethod": "GET", "identity": {"sourceIp": "127.0.0.1"}},
            "body": None, "isBase64Encoded": False}
out = {}
for name, ev in (("rate", event("/api/rate", {"title": "The Matrix"})), ("sources", event("/api/sources"))):
    r = h.handler(ev, None)
    out[name] = {"status": r["statusCode"], "body": json.loads(r["body"])}
out["modules"] = sorted({m.split(".")[0] for m in sys.modules})
out["version"] = list(sys.version_info[:2])
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    if PY312 is None:
        pytest.fail("Python 3.12 is required in CI to build and run the Lambda package")
    cache = tmp_path_factory.getbasetemp() / "lambda-build"
    return package.build_lambda(tmp_path_factory.mktemp("lambda"), deps_cache=cache)


@needs_py312
def test_lambda_zip_contents(lambda_zip: Artifact) -> None:
    assert lambda_zip.key == f"lambda/{lambda_zip.sha256[:32]}.zip"
    assert lambda_zip.size <= 12 * 2**20, (
        f"{lambda_zip.size / 2**20:.2f} MiB: the target is 12 MiB (issue #14)"
    )
    with zipfile.ZipFile(lambda_zip.path) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    tops = {n.split("/")[0] for n in names}
    assert {"movieagg", "httpx", "sqlmodel", "redis", "psycopg"} <= tops
    assert not tops & {"typer", "rich", "click", "boto3", "botocore", "bin"}
    assert not any("/sboms/" in n for n in names)
    assert "movieagg/aws/handler.py" in names
    assert "movieagg/aws/__pycache__/handler.cpython-312.pyc" in names
    assert not any("/_infra/" in n for n in names)
    assert any(n.startswith("psycopg_binary") and "manylinux" in n for n in names) or any(
        n.endswith(".so") and n.startswith("psycopg_binary") for n in names
    )
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)  # reproducible
    # Slimmed (movieagg.deploy.slim): unused parts left out, dependencies shipped as bytecode only,
    # movieagg with its sources (readable tracebacks).
    assert not [
        n for n in names if n.startswith(("sqlalchemy/testing/", "pydantic/v1/", "alembic/templates/"))
    ]
    assert not [
        n for n in names if n.endswith((".pyi", ".pyx", ".c", ".h")) or n.endswith(".dist-info/RECORD")
    ]
    assert not [n for n in names if n.startswith("sqlalchemy/") and n.endswith(".so")]
    assert not [n for n in names if n.endswith(".py") and not n.startswith("movieagg/")]
    assert "sqlalchemy/orm/session.pyc" in names and "movieagg/web/routes.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith("LICENSE") for n in names)


@needs_py312
def test_lambda_zip_serves_a_request_under_python312_alone(
    lambda_zip: Artifact, tmp_path: Path, fake: FakeAPI
) -> None:
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(lambda_zip.path) as zf:
        zf.extractall(unpacked)
    pycs = sorted(unpacked.rglob("*.pyc"))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MOVIEAGG_HOME": str(tmp_path / "home"),
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-test-api",
        **fake.env,
    }
    proc = subprocess.run(
        [str(PY312), "-I", "-S", "-c", RUN, str(unpacked)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    out: dict[str, Any] = json.loads(line[len("RESULT ") :])
    assert out["version"] == [3, 12]
    assert out["rate"]["status"] == 200, out["rate"]
    assert out["rate"]["body"]["movie"]["imdb_id"] == "tt0133093"
    assert 0 <= out["rate"]["body"]["score"] <= 100
    assert out["sources"]["status"] == 200
    assert not set(out["modules"]) & {"typer", "rich", "boto3"}
    # Byte-compiled ahead of time (unchecked-hash): the runtime wrote no new .pyc.
    assert sorted(unpacked.rglob("*.pyc")) == pycs
    assert fake.env["TMDB_API_KEY"] not in proc.stdout + proc.stderr


def test_zip_is_reproducible_and_sources_only_without_compiling(tmp_path: Path) -> None:
    a = package.build_lambda(tmp_path / "a", requirements=[], compile_bytecode=False)
    b = package.build_lambda(tmp_path / "b", requirements=[], compile_bytecode=False)
    assert a.sha256 == b.sha256 and a.key == b.key
    assert any("no local Python" in n for n in a.notes)
    with zipfile.ZipFile(a.path) as zf:
        assert not any(n.endswith(".pyc") for n in zf.namelist())


def test_find_python_ignores_a_wrong_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_LAMBDA_PYTHON", "/nonexistent/python3.12")
    assert package.find_python("2.1") is None


def test_lambda_requirements_leave_out_the_cli_and_boto3() -> None:
    reqs = package.lambda_requirements()
    names = {r.split(">")[0].split("=")[0].split("[")[0].lower() for r in reqs}
    assert {"httpx", "sqlmodel", "redis", "psycopg"} <= names
    assert not names & {"typer", "rich", "boto3", "movieagg"}


def test_site_and_nginx_bundles(tmp_path: Path) -> None:
    import tarfile

    site = tmp_path / "dist"
    site.mkdir()
    (site / "index.html").write_text("<html></html>")
    art = bundles.build_site(site, tmp_path / "w")
    again = bundles.build_site(site, tmp_path / "w2")
    assert art.sha256 == again.sha256 and art.key.startswith("site/")
    with tarfile.open(art.path) as tar:
        assert tar.getnames() == ["index.html"]
    nginx = bundles.build_nginx(tmp_path / "w3")
    with tarfile.open(nginx.path) as tar:
        assert "render_nginx.py" in tar.getnames()


SERVE_EVERY_ROUTE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import movieagg.aws.handler as h
def event(path, query=None):
    return {"httpMethod": "GET", "path": path, "headers": {}, "queryStringParameters": query,
            "requestContext": {"requestId": "r" + path.replace("/", "-"), "identity": {}}}
calls = [("/api/rate", {"title": "The Matrix", "year": "1999"}), ("/api/search", {"q": "Dune"}),
         ("/api/movies/tt0133093", None), ("/api/movies/tt0133093/history", None), ("/api/sources", None),
         ("/api/health", None), ("/api/openapi.json", None), ("/api/nothing", None), ("/api/rate", {"title": " "})]
print("RESULT " + json.dumps([h.handler(event(p, q), None)["statusCode"] for p, q in calls]))
"""


@needs_py312
def test_the_slimmed_zip_serves_every_route_on_postgresql_and_redis(
    lambda_zip: Artifact, tmp_path: Path, fake: FakeAPI, request: pytest.FixtureRequest
) -> None:
    """What the slimming keeps is enough: PostgreSQL (psycopg binary, migrations by Alembic on a
    fresh schema) and Redis, every route, no warning logged, the lookups written."""
    from sqlalchemy import create_engine, text

    database, cache = str(request.getfixturevalue("pg_url")), str(request.getfixturevalue("redis_url"))
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(lambda_zip.path) as zf:
        zf.extractall(unpacked)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MOVIEAGG_HOME": str(tmp_path / "home"),
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-test-api",
        "MOVIEAGG_DATABASE_URL": database,
        "MOVIEAGG_CACHE": cache,
        **fake.env,
    }
    proc = subprocess.run(
        [str(PY312), "-I", "-S", "-c", SERVE_EVERY_ROUTE, str(unpacked)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    assert json.loads(line[7:]) == [200, 200, 200, 200, 200, 200, 200, 404, 400], proc.stdout[-3000:]
    logged = proc.stdout + proc.stderr
    assert '"level": "warning"' not in logged and '"level": "error"' not in logged, logged[-3000:]
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM lookups")).scalar_one() >= 1
    finally:
        engine.dispose()
