"""The `movieagg` command. Thin: every command calls the library; errors → exit codes here.

Exit codes: 0 an answer (failed sources are listed in it); 1 no such film; 2 usage or invalid
input; 3 configuration (no usable source, missing or rejected keys); 4 every source failed;
5 AWS credentials missing or rejected, 6 no/unknown region or unreachable endpoint, 7 a stack or
packaging step failed (deploy/status/destroy); 8 the database or cache is unreachable or its schema
is newer than this release (history/db/cache); 70 an internal error (a bug: please report it);
130 interrupted; 141 the reader of the output went away (``movieagg rate … | head -2``), quietly.

This module is the entry point and stays light: a ``movieagg rate`` the cache can answer is
answered by :mod:`movieagg.commands.quick` without typer, asyncio or any source; everything
else goes to the typer app (:mod:`movieagg.commands.app`, also importable here as ``app``).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from movieagg import _dataclass_code


def __getattr__(name: str) -> Any:
    if name == "app":  # the typer app, built on first use
        from movieagg.commands.app import app

        return app
    raise AttributeError(f"module 'movieagg.cli' has no attribute {name!r}")


def _without_httpx_cli() -> None:
    """Keep httpx from importing its own command-line module in this process.

    ``import httpx`` also imports ``httpx._main`` (click, rich.progress, pygments) whenever
    they are installed — as they are beside typer and rich — which cost ~130 ms of every
    fresh lookup here for a CLI we never run (encode/httpx#3547). A stand-in whose ``main``
    loads the real module keeps ``httpx.main`` working. Only the movieagg command does this;
    the library leaves httpx alone.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    import types

    def main(*args: object, **kwargs: object) -> object:
        import importlib

        del sys.modules["httpx._main"]
        return importlib.import_module("httpx._main").main(*args, **kwargs)

    stand_in = types.ModuleType("httpx._main")
    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


def _exit_now() -> None:
    """Exit at once after a quick answer: its output is flushed, its files and connections are
    closed, no thread or child runs — the interpreter's own teardown (every module, the GC) would
    add a sixth to a cache hit's time for nothing."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _reader_gone()
    os._exit(0)


def _reader_gone() -> None:
    """A quick answer's reader went away (``| head``): nothing left to say, exit 141 as the typer
    app does (:func:`movieagg.commands.common.reader_gone`)."""
    from movieagg.commands.common import silence_stdout
    from movieagg.core.errors import EXIT_BROKEN_PIPE

    silence_stdout()
    os._exit(EXIT_BROKEN_PIPE)


def _quick_start() -> _dataclass_code.DataclassCode:
    """Make this short process cheaper before anything heavy is imported.

    The cyclic garbage collector stays off until the quick path has decided (a hit allocates a
    few MB and leaves through ``os._exit``; 25 young and 2 older collections cost it ~4 ms), and
    the code ``dataclasses`` generates comes from :mod:`movieagg._dataclass_code`'s cache
    (~15 ms of a hit). The core's modules are imported after this, never before: hence the
    lazy imports of :mod:`movieagg.core.errors` here.
    """
    import atexit

    gc.disable()
    codes = _dataclass_code.install()
    if not codes.saved_at_exit:  # what the app compiles later (a hit leaves through os._exit)
        codes.saved_at_exit = True
        atexit.register(codes.save)
    return codes


def main() -> None:
    """Console entry point."""
    try:
        codes = _quick_start()
        from movieagg.commands.quick import answer_from_cache

        answered = False
        try:
            answered = answer_from_cache(sys.argv[1:])
        finally:
            codes.save()
            gc.enable()
        if answered:
            _exit_now()
        _without_httpx_cli()
        from movieagg.commands.app import app

        app()
    except BrokenPipeError:  # a quick answer's reader went away (`| head`)
        _reader_gone()
    except KeyboardInterrupt:
        from movieagg.core.errors import EXIT_INTERRUPTED

        sys.stderr.write("error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
