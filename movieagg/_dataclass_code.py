"""A disk cache of the code :mod:`dataclasses` generates, for the ``movieagg`` command's short runs.

Why: a cached ``movieagg rate`` builds ~26 dataclasses, and ``dataclasses`` compiles each one's
generated methods (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, a frozen class's
``__setattr__``/``__delattr__``) from source text in every process — 16–25 ms of CPU in a ~90 ms
hit here, the largest single cost after Python's own start-up. The same text always compiles to the
same code, so :func:`install` keeps the compiled code beside the package's ``.pyc`` files (in
``__pycache__``, honouring ``sys.pycache_prefix`` and ``sys.dont_write_bytecode``, checked against
the interpreter's bytecode magic number) and hands ``dataclasses`` the code object for text it has
compiled before. Nothing else changes: the code is what ``exec`` would have compiled from the text.
Only the console command installs it (:func:`movieagg.cli.main`); the library never does.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from types import CodeType
from typing import Any

_BUILTIN_EXEC = exec
# ~180 entries cover every command today (220 KB, 0.4 ms to load). Texts of classes that changed
# since (another release, a developer's edits) stay until the file holds this many; then a save
# keeps only what its process used, so a hit never loads more than ~1.5 ms of stale code.
_MAX_ENTRIES = 600


def _magic() -> bytes:
    """The interpreter's bytecode magic number (as in every .pyc), or b"" when unknown."""
    bootstrap = sys.modules.get("_frozen_importlib_external")
    magic = getattr(bootstrap, "MAGIC_NUMBER", b"")
    return magic if isinstance(magic, bytes) else b""


def default_path() -> str | None:
    """Where the cache lives: the package's ``__pycache__`` (or its twin under ``sys.pycache_prefix``)."""
    tag = sys.implementation.cache_tag
    if tag is None or not _magic():
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.pycache_prefix:
        folder = os.path.join(sys.pycache_prefix, os.path.splitdrive(here)[1].lstrip(os.sep))
    else:
        folder = os.path.join(here, "__pycache__")
    return os.path.join(folder, f"dataclass-code.{tag}.marshal")


class DataclassCode:
    """Compiled code by generated source text; loaded from and saved to one file."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.codes: dict[str, CodeType] = {}
        self.used: set[str] = set()
        self.compiled = 0  # texts compiled in this process (not found in the file)
        self.saved_at_exit = False

    def load(self) -> None:
        """Read the file; a missing, foreign (another Python) or damaged file is simply not used."""
        if self.path is None:
            return
        header = b"MADC" + _magic()
        try:
            with open(self.path, "rb") as file:
                data = file.read()
        except OSError:
            return
        if not data.startswith(header):
            return
        try:
            # Trusted as the .pyc files beside it are: same folder, same writer, same magic.
            codes = marshal.loads(data[len(header) :])  # noqa: S302
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(codes, dict):
            self.codes = {k: v for k, v in codes.items() if isinstance(k, str) and isinstance(v, CodeType)}

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """``exec`` for :mod:`dataclasses`: the cached code for a text seen before, else compile it
        exactly as ``exec`` would (file ``<string>``, no ``__future__`` flags of this module)."""
        if isinstance(source, str):
            code = self.codes.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.codes[source] = code
                self.compiled += 1
            self.used.add(source)
            source = code
        _BUILTIN_EXEC(source, globals, locals)

    def save(self) -> None:
        """Write the file when this process compiled something new (atomically; errors ignored)."""
        if not self.compiled or self.path is None or sys.dont_write_bytecode:
            return
        self.compiled = 0
        codes = self.codes
        if len(codes) > _MAX_ENTRIES:  # stale entries of older releases: keep what this run used
            codes = {text: code for text, code in codes.items() if text in self.used}
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "wb") as file:
                file.write(b"MADC" + _magic() + marshal.dumps(codes))
            os.replace(temporary, self.path)
        except OSError:  # a read-only install: no cache, as without .pyc files
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def install(path: str | None = None) -> DataclassCode:
    """Serve :mod:`dataclasses`' compiles from the cache for the rest of this process.

    The module-level name ``exec`` shadows the builtin for ``dataclasses`` alone; call
    :meth:`DataclassCode.save` before leaving (the command also registers it with atexit).
    """
    import dataclasses

    current = getattr(vars(dataclasses).get("exec"), "__self__", None)
    if isinstance(current, DataclassCode) and path in (None, current.path):
        return current  # installed already (main() called again in one process)
    cache = DataclassCode(default_path() if path is None else path)
    cache.load()
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    return cache


def uninstall() -> None:
    """Give :mod:`dataclasses` the builtin ``exec`` back (tests)."""
    import dataclasses

    vars(dataclasses).pop("exec", None)
