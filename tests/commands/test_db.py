"""`movieagg db upgrade | status | flush | downgrade` on SQLite and a real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.fakeapi import FakeAPI
from movieagg.cli import app
from tests.services import pg_url

__all__ = ["pg_url"]

DOWN_URL = "postgresql+psycopg://postgres:s3cret-pw-42@127.0.0.1:1/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = (
        f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", url)
    return url


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_status_upgrade_downgrade(db_url: str) -> None:
    code, out, _ = invoke("db", "status")
    assert code == 0 and "revision:  none (empty database" in out
    code, out, _ = invoke("db", "upgrade")
    assert code == 0 and "upgraded from an empty database to revision 0002" in out
    code, out, _ = invoke("db", "upgrade")
    assert code == 0 and "already at revision 0002" in out
    code, out, _ = invoke("db", "status", "--json")
    info = json.loads(out)
    assert info["current"] == info["head"] == "0002" and info["up_to_date"] is True
    assert info["rows"] == {"films": 0, "lookups": 0, "rating_observations": 0}
    assert info["outbox_pending"] == 0
    code, out, _ = invoke("db", "downgrade", "0001")
    assert code == 0 and "downgraded from 0002 to revision 0001" in out
    code, out, _ = invoke("db", "status")
    assert "revision:  0001 (head 0002, behind; pending: 0002)" in out
    code, out, _ = invoke("db", "upgrade")
    assert "upgraded from 0001 to revision 0002" in out


def test_upgrade_sql_prints_offline_sql_without_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MOVIEAGG_DATABASE_URL", "postgresql+psycopg://admin:pw-never-shown@rds.example/movies"
    )
    code, out, _ = invoke("db", "upgrade", "--sql")
    assert code == 0 and "CREATE TABLE films" in out and "pw-never-shown" not in out
    code, out, _ = invoke("db", "upgrade", "--sql", "--from", "0001")
    assert "ADD COLUMN original_title" in out


def test_unreachable_database_is_one_line_exit_8_and_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", DOWN_URL)
    code, out, _ = invoke("db", "flush")
    assert code == 0 and out.strip() == "nothing waiting in the outbox"  # no database needed
    for args in (("db", "status"), ("db", "upgrade")):
        code, out, err = invoke(*args)
        assert code == 8, (args, out, err)
        assert "s3cret-pw-42" not in out + err and "***" in err
        assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1


def test_flush_after_an_outage(db_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", DOWN_URL)
    for title in ("The Matrix", "Up"):
        result = CliRunner().invoke(app, ["rate", title, "--json"])
        assert result.exit_code == 0  # the lookup answers; its record waits in the outbox
        assert "s3cret-pw-42" not in result.output
    code, _, err = invoke("db", "flush")
    assert code == 8 and "2 records stay in the outbox" in err
    monkeypatch.setenv("MOVIEAGG_DATABASE_URL", db_url)
    code, out, _ = invoke("db", "status")
    assert "outbox:    2 records waiting" in out
    code, out, _ = invoke("db", "flush")
    assert code == 0 and out.startswith("wrote 2 lookup records") and out.strip().endswith("0 waiting")
    code, out, _ = invoke("db", "status", "--json")
    assert json.loads(out)["rows"]["lookups"] == 2


def test_status_and_flush_report_records_the_store_refused(db_url: str, tmp_path: Path) -> None:
    """A record the store cannot hold is set aside by the flush, and both commands say so, with
    the reason class and where it is — never its content or a secret."""
    from movieagg.core.config import Settings
    from movieagg.records.keeper import outbox_dir
    from movieagg.records.outbox import Outbox
    from tests.store.records import record

    box = Outbox(outbox_dir(Settings.from_env()))
    broken = record("Broken", "tt0000003")
    broken["at"] = "not a time"
    box.append_many([record("Good", "tt0000001"), broken, record("Also Good", "tt0000002")])
    code, out, err = invoke("db", "flush")
    assert code == 0, err
    assert out.startswith("wrote 2 lookup records") and out.strip().endswith("0 waiting")
    assert "1 refused by the store and set aside (malformed: 1)" in out and "rejected-" in out
    code, out, _ = invoke("db", "status")
    assert "rows:      2 films, 2 lookups" in out
    assert "rejected:  1 record set aside (malformed: 1)" in out, out
    code, out, _ = invoke("db", "status", "--json")
    assert json.loads(out)["outbox_rejected"] == {"malformed": 1}
