"""What every command shares: settings, logging, consoles, and errors → one line + exit code.

Every command maps failures through :func:`run` (async work) or :func:`guard` (sync work):
a :class:`~movieagg.core.errors.MovieAggError` prints its message and exits with the code its
class carries (the one error table, :mod:`movieagg.core.errors`); anything else is an internal
error (70), Ctrl-C is 130. Heavy imports (rich, typer, asyncio) happen only when needed: the
quick path of a cached ``movieagg rate`` (:mod:`movieagg.commands.quick`) uses this module too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from movieagg.core.config import Settings
from movieagg.core.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, MovieAggError

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


def stdout() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def fail(message: str, code: int) -> NoReturn:
    """Print one clear line on stderr and exit with ``code``."""
    import typer
    from rich.markup import escape

    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    """The settings, or exit with the configuration error's code."""
    try:
        return Settings.from_env()
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)


def setup_logging(settings: Settings | None) -> None:
    """Log to stderr (debug with -v), every secret in effect masked."""
    from movieagg.core.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(settings.secrets() if settings else []))
    root = logging.getLogger("movieagg")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if options.verbose else logging.WARNING)
    root.propagate = False
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def guard(action: Callable[[], T], *, interrupted: str = "interrupted") -> T:
    """Run ``action``, mapping every failure to a one-line message and an exit code."""
    import typer

    try:
        return action()
    except MovieAggError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail(interrupted, EXIT_INTERRUPTED)
    except typer.Exit:
        raise
    except Exception as exc:
        if options.verbose:
            logging.getLogger("movieagg").exception("internal error")
        fail(
            f"internal error ({type(exc).__name__}); run with -v for details and please report it",
            EXIT_INTERNAL,
        )


def run(make: Callable[[], Awaitable[T]], settings: Settings | None = None, status: str | None = None) -> T:
    """Run one async command under :func:`guard`, with a spinner on a terminal when ``status``."""
    import asyncio

    setup_logging(settings)

    def go() -> T:
        if status and sys.stderr.isatty():
            with stderr().status(status, spinner="dots"):
                return asyncio.run(make())  # type: ignore[arg-type]
        return asyncio.run(make())  # type: ignore[arg-type]

    return guard(go)


def print_result(result: RatingResult, json_output: bool) -> None:
    """A rating on stdout: one JSON object, or the table (rich, imported only then)."""
    if json_output:
        from movieagg._jsonout import write_json

        write_json(result.to_dict())
    else:
        from movieagg._render import render_result

        render_result(result, stdout())
