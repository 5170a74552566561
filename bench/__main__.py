"""Every benchmark, briefly, in one table: ``python -m bench [--json] [--skip NAME ...]``.

Each figure comes with what it is measured against in the same run (Python's own start-up,
the naive sequential chain, the rate-limit bound), because ratios travel between machines and
absolute times do not. Everything runs on loopback against the local fake upstream; the whole
run takes a few minutes. The full benchmarks behind each row (more rounds, more options):

- ``hit``: a cached ``movieagg rate`` process vs ``python -c pass``, A/B alternated, medians;
- ``lookup``: ``python -m bench.bench_lookup`` (cold lookup vs the naive chain);
- ``serve``: ``python -m bench.bench_serve`` (needs wrk), also with ``--workers 2``;
- ``batch``: ``python -m bench.bench_batch`` (and ``--server-rps 20``: a server slower than
  its default limit);
- ``datasets``: ``python -m bench.imdb_datasets_gen DIR --bench``;
- ``lambda``: ``python -m bench.bench_lambda`` (the zip's size, and the cold init of a fresh
  ``python3.12 -I -S`` answering ``/api/health`` and a cached ``/api/rate``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Row = dict[str, Any]
HIT_PAIRS = 15


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one process (its own rusage, from wait4), and its stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, out


def _movieagg_command() -> list[str]:
    """The console script as installed, else the same entry point through ``python -c``."""
    script = Path(sys.executable).with_name("movieagg")
    if script.is_file():
        return [str(script)]
    return [
        sys.executable,
        "-c",
        "import sys; from movieagg.cli import main; sys.argv[0] = 'movieagg'; main()",
    ]


def bench_hit() -> list[Row]:
    """A cached ``movieagg rate`` (JSON, then the table) against ``python -c pass``, pair by pair."""
    from bench.fakeapi import FakeAPI

    rows = []
    with FakeAPI() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOVIEAGG_")}
        env.update(fake.env, MOVIEAGG_HOME=str(Path(tmp) / "home"), NO_COLOR="1", COLUMNS="100")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files, as an installed package has
        rate = [*_movieagg_command(), "rate", "The Matrix"]
        assert json.loads(_child([*rate, "--json"], env)[2])["cached"] is False  # fills the cache
        baseline = [sys.executable, "-c", "pass"]
        for label, cmd in (("--json", [*rate, "--json"]), ("table", rate)):
            _child(cmd, env)  # warm-up
            walls, cpus, ratios, cpu_ratios = [], [], [], []
            for _ in range(HIT_PAIRS):
                a_wall, a_cpu, out = _child(cmd, env)
                b_wall, b_cpu, _ = _child(baseline, env)
                if label == "--json":
                    assert json.loads(out)["cached"] is True
                walls.append(a_wall)
                cpus.append(a_cpu)
                ratios.append(a_wall / b_wall)
                cpu_ratios.append(a_cpu / b_cpu if b_cpu else float("nan"))
            target = 5 if label == "--json" else 7
            rows.append(
                {
                    "name": f"cache hit, whole `movieagg rate {label}` process",
                    "figure": f"{statistics.median(walls) * 1000:.0f} ms wall, {statistics.median(cpus) * 1000:.0f} ms CPU",
                    "ratio": round(statistics.median(ratios), 2),
                    "ratio_of": "python -c pass (wall; median of pairs)",
                    "cpu_ratio": round(statistics.median(cpu_ratios), 2),
                    "target": f"≤ {target}×",
                    "met": statistics.median(ratios) <= target,
                }
            )
    return rows


def bench_lookup() -> list[Row]:
    """Cold lookups (search, then every source at once) vs the naive chain, 50 ms per request."""
    import asyncio

    from bench.bench_lookup import FILMS_TO_RATE, movieagg_lookups, naive_chain, settings_for
    from bench.fakeapi import FakeAPI

    with FakeAPI(latency=0.05) as fake, tempfile.TemporaryDirectory() as tmp:
        cold, _ = asyncio.run(movieagg_lookups(settings_for(fake, Path(tmp) / "h", "memory"), 1))
        naive = [naive_chain(fake, t, y) for t, y in FILMS_TO_RATE]
    ratio = statistics.median(naive) / statistics.median(cold)
    return [
        {
            "name": "cold lookup (fake upstream, 50 ms a request)",
            "figure": f"{statistics.median(cold) * 1000:.0f} ms (naive chain {statistics.median(naive) * 1000:.0f} ms)",
            "ratio": round(ratio, 2),
            "ratio_of": "naive sequential chain / movieagg",
            "target": "≥ 2× (≤ 2 round trips)",
            "met": ratio >= 1.9,
        }
    ]


def _run_json(args: list[str], timeout: float) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=timeout, check=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def bench_serve() -> list[Row]:
    if shutil.which("wrk") is None:
        return [
            _not_run("serve", "wrk is not installed (apt-get install wrk)", "python -m bench.bench_serve")
        ]
    rows = []
    for workers in (1, 2):
        data = _run_json(
            [
                "bench.bench_serve",
                "--duration",
                "6",
                "--connections",
                "32",
                "--workers",
                str(workers),
                "--json",
            ],
            timeout=120,
        )
        rps, p99 = data["requests_per_s"], data["p99_ms"]
        rows.append(
            {
                "name": f"serve, cached /api/rate, 32 connections, {workers} worker(s), wrk on the same cores",
                "figure": f"{rps:,.0f} req/s, p50 {data['p50_ms']:.1f} ms, p99 {p99:.1f} ms",
                "ratio": None,
                "ratio_of": None,
                "target": "≥ 2,500 req/s, p99 ≤ 40 ms" if workers == 1 else "(for hosts with more cores)",
                "met": rps >= 2500 and p99 <= 40 if workers == 1 else None,
            }
        )
    return rows


def bench_batch() -> list[Row]:
    rows = []
    data = _run_json(["bench.bench_batch", "--titles", "400", "--json"], timeout=300)
    rows.append(
        {
            "name": f"batch, {data['titles']} titles, TMDB at {data['server_rps']:g}/s",
            "figure": f"{data['wall_s']:.1f} s (bound {data['bound_s']:.1f} s), {data['tmdb_429s']} 429s",
            "ratio": data["share_of_rate"],
            "ratio_of": "rate-limit bound / wall time (share of R)",
            # The target is for 1,000 titles, whose start-up weighs less: not judged on 400.
            "target": "≥ 0.95 at 1,000 titles (python -m bench.bench_batch)",
            "met": None,
        }
    )
    slow = _run_json(["bench.bench_batch", "--titles", "200", "--server-rps", "20", "--json"], timeout=300)
    rows.append(
        {
            "name": "batch, 200 titles, TMDB enforcing 20/s (movieagg assumes 40/s)",
            "figure": f"{slow['tmdb_429s']} 429s, {slow['wall_s']:.1f} s (bound {slow['bound_s']:.1f} s)",
            "ratio": slow["share_of_rate"],
            "ratio_of": "rate-limit bound / wall time",
            "target": "< 10 429s",
            "met": slow["tmdb_429s"] < 10,
        }
    )
    return rows


def bench_datasets() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-m", "bench.imdb_datasets_gen", tmp, "--titles", "200000", "--no-akas", "--bench"],
            capture_output=True, text=True, timeout=600, check=True,
        ).stdout  # fmt: skip
    rate = re.search(r"= ([\d,]+) rows/s", out)
    lookup = re.search(r"lookup by IMDb id: median ([\d.]+) ms", out)
    rows_per_s = int(rate.group(1).replace(",", "")) if rate else 0
    return [
        {
            "name": "IMDb datasets import (200,000 generated title.basics rows)",
            "figure": f"{rows_per_s:,} rows/s; lookup by id median {lookup.group(1) if lookup else '?'} ms",
            "ratio": None,
            "ratio_of": None,
            "target": None,
            "met": None,
        }
    ]


def _not_run(name: str, why: str, command: str) -> Row:
    return {"name": name, "figure": "n/a", "ratio": None, "ratio_of": None, "target": None, "met": None,
            "note": f"{why}; run: {command}"}  # fmt: skip


def bench_lambda() -> list[Row]:
    """The zip's size and each event's cold init, from ``python -m bench.bench_lambda`` (needs a
    local Python 3.12, as ``movieagg deploy`` does)."""
    from movieagg.deploy.package import find_python

    command = "python -m bench.bench_lambda"
    if find_python() is None:
        return [
            _not_run(
                "Lambda zip size and cold init", "no local Python 3.12 (MOVIEAGG_LAMBDA_PYTHON)", command
            )
        ]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_lambda", "--runs", "5", "--json"],
            capture_output=True, text=True, timeout=600, check=True,
        )  # fmt: skip
        data = json.loads(done.stdout)
    except (subprocess.SubprocessError, ValueError) as exc:
        return [
            _not_run("Lambda zip size and cold init", f"the build failed ({type(exc).__name__})", command)
        ]
    mib = data["zip"]["zip_mib"]
    rows = [
        {
            "name": "Lambda zip size",
            "figure": f"{mib} MiB ({data['zip']['zip_bytes']:,} bytes)",
            "ratio": None, "ratio_of": None, "target": "≤ 12 MiB", "met": mib <= 12,
        }
    ]  # fmt: skip
    for event, figures in data["events"].items():
        rows.append(
            {
                "name": f"Lambda cold init, first event {event} (python3.12 -I -S, median of {data['runs']})",
                "figure": f"{figures['init_ms']:.0f} ms wall, {figures['cpu_ms']:.0f} ms CPU, {figures['modules']} modules",
                "ratio": None, "ratio_of": None, "target": "≤ 250 ms", "met": figures["init_ms"] <= 250,
            }
        )  # fmt: skip
    return rows


BENCHES: dict[str, Callable[[], list[Row]]] = {
    "hit": bench_hit,
    "lookup": bench_lookup,
    "serve": bench_serve,
    "batch": bench_batch,
    "datasets": bench_datasets,
    "lambda": bench_lambda,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=sorted(BENCHES), help="benchmarks to leave out"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows: list[Row] = []
    for name, run in BENCHES.items():
        if name in args.skip:
            continue
        try:
            rows.extend(run())
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            rows.append(
                _not_run(
                    name, f"failed ({type(exc).__name__}: {str(exc)[:120]})", f"python -m bench ({name})"
                )
            )
        if not args.json:
            print(f"… {name} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": [round(x, 1) for x in (*load_before, *os.getloadavg()[:1])],
        "seconds": round(time.perf_counter() - started),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(f"movieagg benchmarks — {report['date']}, {report['host']}")
    print(f"load average before: {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f}, "
          f"after: {os.getloadavg()[0]:.1f}; {report['seconds']} s")  # fmt: skip
    print()
    print("| benchmark | figure | ratio | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        ratio = f"{row['ratio']}× {row['ratio_of']}" if row.get("ratio") is not None else ""
        if row.get("cpu_ratio") is not None:
            ratio += f" (CPU {row['cpu_ratio']}×)"
        met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
        figure = row["figure"] + (f" — {row['note']}" if row.get("note") else "")
        print(f"| {row['name']} | {figure} | {ratio} | {row.get('target') or ''} | {met} |")


if __name__ == "__main__":
    main()
