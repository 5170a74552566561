"""A/B of the same-title series hint (#16): a cached ``rate`` through the quick path, this tree vs
another (main), and a fresh ``rate Fargo`` with the hint vs ``--type movie`` and ``--type any``
(fake upstream at 0.1 s a request).

Run: ``python bench/bench_also.py [--other-tree /work/main]``. Bytecode is cached under /tmp for
both trees (PYTHONDONTWRITEBYTECODE would make the tree without ``__pycache__`` look slower).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, HERE)

from bench.fakeapi import FakeAPI  # noqa: E402

MAIN = "import sys; from movieagg.cli import main; sys.argv[0] = 'movieagg'; main()"


def run(fake_env: dict[str, str], tree: str, home: str, argv: list[str]) -> float:
    """Wall seconds of one whole ``movieagg`` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOVIEAGG_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(fake_env)
    env.update(
        {"MOVIEAGG_HOME": home, "PYTHONPATH": tree, "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": "/tmp/bench_also_pyc"}
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", MAIN, *argv], env=env, capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--other-tree", default="/work/main")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    trees = {"other": args.other_tree, "this": HERE}
    with FakeAPI() as fake:
        homes = {name: tempfile.mkdtemp() for name in trees}
        for title in ("The Matrix", "Fargo"):
            argv = ["rate", title, "--json"]
            for name, tree in trees.items():  # fill the cache, then one warm hit
                run(fake.env, tree, homes[name], argv)
                run(fake.env, tree, homes[name], argv)
            cached: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):
                for name, tree in trees.items():
                    cached[name].append(run(fake.env, tree, homes[name], argv))
            print(f"cached {title!r}, median wall ms:", {k: median_ms(v) for k, v in cached.items()})
        fake.state.latency = 0.1
        cases = {
            "this plain": (HERE, []),
            "this --type movie": (HERE, ["--type", "movie"]),
            "this --type any": (HERE, ["--type", "any"]),
            "other --type any": (args.other_tree, ["--type", "any"]),
        }
        fresh: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(max(3, args.runs // 2)):
            for name, (tree, extra) in cases.items():
                fresh[name].append(run(fake.env, tree, tempfile.mkdtemp(), ["rate", "Fargo", "--json", *extra]))
        print("fresh 'Fargo', fake at 0.1 s, median wall ms:", {k: median_ms(v) for k, v in fresh.items()})


if __name__ == "__main__":
    main()
