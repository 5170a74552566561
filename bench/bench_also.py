"""A/B of the same-title series hint (#16): cached `rate` through the quick path, this tree vs
another (main), and a fresh `rate Fargo` with the hint vs `--type movie`, fake upstream at 0.1 s.

Run: python bench/bench_also.py (expects /work/main as the other tree; bytecode cached in /tmp).
"""
import os, subprocess, sys, tempfile, time, statistics, json
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.fakeapi import FakeAPI
PY = "/work/main/.venv/bin/python"
def run(tree, home, argv, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOVIEAGG_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = "/tmp/bench_also_pyc"
    env.update(FAKE_ENV); env.update({"MOVIEAGG_HOME": home, "PYTHONPATH": tree, "NO_COLOR": "1"})
    env.update(env_extra or {})
    t = time.perf_counter()
    p = subprocess.Popen([PY, "-c", "import sys; from movieagg.cli import main; sys.argv[0]='movieagg'; main()", *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    _, status, ru = os.wait4(p.pid, 0) if False else (None, p.returncode, None)
    return time.perf_counter() - t, out
with FakeAPI() as fake:
    FAKE_ENV = fake.env
    trees = {"main": "/work/main", "also": sys.path[0]}
    homes = {k: tempfile.mkdtemp() for k in trees}
    for title in ("The Matrix", "Fargo", "The Matrix"):
        argv = ["rate", title, "--json"]
        for k in trees: run(trees[k], homes[k], argv); run(trees[k], homes[k], argv)
        res = {k: [] for k in trees}
        for _ in range(15):
            for k in trees:
                res[k].append(run(trees[k], homes[k], argv)[0])
        print(title, "cached, median wall ms:", {k: round(statistics.median(v)*1000, 1) for k, v in res.items()})
    # fresh lookups, fake latency 100 ms: plain (hint beside the film) vs --type movie
    fake.state.latency = 0.1
    res = {"plain": [], "movie": []}
    for i in range(5):
        for k, extra in (("plain", []), ("movie", ["--type", "movie"])):
            h = tempfile.mkdtemp()
            res[k].append(run(sys.path[0], h, ["rate", "Fargo", "--json", *extra])[0])
    print("fresh Fargo, fake latency 100 ms, median wall ms:", {k: round(statistics.median(v)*1000) for k, v in res.items()})
