"""Benchmark the Lambda package: zip size and cold init, measured the way the runtime runs it.

    python -m bench.bench_lambda                  # build (cached), 7 cold starts per event
    python -m bench.bench_lambda --runs 11 --json

The zip is built as `movieagg deploy` builds it (manylinux wheels, byte-compiled by a local
Python 3.12; the build cache is MOVIEAGG_BUILD_CACHE), unpacked, and each cold start is a fresh
``python3.12 -I -S`` whose path is the unpacked zip and the standard library only. In that
process the clock starts before ``import movieagg.aws.handler`` and stops when the first event
is answered: ``/api/health`` (which touches the cache and the SQLite store) and a cached
``/api/rate`` (the film was looked up once before, against the local fake upstream). The
figure is the median of the runs, in wall time and in CPU time (steadier on a shared machine);
the whole process (interpreter start and exit included) is shown apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.fakeapi import FakeAPI

COLD = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
sys.path.insert(0, sys.argv[1])
import movieagg.aws.handler as h
t1 = time.perf_counter()
path, query = sys.argv[2], json.loads(sys.argv[3])
event = {"resource": "/api/{proxy+}", "path": path, "httpMethod": "GET", "headers": {},
         "multiValueHeaders": {}, "queryStringParameters": query, "multiValueQueryStringParameters": None,
         "pathParameters": {"proxy": path[5:]}, "stageVariables": None,
         "requestContext": {"requestId": "bench", "stage": "prod", "path": "/prod" + path,
                            "httpMethod": "GET", "identity": {"sourceIp": "127.0.0.1"}},
         "body": None, "isBase64Encoded": False}
response = h.handler(event, None)
t2, c2 = time.perf_counter(), time.process_time()
body = json.loads(response["body"])
print("RESULT " + json.dumps({"status": response["statusCode"], "cached": body.get("cached"),
      "import_ms": (t1 - t0) * 1000, "init_ms": (t2 - t0) * 1000, "cpu_ms": (c2 - c0) * 1000,
      "modules": len(sys.modules)}))
"""
EVENTS = {
    "health": ("/api/health", None),
    "rate (cached)": ("/api/rate", {"title": "The Matrix", "year": "1999"}),
}


def build(python: str, work: Path) -> Path:
    from movieagg.core.config import Settings
    from movieagg.deploy.package import build_lambda

    settings = Settings.from_env(read_file=False)
    return build_lambda(work, deps_cache=settings.build_cache, python=python).path


def sizes(zpath: Path, top: int = 12) -> dict[str, Any]:
    with zipfile.ZipFile(zpath) as zf:
        infos = zf.infolist()
    by_top: Counter[str] = Counter()
    for info in infos:
        by_top[info.filename.split("/")[0]] += info.compress_size
    return {
        "zip_bytes": zpath.stat().st_size,
        "zip_mib": round(zpath.stat().st_size / 2**20, 2),
        "unpacked_mib": round(sum(i.file_size for i in infos) / 2**20, 2),
        "files": len(infos),
        "largest": [(name, round(size / 2**20, 2)) for name, size in by_top.most_common(top)],
    }


def cold_start(python: str, task: Path, env: dict[str, str], path: str, query: Any) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run(
        [python, "-I", "-S", "-c", COLD, str(task), path, json.dumps(query)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    wall = (time.perf_counter() - started) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"cold start failed: {proc.stderr[-2000:]}")
    out = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    out["wall_ms"] = wall
    return dict(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts per event (median reported)")
    parser.add_argument("--python", help="the Python 3.12 to run (default: as deploy finds it)")
    parser.add_argument("--zip", type=Path, help="measure this zip instead of building one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from movieagg.deploy.package import find_python

    python = args.python or find_python()
    if python is None:
        raise SystemExit("no local Python 3.12: set MOVIEAGG_LAMBDA_PYTHON")
    with tempfile.TemporaryDirectory(prefix="bench-lambda-") as tmp, FakeAPI() as fake:
        zpath = args.zip or build(python, Path(tmp) / "build")
        report: dict[str, Any] = {"zip": sizes(zpath), "python": python, "runs": args.runs, "events": {}}
        task = Path(tmp) / "task"
        with zipfile.ZipFile(zpath) as zf:
            zf.extractall(task)
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": tmp,
            "MOVIEAGG_HOME": str(Path(tmp) / "home"),
            "AWS_LAMBDA_FUNCTION_NAME": "movieagg-bench-api",
            **fake.env,
        }
        for name, (path, query) in EVENTS.items():
            cold_start(python, task, env, path, query)  # warm the disk cache and the page cache
            runs = [cold_start(python, task, env, path, query) for _ in range(args.runs)]
            assert all(r["status"] == 200 for r in runs), runs
            if query:
                assert all(r["cached"] for r in runs), "the rate was not served from the cache"
            report["events"][name] = {
                key: round(statistics.median(r[key] for r in runs), 1)
                for key in ("import_ms", "init_ms", "cpu_ms", "wall_ms")
            } | {"max_init_ms": round(max(r["init_ms"] for r in runs), 1), "modules": runs[0]["modules"]}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    z = report["zip"]
    print(
        f"zip: {z['zip_mib']} MiB ({z['zip_bytes']:,} bytes), {z['unpacked_mib']} MiB unpacked, {z['files']} files"
    )
    print("largest (compressed MiB): " + ", ".join(f"{n} {s}" for n, s in z["largest"]))
    print(f"cold init, python3.12 -I -S, median of {args.runs} ({python}):")
    for name, e in report["events"].items():
        print(
            f"  {name:15} import {e['import_ms']:6.1f} ms   import + first answer {e['init_ms']:6.1f} ms "
            f"(CPU {e['cpu_ms']:.1f}, max wall {e['max_init_ms']:.1f})   whole process {e['wall_ms']:6.1f} ms   "
            f"{e['modules']} modules"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
