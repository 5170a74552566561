"""The README's "try it against an emulator" steps, run as a user runs them.

A plain ``moto_server`` in its own process (no harness patches: tests/infra/moto_process.py),
the ``movieagg`` command in a subprocess with only the environment the README tells a user to
set (AWS_REGION, not AWS_DEFAULT_REGION), and nothing else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.moto_process import MotoProcess


@pytest.fixture
def site(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>movieagg</title><div id=root></div>")
    (dist / "assets" / "app-1234.js").write_text("console.log('movieagg')")
    return dist


def user_env(tmp_path: Path, moto: MotoProcess, build_cache: Path) -> dict[str, str]:
    """What the README asks a user to export, plus where this test keeps its files."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "MOVIEAGG_HOME": str(tmp_path / "home"),
        "MOVIEAGG_BUILD_CACHE": str(build_cache),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    if os.environ.get("PYTHONPATH"):  # the movieagg under test (a worktree), not the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def movieagg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "movieagg", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def test_a_user_deploys_the_small_size_to_a_plain_moto_server(
    plain_moto: MotoProcess, tmp_path: Path, site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    moto = plain_moto
    moto.reset()
    env = user_env(tmp_path, moto, tmp_path_factory.getbasetemp() / "lambda-build")

    status = movieagg(env, "deploy", "status", "--stage", "try", "--json")
    assert status.returncode == 1, status.stderr  # reachable, region found, nothing deployed
    assert [s["status"] for s in json.loads(status.stdout)["stacks"]] == ["NOT_DEPLOYED"] * 2

    first = movieagg(env, "deploy", "--stage", "try", "--size", "small", "--frontend", str(site), "--yes")
    out = first.stdout + first.stderr
    assert first.returncode == 0, out[-3000:]
    assert "internal error" not in out
    assert "Estimated monthly cost, size small" in out  # the table, before anything is created
    assert "Site URL: http://" in first.stdout and "API URL: https://" in first.stdout
    assert "Health: not checked" in first.stdout  # the API URL is AWS's, not the emulator's
    assert "Estimated monthly cost: $" in first.stdout

    status = movieagg(env, "deploy", "status", "--stage", "try", "--json")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert [s["status"] for s in info["stacks"]] == ["CREATE_COMPLETE", "CREATE_COMPLETE"]
    assert info["size"] == "small"
    ec2 = moto.client("ec2")
    assert ec2.describe_nat_gateways()["NatGateways"] == []  # small: a NAT instance instead
    nat = [
        i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if {"Key": "Name", "Value": "movieagg-try-nat"} in i.get("Tags", [])
    ]
    assert len(nat) == 1

    # The size is remembered: a deploy without --size keeps the stage small and changes nothing.
    again = movieagg(env, "deploy", "--stage", "try", "--frontend", str(site), "--yes")
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    assert "no changes" in again.stdout and "size small, as deployed" in again.stderr

    # The documented limit: moto's CloudFormation never deletes route tables, so the VPC (and
    # the app stack) cannot be deleted there. It is one clear line, not a traceback.
    gone = movieagg(env, "deploy", "destroy", "--stage", "try", "--yes")
    assert gone.returncode in (0, 7), gone.stderr[-2000:]
    assert "Traceback" not in gone.stderr and "internal error" not in gone.stderr


def test_the_full_size_on_a_plain_moto_server_dry_runs_and_fails_cleanly_where_moto_stops(
    plain_moto: MotoProcess, tmp_path: Path, site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """moto's CloudFormation has no ElastiCache: a dry run works, the real run stops on the
    Lambda's reference to the cache with exit 7 and CloudFormation's reason (the README says so)."""
    plain_moto.reset()
    env = user_env(tmp_path, plain_moto, tmp_path_factory.getbasetemp() / "lambda-build")
    dry = movieagg(env, "deploy", "--stage", "big", "--frontend", str(site), "--dry-run", "--no-lint")
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-3000:]
    assert "Estimated monthly cost: $" in dry.stdout and "(size full)" in dry.stdout
    run = movieagg(env, "deploy", "--stage", "big", "--frontend", str(site), "--yes", "--no-lint")
    assert run.returncode == 7, (run.stdout + run.stderr)[-3000:]
    assert "ExecuteChangeSet" in run.stderr and "Cache" in run.stderr
    assert "internal error" not in run.stderr
