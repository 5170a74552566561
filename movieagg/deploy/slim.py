"""What the Lambda zip leaves out of its dependencies, each for a stated reason.

Two kinds of slimming, both checked by serving every route from the built zip under Python 3.12
(on SQLite, and on PostgreSQL with Redis, migrations included: tests/deploy/test_package.py):

- :data:`PRUNED`: parts of the wheels the runtime never imports (test harnesses, databases
  movieagg does not use, compatibility layers, type stubs, C sources, pip's file lists);
- sourceless dependencies (:mod:`movieagg.deploy.bytecode`): their modules are byte-compiled
  next to where the source was (``x.pyc``, docstrings dropped) and the ``.py`` removed — Python
  imports such a file without its source. Only the dependencies: movieagg keeps its sources,
  so its own tracebacks show their lines;
- each dependency's METADATA cut to its headers (the README it carries is never read).
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

# (pattern relative to the zip's root, why it goes). A pattern ending in "/" is a directory.
PRUNED: tuple[tuple[str, str], ...] = (
    ("sqlalchemy/testing/", "SQLAlchemy's own test harness"),
    ("sqlalchemy/dialects/mssql/", "a database movieagg does not use (SQLite and PostgreSQL only)"),
    ("sqlalchemy/dialects/mysql/", "a database movieagg does not use"),
    ("sqlalchemy/dialects/oracle/", "a database movieagg does not use"),
    ("sqlalchemy/ext/mypy/", "a type-checker plugin"),
    ("sqlalchemy/ext/asyncio/", "the asyncio engine: the store is synchronous"),
    ("sqlalchemy/ext/declarative/", "ORM extensions the store does not use (it only needs ext.compiler)"),
    *(
        (f"sqlalchemy/ext/{name}.*", "an ORM extension the store does not use")
        for name in (
            "associationproxy",
            "automap",
            "baked",
            "horizontal_shard",
            "hybrid",
            "indexable",
            "instrumentation",
            "mutable",
            "orderinglist",
            "serializer",
        )
    ),
    (
        "sqlalchemy/*_cy.cpython-*.so",
        "SQLAlchemy's optional Cython speed-ups (9.5 MB unpacked): the same modules ship and run as "
        "Python, and the store's queries read a few rows each",
    ),
    ("alembic/testing/", "Alembic's own test harness"),
    ("alembic/templates/", "`alembic init` project templates"),
    ("pydantic/v1/", "pydantic 1 compatibility: nothing imports it"),
    ("pydantic/deprecated/", "pydantic's deprecated APIs: nothing imports them"),
    ("pydantic/experimental/", "pydantic's experimental APIs: nothing imports them"),
    ("pydantic/mypy.*", "a type-checker plugin"),
    *(
        (f"redis/commands/{name}/", "a Redis module's commands: the cache uses plain strings")
        for name in ("search", "json", "timeseries", "bf", "vectorset", "graph")
    ),
    ("psycopg/crdb/", "CockroachDB support"),
    ("anyio/_backends/_trio.*", "the trio backend: movieagg runs on asyncio"),
    ("anyio/pytest_plugin.*", "a pytest plugin"),
    *(
        (f"platformdirs/{name}.*", "another operating system's directories (Lambda is Linux)")
        for name in ("android", "_android", "macos", "windows", "ios", "pytest_plugin", "testing", "__main__")
    ),
    ("*.pyi", "type stubs"),
    ("*.pyx", "Cython sources (the compiled extension ships)"),
    ("*.pxd", "Cython declarations"),
    ("*.c", "C sources"),
    ("*.h", "C headers"),
    ("*.dist-info/RECORD", "pip's list of installed files (an uninstaller's, not a runtime's)"),
    ("*.dist-info/sboms/", "a software bill of materials (platformdirs: 0.5 MB), for auditors"),
)


def prune(root: Path, patterns: tuple[tuple[str, str], ...] = PRUNED) -> list[str]:
    """Remove what ``patterns`` name under ``root``; returns the relative paths removed."""
    removed: list[str] = []
    for pattern, _why in patterns:
        if pattern.endswith("/"):
            for target in sorted(root.glob(pattern.rstrip("/"))):  # a directory pattern may glob
                if target.is_dir():
                    shutil.rmtree(target)
                    removed.append(target.relative_to(root).as_posix() + "/")
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and (fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern)):
                path.unlink()
                removed.append(relative)
    return removed


def trim_metadata(root: Path) -> int:
    """Cut each ``*.dist-info/METADATA`` to its headers (name, version, licence …): the long
    description after them is the project's README, which nothing reads at run time."""
    trimmed = 0
    for path in root.glob("*.dist-info/METADATA"):
        text = path.read_text(encoding="utf-8", errors="replace")
        head, sep, _readme = text.partition("\n\n")
        if sep:
            path.write_text(head + "\n", encoding="utf-8")
            trimmed += 1
    return trimmed


__all__ = ["PRUNED", "prune", "trim_metadata"]
