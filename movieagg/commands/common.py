"""What every command shares: settings, logging, consoles, and errors → one line + exit code.

Every command maps failures through :func:`run` (async work) or :func:`guard` (sync work):
a :class:`~movieagg.core.errors.MovieAggError` prints its message and exits with the code its
class carries (the one error table, :mod:`movieagg.core.errors`); anything else is an internal
error (70), Ctrl-C is 130. Heavy imports (rich, typer, asyncio) happen only when needed: the
quick path of a cached ``movieagg rate`` (:mod:`movieagg.commands.quick`) uses this module too.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from movieagg.core.config import Settings
from movieagg.core.errors import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, MovieAggError

if TYPE_CHECKING:
    from movieagg.core.models import RatingResult

T = TypeVar("T")


class _Options:
    """Options of the root command that every command reads (set by its callback)."""

    verbose: bool = False


options = _Options()


def stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@functools.cache
def _stdout_console_class() -> Any:
    from rich.console import Console

    class StdoutConsole(Console):
        """rich would exit 1 on a closed pipe; the root command exits 141, quietly, instead."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return StdoutConsole


def stdout(**kwargs: Any) -> Any:
    """The console for a command's output (rich, imported on first use)."""
    return _stdout_console_class()(highlight=False, **kwargs)


def fail(message: str, code: int) -> NoReturn:
    """Print one clear line on stderr and exit with ``code`` (untrusted text in it defanged)."""
    import typer

    error_line(message)
    raise typer.Exit(code)


def error_line(message: str) -> None:
    """The one ``error: …`` line on stderr (untrusted text in it defanged)."""
    from rich.markup import escape

    from movieagg.core.untrusted import printable

    stderr().print(f"[bold red]error:[/] {escape(printable(message))}", soft_wrap=True)


def load_settings() -> Settings:
    """The settings, or exit with the configuration error's code."""
    try:
        return Settings.from_env()
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)


class _PrintableFormatter(logging.Formatter):
    """Log lines reach a terminal too: untrusted text in them is defanged like any output."""

    def format(self, record: logging.LogRecord) -> str:
        from movieagg.core.untrusted import printable

        return printable(super().format(record))


def setup_logging(settings: Settings | None) -> None:
    """Log to stderr (debug with -v), every secret in effect masked."""
    from movieagg.core.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(settings.secrets() if settings else []))
    root = logging.getLogger("movieagg")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if options.verbose else logging.WARNING)
    root.propagate = False
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def silence_stdout() -> None:
    """Our output's reader went away: whatever is still buffered for stdout goes nowhere, so
    Python's own flush at exit cannot complain about the closed pipe either."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def reader_gone() -> NoReturn:
    """Our output's reader went away (``movieagg rate … | head -2``): stop quietly, exit 141."""
    import typer

    silence_stdout()
    raise typer.Exit(EXIT_BROKEN_PIPE)


def unreachable_hint(exc: MovieAggError, settings: Settings | None) -> str:
    """What to check when no source could even be reached (offline, a proxy, a stopped fake).

    Only the CLI says this: the API's public message stays short (it names no settings).
    """
    from movieagg.core.config import env_name
    from movieagg.core.errors import AllSourcesFailed

    if not isinstance(exc, AllSourcesFailed) or not exc.errors:
        return ""
    if any(e.kind not in ("unavailable", "timeout") for e in exc.errors):
        return ""
    variables = []
    for error in exc.errors:
        name = env_name(error.source, "URL")
        value = settings.get(name) if settings is not None else None
        variables.append(f"{name}={value}" if value else name)
    return (
        "; no source could be reached: check the network connection and any proxy (HTTPS_PROXY), "
        f"and {', '.join(variables)} (pointing at a local fake? is it running?)"
    )


def guard(
    action: Callable[[], T], *, interrupted: str = "interrupted", settings: Settings | None = None
) -> T:
    """Run ``action``, mapping every failure to a one-line message and an exit code."""
    import typer

    try:
        return action()
    except BrokenPipeError:
        raise  # not a failure of ours: the root command ends it quietly
    except MovieAggError as exc:
        fail(str(exc) + unreachable_hint(exc, settings), exc.exit_code)
    except KeyboardInterrupt:
        fail(interrupted, EXIT_INTERRUPTED)
    except typer.Exit:
        raise
    except Exception as exc:
        if options.verbose:
            logging.getLogger("movieagg").exception("internal error")
        fail(internal_error(exc), EXIT_INTERNAL)


def internal_error(exc: BaseException) -> str:
    """The one line for a failure that is a bug of ours (exit 70)."""
    return f"internal error ({type(exc).__name__}); run with -v for details and please report it"


def run(make: Callable[[], Awaitable[T]], settings: Settings | None = None, status: str | None = None) -> T:
    """Run one async command under :func:`guard`, with a spinner on a terminal when ``status``."""
    import asyncio

    setup_logging(settings)

    def go() -> T:
        if status and sys.stderr.isatty():
            with stderr().status(status, spinner="dots"):
                return asyncio.run(make())  # type: ignore[arg-type]
        return asyncio.run(make())  # type: ignore[arg-type]

    return guard(go, settings=settings)


def print_result(result: RatingResult, json_output: bool) -> None:
    """A rating on stdout: one JSON object, or the table (rich, imported only then)."""
    if json_output:
        from movieagg._jsonout import write_json

        write_json(result.to_dict())
    else:
        from movieagg._render import render_result

        render_result(result, stdout(), verbose=options.verbose)
