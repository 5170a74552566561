"""Benchmark `movieagg deploy` against a plain moto_server: a first deploy, then a no-change one.

    python -m bench.bench_deploy                  # small size, 3 runs, the Lambda build cached
    python -m bench.bench_deploy --runs 5 --lint --json

moto's server runs in this process on 127.0.0.1 (a plain one: nothing patched), the deploy runs
through the CLI (Typer's runner) with a throwaway front end. The Lambda zip comes from the build
cache (MOVIEAGG_BUILD_CACHE); the first run warms it when it is cold, and is reported apart.
Only the small size: a plain moto_server cannot create the full size (no ElastiCache in its
CloudFormation; README, "Try it against a local emulator").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lint", action="store_true", help="keep the cfn-lint pre-flight (≈ 2.5 s)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import logging

    from moto.server import ThreadedMotoServer
    from typer.testing import CliRunner

    from movieagg.cli import app

    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": str(Path(tmp) / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(Path(tmp) / "none"),
            }
        )
        site = Path(tmp) / "dist"
        site.mkdir()
        (site / "index.html").write_text("<!doctype html><title>movieagg</title>")
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        runs: list[dict[str, float]] = []
        try:
            for n in range(args.runs + 1):
                urllib.request.urlopen(
                    urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10
                )
                os.environ["MOVIEAGG_HOME"] = str(Path(tmp) / f"home-{n}")
                cmd = ["deploy", "--stage", "bench", "--size", "small", "--endpoint-url", url]
                cmd += ["--frontend", str(site), "--yes", *([] if args.lint else ["--no-lint"])]
                timings: dict[str, float] = {}
                for name in ("first", "no_change"):
                    started = time.perf_counter()
                    result = CliRunner().invoke(app, cmd)
                    timings[name] = time.perf_counter() - started
                    if result.exit_code != 0:
                        raise SystemExit(f"deploy failed ({result.exit_code}): {result.output[-2000:]}")
                runs.append(timings)
        finally:
            server.stop()
    warm = runs[1:]
    report: dict[str, Any] = {
        "lint": args.lint,
        "warm-up run (may build the Lambda zip)": {k: round(v, 2) for k, v in runs[0].items()},
        "median_first_s": round(statistics.median(r["first"] for r in warm), 2),
        "median_no_change_s": round(statistics.median(r["no_change"] for r in warm), 2),
        "runs": [{k: round(v, 2) for k, v in r.items()} for r in warm],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"deploy --size small against a plain moto_server ({'with' if args.lint else 'without'} cfn-lint), "
            f"median of {len(warm)}: first {report['median_first_s']} s, no-change {report['median_no_change_s']} s "
            f"(runs: {report['runs']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
