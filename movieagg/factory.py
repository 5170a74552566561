"""The composition root: Settings → sources + cache + recorder → Aggregator.

The only place that knows every layer. It imports adapters, cache backends and the SQL store
lazily, so a cache hit pays for none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movieagg.core.aggregator import Aggregator
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.protocols import Cache, Locker
from movieagg.sources.registry import BUILTINS, SourceSpec, all_specs

if TYPE_CHECKING:
    import httpx

    from movieagg.store.sql import SQLStore

log = logging.getLogger("movieagg")


def choose_specs(settings: Settings) -> tuple[list[SourceSpec], dict[str, str]]:
    """The adapters to build (configured ones, limited by MOVIEAGG_SOURCES) and why others are off."""
    wanted = settings.sources
    needs_plugins = wanted is None or any(name not in BUILTINS for name in wanted)
    specs = all_specs(include_plugins=needs_plugins)
    unavailable = {s.name: s.needs() for s in specs.values() if not s.configured(settings)}
    if wanted is not None:
        unknown = [n for n in wanted if n not in specs]
        if unknown:
            known = ", ".join(sorted(specs))
            names = ", ".join(unknown)
            raise ConfigurationError(f"MOVIEAGG_SOURCES names unknown sources: {names} (known: {known})")
        chosen = [specs[n] for n in wanted if n not in unavailable]
        unavailable = {n: why for n, why in unavailable.items() if n in wanted}
    else:
        chosen = [s for s in specs.values() if s.default_on and s.configured(settings)]
    return chosen, unavailable


def home_dir(settings: Settings, kind: str) -> Path:
    return settings.dir(kind)


def open_configured_cache(settings: Settings) -> Cache | None:
    from movieagg.cache import open_cache

    return open_cache(settings.cache_url, home_dir(settings, "cache"), settings.env)


def database_url(settings: Settings) -> str:
    if settings.database_url:
        # MOVIEAGG_DATABASE_PASSWORD (e.g. an SSM SecureString on AWS) fills in a URL that has
        # no password of its own, so the URL itself can live in plain configuration.
        password = settings.get("MOVIEAGG_DATABASE_PASSWORD")
        if password and "://" in settings.database_url:
            from sqlalchemy.engine import make_url

            url = make_url(settings.database_url)
            if url.password is None:
                return url.set(password=password).render_as_string(hide_password=False)
        return settings.database_url
    return f"sqlite:///{home_dir(settings, 'data') / 'movieagg.sqlite3'}"


def outbox_dir(settings: Settings) -> Path:
    return home_dir(settings, "data") / "outbox"


def open_store(settings: Settings) -> SQLStore:
    from movieagg.store.sql import SQLStore

    # MOVIEAGG_DB_AUTO_UPGRADE=0: never migrate on first use (records wait in the outbox until
    # `movieagg db upgrade` runs), for deployments that migrate as a separate release step.
    flag = (settings.get("MOVIEAGG_DB_AUTO_UPGRADE") or "1").strip().lower()
    auto = flag not in ("0", "false", "no", "off")
    return SQLStore(database_url(settings), auto_upgrade=auto)


def flush_outbox(settings: Settings, *, locked: bool = False) -> int:
    """Write every pending lookup record into the database; returns how many were written.

    ``locked``: the caller already holds the outbox's flush lock (Outbox.flushing).
    """
    from movieagg.store.outbox import Outbox

    store = open_store(settings)
    try:
        return Outbox(outbox_dir(settings)).flush(store.write, locked=locked)
    finally:
        store.close()


def _flush_or_keep(settings: Settings) -> None:
    try:
        flush_outbox(settings)
    except Exception as exc:  # the records stay in the outbox for the next flush
        log.warning("could not write lookup records to the database (%s); kept for later", type(exc).__name__)


def flush_outbox_later(settings: Settings) -> bool:
    """Leave the database write to a detached ``python -m movieagg.store.flusher``.

    The CLI prints its answer, starts the helper and exits: the prompt comes back without
    waiting ~0.5-1 s for SQLAlchemy's import and the write. False when no helper could be
    started (the caller then flushes itself). Records stay in the outbox until written.
    """
    import subprocess
    import sys

    from movieagg.store.outbox import Outbox

    if not sys.executable:
        return False
    with Outbox(outbox_dir(settings)).flushing(wait=False) as free:
        if not free:
            return True  # a flush is running; it looks for new records before it exits
    options: dict[str, Any] = {"start_new_session": True}
    if sys.platform == "win32":  # pragma: no cover
        options = {"creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP}
    try:
        subprocess.Popen(
            [sys.executable, "-m", "movieagg.store.flusher"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **options,
        )
    except OSError:
        return False
    return True


BATCH_QUEUE_WAIT = 900.0  # seconds a batch's request may wait for its source's rate limit


def build_aggregator(
    settings: Settings | None = None,
    *,
    use_cache: bool = True,
    record: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    sources: Iterable[Any] | None = None,
    patient: bool = False,
    flush_later: bool = False,
    memo_ttl: float = 0.0,
) -> Aggregator:
    """Build an Aggregator from settings (environment and config file by default).

    ``sources`` may pass ready adapter instances instead of the configured ones.
    ``patient`` (batches): a request waits for its source's rate limit as long as it takes
    (up to BATCH_QUEUE_WAIT; Trakt's window is 5 minutes) instead of failing fast after
    MOVIEAGG_TIMEOUT — a list is rated at the pace its sources allow, with every source.
    ``flush_later`` (the CLI): on close, a detached helper writes the lookup records to the
    database (:func:`flush_outbox_later`) unless MOVIEAGG_FLUSH=inline.
    ``memo_ttl`` (long-lived processes): seconds to keep decoded cache entries (core.memo).
    """
    from movieagg.sources._http import HttpClient
    from movieagg.sources.registry import LazySource
    from movieagg.store.outbox import Outbox, OutboxRecorder

    settings = settings or Settings.from_env()
    from movieagg.sources.ratelimit import limits_from_settings, quotas_from_settings

    limits = limits_from_settings(settings)  # per-source request rates (TMDB 40/s, …)
    # One lookup waits at most MOVIEAGG_TIMEOUT for a source's turn, then reports the source
    # as over its limit; a batch waits for spent windows to reopen and 429s to pass (Trakt:
    # 5 minutes) — up to BATCH_QUEUE_WAIT, beyond which the source counts as down for now.
    queue_wait = max(settings.timeout, BATCH_QUEUE_WAIT) if patient else settings.timeout
    http = HttpClient(
        settings.timeout,
        secrets=settings.secrets(),
        transport=transport,
        limits=limits,
        quotas=quotas_from_settings(settings, home_dir(settings, "data")),  # OMDb's daily quota
        max_queue_wait=queue_wait,
    )
    if sources is None:
        specs, unavailable = choose_specs(settings)
        built: list[Any] = [LazySource(spec, settings, http) for spec in specs]
    else:
        built, unavailable = list(sources), {}
    cache = open_configured_cache(settings) if use_cache else None
    outbox = Outbox(outbox_dir(settings)) if record else None

    async def on_close() -> None:
        await http.aclose()
        if outbox is not None and outbox.dirty:
            inline = (settings.get("MOVIEAGG_FLUSH") or "").strip().lower() == "inline"
            if flush_later and not inline and flush_outbox_later(settings):
                outbox.dirty = False
            else:
                _flush_or_keep(settings)
        close = getattr(cache, "close", None)
        if callable(close):
            close()

    return Aggregator(
        built,
        cache=cache,
        recorder=OutboxRecorder(outbox) if outbox is not None else None,
        identity_ttl=settings.identity_ttl,
        ratings_ttl=settings.ratings_ttl,
        source_timeout=settings.timeout * 3,  # rate-limit waits extend it (core.budget)
        unavailable=unavailable,
        on_close=on_close,
        # A shared cache that can also lock (Redis) gives single flight across processes.
        locker=cache if isinstance(cache, Locker) else None,
        lock_wait=seconds_setting(settings, "MOVIEAGG_LOCK_WAIT", 10.0),
        memo_ttl=memo_ttl,
    )


def seconds_setting(settings: Settings, name: str, default: float) -> float:
    """A non-negative number of seconds from the settings, or ``default`` when unset."""
    raw = settings.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw[:20]!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative")
    return value
