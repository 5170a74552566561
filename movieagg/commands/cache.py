"""`movieagg cache stats | clear`: the configured cache (MOVIEAGG_CACHE: disk, redis://…, …)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from movieagg.core.errors import CacheError, MovieAggError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def _describe(url: str) -> str:
    if url.lower().startswith(("redis://", "rediss://")):
        from movieagg.cache.redis import describe_url

        return describe_url(url)
    return url


def _open() -> tuple[Any, str, str]:
    """(backend or None, kind, description) for the configured cache."""
    from movieagg.commands.common import fail, load_settings
    from movieagg.factory import open_configured_cache

    settings = load_settings()
    url = settings.cache_url
    kind = url.split("://", 1)[0].lower() if "://" in url else url.lower()
    try:
        backend = open_configured_cache(settings)
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)
    description = _describe(url)
    if kind == "disk" and backend is not None:
        description = str(getattr(backend, "directory", "disk"))
    return backend, kind, description


def _close(backend: Any) -> None:
    close = getattr(backend, "close", None)
    if callable(close):
        close()


def register(app: typer.Typer) -> None:
    cache = typer.Typer(
        name="cache",
        help="The rating cache: statistics and clearing.",
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(cache, name="cache")

    @cache.command(
        epilog="Examples:\n\n  movieagg cache stats\n\n"
        "  MOVIEAGG_CACHE=rediss://master.xyz.cache.amazonaws.com:6379 movieagg cache stats --json\n\n"
        "For Redis: entries and bytes count movieagg's keys only; memory and hit rate are the "
        "server's (INFO), shared with anything else using that Redis."
    )
    def stats(json_output: JsonOpt = False) -> None:
        """Backend, entries, size, and hit rate where the backend knows it."""
        from movieagg.commands.common import fail

        backend, kind, description = _open()
        info: dict[str, Any] = {"backend": kind, "location": description}
        try:
            if backend is None:
                info["note"] = "caching is off (MOVIEAGG_CACHE=none)"
            elif kind == "memory":
                info["note"] = "a memory cache lives inside one process: nothing persists between commands"
            else:
                got = getattr(backend, "stats", None)
                if callable(got):
                    info |= {k: v for k, v in got().items() if k not in ("backend", "url")}
        except MovieAggError as exc:  # ours: says why (a disk cache that cannot be opened, …)
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            fail(f"cannot read the cache at {description} ({type(exc).__name__})", CacheError.exit_code)
        finally:
            _close(backend)
        if json_output:
            from movieagg._jsonout import write_json

            write_json(info)
            return
        lines = [f"backend:   {kind} — {description}"]
        if "note" in info:
            lines.append(info["note"])
        if "entries" in info:
            more = "+" if info.get("entries_truncated") else ""
            lines.append(f"entries:   {info['entries']}{more}")
        if "bytes" in info:
            lines.append(f"size:      {_size(info['bytes'])}")
        if info.get("prefix"):
            lines.append(f"prefix:    {info['prefix']}")
        if info.get("server_used_memory") is not None:
            lines.append(f"server:    {_size(info['server_used_memory'])} used")
        if info.get("server_hit_rate") is not None:
            lines.append(f"hit rate:  {info['server_hit_rate']:.1%} (server-wide, since its last restart)")
        elif kind not in ("none", "memory"):
            lines.append("hit rate:  not tracked by this backend")
        typer.echo("\n".join(lines))

    @cache.command(epilog="Examples:\n\n  movieagg cache clear")
    def clear() -> None:
        """Delete every cached entry (identities and ratings). Other data in a shared Redis stays."""
        from movieagg.commands.common import fail

        backend, kind, description = _open()
        if backend is None:
            typer.echo("caching is off (MOVIEAGG_CACHE=none): nothing to clear")
            return
        try:
            before = None
            got = getattr(backend, "stats", None)
            if callable(got) and kind != "redis":  # redis' clear() counts as it deletes
                before = got().get("entries")
            result = backend.clear()
            removed = result if isinstance(result, int) else before
        except MovieAggError as exc:  # ours: says why (a disk cache that cannot be opened, …)
            fail(str(exc), exc.exit_code)
        except Exception as exc:
            fail(f"cannot clear the cache at {description} ({type(exc).__name__})", CacheError.exit_code)
        finally:
            _close(backend)
        count = f"{removed} entries" if removed is not None else "every entry"
        typer.echo(f"cleared {count} from {description}")


def _size(n: int | float) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
