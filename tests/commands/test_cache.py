"""`movieagg cache stats | clear` over disk, Redis (real) and the no-cache settings."""

from __future__ import annotations

import json

import pytest
import redis
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from tests.services import redis_url

__all__ = ["redis_url"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["disk", "redis"])
def test_stats_then_clear(
    kind: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    url = "disk" if kind == "disk" else str(request.getfixturevalue("redis_url"))
    monkeypatch.setenv("MOVIEAGG_CACHE", url)
    for title in ("The Matrix", "Up"):
        assert CliRunner().invoke(app, ["rate", title]).exit_code == 0
    code, out, _ = invoke("cache", "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["backend"] == kind
    assert stats["entries"] >= 6 and stats["bytes"] > 0
    if kind == "redis":
        assert stats["prefix"].startswith("t") and stats["server_used_memory"] > 0
        assert 0 <= stats["server_hit_rate"] <= 1
    code, out, _ = invoke("cache", "stats")
    assert code == 0 and f"entries:   {stats['entries']}" in out
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and out.startswith(f"cleared {stats['entries']} entries")
    code, out, _ = invoke("cache", "stats", "--json")
    assert json.loads(out)["entries"] == 0
    fake.counts(reset=True)
    assert CliRunner().invoke(app, ["rate", "Up"]).exit_code == 0
    assert fake.counts(), "after clear, a lookup goes upstream again"


def test_clear_leaves_other_data_in_a_shared_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = redis.Redis.from_url(redis_url.split("?")[0])
    prefix = redis_url.split("prefix=")[1].replace("%3A", ":")
    client.set(f"{prefix}movieagg:v1:ratings:tmdb:tt1", b"{}")
    client.set(f"{prefix}someone-else:key", b"keep me")
    # Another app of the same name family, and an older schema: not this release's keys.
    client.set(f"{prefix}movieagg:sessions:u1", b"a session")
    client.set(f"{prefix}movieagg:v0:ratings:tmdb:tt1", b"{}")
    monkeypatch.setenv("MOVIEAGG_CACHE", redis_url)
    code, out, _ = invoke("cache", "stats", "--json")
    assert code == 0 and json.loads(out)["entries"] == 1
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and out.startswith("cleared 1 entries")
    assert client.get(f"{prefix}someone-else:key") == b"keep me"
    assert client.get(f"{prefix}movieagg:sessions:u1") == b"a session"
    assert client.get(f"{prefix}movieagg:v0:ratings:tmdb:tt1") == b"{}"
    client.delete(f"{prefix}someone-else:key", f"{prefix}movieagg:sessions:u1", f"{prefix}movieagg:v0:ratings:tmdb:tt1")


def test_off_and_memory_caches_explain_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_CACHE", "none")
    code, out, _ = invoke("cache", "stats")
    assert code == 0 and "caching is off" in out
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and "nothing to clear" in out
    monkeypatch.setenv("MOVIEAGG_CACHE", "memory")
    code, out, _ = invoke("cache", "stats")
    assert code == 0 and "inside one process" in out


def test_unreachable_redis_is_one_line_exit_8(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_CACHE", "redis://:tok-not-shown@127.0.0.1:1/0")
    for args in (("cache", "stats"), ("cache", "clear")):
        code, out, err = invoke(*args)
        assert code == 8
        assert "tok-not-shown" not in out + err and "Traceback" not in out + err
        assert "redis://:***@127.0.0.1:1/0" in err
