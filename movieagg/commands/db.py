"""`movieagg db upgrade | status | flush | downgrade`: the history database's schema and outbox.

The database is MOVIEAGG_DATABASE_URL (default: SQLite under MOVIEAGG_HOME). Its URL is only
ever shown with the password masked. Exit 8: the database is unreachable or its schema is
newer than this release knows.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from movieagg.core.errors import ConfigurationError, StoreError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def _url(settings: Any) -> str:
    """The database URL, or exit 3 with one line when it is not one movieagg can use."""
    from movieagg.commands.common import fail
    from movieagg.core.errors import ConfigurationError
    from movieagg.store import database_url

    try:
        return database_url(settings)
    except ConfigurationError as exc:
        fail(str(exc), exc.exit_code)


def _engine(url: str) -> Any:
    """An engine for ``url``, or exit 3 with one line (unknown driver, driver not installed)."""
    from movieagg.commands.common import fail
    from movieagg.core.errors import ConfigurationError
    from movieagg.store.sql import make_engine

    try:
        return make_engine(url)
    except ConfigurationError as exc:
        fail(str(exc), exc.exit_code)


def _rejected(box: Any) -> tuple[int, str]:
    """How many records the store refused and were set aside, and why: (count, "reason: n, …")."""
    reasons = box.rejected()
    return sum(reasons.values()), ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))


def _store_failure(exc: Exception, url: str) -> str:
    from movieagg.store.sql import safe_url

    return f"cannot use the database at {safe_url(url)} ({type(exc).__name__}); check MOVIEAGG_DATABASE_URL"


def register(app: typer.Typer) -> None:
    db = typer.Typer(
        name="db",
        help="The history database: schema migrations (Alembic) and the outbox of pending records.",
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(db, name="db")

    @db.command(
        epilog="Examples:\n\n"
        "  movieagg db upgrade\n\n"
        "  MOVIEAGG_DATABASE_URL=postgresql+psycopg://admin@rds-host/movieagg movieagg db upgrade\n\n"
        "  movieagg db upgrade --sql > upgrade.sql   (for a DBA to review and apply)\n\n"
        "  movieagg db upgrade --sql --from 0001\n\n"
        "Safe to run on every release and from many places at once: concurrent upgrades wait "
        "for each other; a database already at the newest revision is left as it is."
    )
    def upgrade(
        revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
        sql: Annotated[bool, typer.Option("--sql", help="Print the SQL instead of running it.")] = False,
        start: Annotated[
            str | None, typer.Option("--from", help="With --sql: the revision the database is at.")
        ] = None,
    ) -> None:
        """Apply schema migrations: move the database to this release's schema without data loss."""
        from movieagg.commands.common import fail, load_settings
        from movieagg.store import schema
        from movieagg.store.sql import safe_url

        settings = load_settings()
        url = _url(settings)
        if sql:  # offline: the dialect is enough, the driver need not be installed
            try:
                typer.echo(schema.upgrade_sql(url, start, revision), nl=False)
            except ConfigurationError as exc:
                fail(str(exc), exc.exit_code)
            return
        engine = _engine(url)
        try:
            before, after = schema.upgrade(engine, revision)
        except StoreError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            fail(_store_failure(exc, url), StoreError.exit_code)
        finally:
            engine.dispose()
        where = safe_url(url)
        if before == after:
            typer.echo(f"{where}: already at revision {after}")
        else:
            typer.echo(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")

    @db.command(epilog="Examples:\n\n  movieagg db downgrade 0001")
    def downgrade(revision: Annotated[str, typer.Argument(help="The revision to go back to.")]) -> None:
        """Go back to an older schema revision (before rolling back a release). May drop columns."""
        from movieagg.commands.common import fail, load_settings
        from movieagg.store import schema
        from movieagg.store.sql import safe_url

        settings = load_settings()
        url = _url(settings)
        engine = _engine(url)
        try:
            before, after = schema.downgrade(engine, revision)
        except Exception as exc:
            fail(_store_failure(exc, url), StoreError.exit_code)
        finally:
            engine.dispose()
        typer.echo(f"{safe_url(url)}: downgraded from {before} to revision {after}")

    @db.command(epilog="Examples:\n\n  movieagg db status\n\n  movieagg db status --json")
    def status(json_output: JsonOpt = False) -> None:
        """Which revision the database is at, what is pending, row counts, records in the outbox."""
        from movieagg.commands.common import fail, load_settings
        from movieagg.records.keeper import outbox_dir
        from movieagg.records.outbox import Outbox
        from movieagg.store import schema
        from movieagg.store.sql import SQLStore, safe_url

        settings = load_settings()
        url = _url(settings)
        box = Outbox(outbox_dir(settings))
        info: dict[str, Any] = {
            "database": safe_url(url),
            "outbox_pending": box.pending_count(),
            "outbox_rejected": box.rejected(),
            "outbox_dropped": box.dropped(),
        }
        engine = _engine(url)
        try:
            found = schema.state(engine)
            info |= {"backend": engine.dialect.name, **found.to_dict()}
            if found.up_to_date:
                store = SQLStore(url)
                try:
                    info["rows"] = store.counts()
                finally:
                    store.close()
        except Exception as exc:
            fail(
                f"{_store_failure(exc, url)}; {info['outbox_pending']} records waiting in the outbox",
                StoreError.exit_code,
            )
        finally:
            engine.dispose()
        if json_output:
            from movieagg._jsonout import write_json

            write_json(info)
            return
        lines = [f"database:  {info['database']} ({info['backend']})"]
        if found.current is None and found.empty:
            lines.append(
                "revision:  none (empty database; the first lookup or `movieagg db upgrade` "
                f"creates {found.head})"
            )
        elif found.legacy:
            lines.append("revision:  none (tables from before migrations; `movieagg db upgrade` adopts them)")
        elif found.unknown:
            lines.append(
                f"revision:  {found.current} (newer than this movieagg, which knows up to {found.head})"
            )
        else:
            state = "up to date" if found.up_to_date else f"behind; pending: {', '.join(found.pending)}"
            lines.append(f"revision:  {found.current} (head {found.head}, {state})")
        if "rows" in info:
            rows = info["rows"]
            lines.append(
                f"rows:      {rows['films']} films, {rows['lookups']} lookups, "
                f"{rows['rating_observations']} rating observations"
            )
        lines.append(f"outbox:    {info['outbox_pending']} records waiting")
        if info["outbox_dropped"]:
            lines.append(
                f"dropped:   {info['outbox_dropped']} cache-hit records, to keep the outbox under "
                f"{settings.outbox_max_bytes / 1024 / 1024:g} MB while the database was unreachable"
            )
        refused, reasons = _rejected(box)
        if refused:
            lines.append(
                f"rejected:  {refused} record{'s' if refused != 1 else ''} set aside ({reasons}) "
                f"in {box.directory}/rejected-*.jsonl: the store refused their data"
            )
        typer.echo("\n".join(lines))

    @db.command(epilog="Examples:\n\n  movieagg db flush")
    def flush() -> None:
        """Write the lookup records waiting in the local outbox (e.g. after a database outage)."""
        from movieagg.commands.common import fail, load_settings
        from movieagg.records.keeper import flush_waiting, outbox_dir
        from movieagg.records.outbox import Outbox
        from movieagg.store.sql import safe_url

        settings = load_settings()
        url = _url(settings)
        _engine(url).dispose()  # a driver that is not installed: exit 3 now, not 8 later
        box = Outbox(outbox_dir(settings))
        try:
            written = flush_waiting(settings)  # after a flush in progress: its records are written too
        except StoreError as exc:
            fail(f"{exc}; {box.pending_count()} records stay in the outbox", exc.exit_code)
        except Exception as exc:
            fail(
                f"{_store_failure(exc, url)}; {box.pending_count()} records stay in the outbox",
                StoreError.exit_code,
            )
        if written is None:
            typer.echo("nothing waiting in the outbox")
            return
        aside = ""
        refused, reasons = _rejected(box)
        if refused:
            aside = (
                f"; {refused} refused by the store and set aside ({reasons}) "
                f"in {box.directory}/rejected-*.jsonl"
            )
        typer.echo(f"wrote {written} lookup records to {safe_url(url)}{aside}; {box.pending_count()} waiting")
