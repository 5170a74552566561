"""Compile the Lambda zip's dependencies for the runtime: sourceless bytecode without docstrings.

Run by the runtime's Python (3.12) as a script — standard library only, so it needs no
movieagg on that interpreter's path::

    python3.12 movieagg/deploy/bytecode.py BUILD_DIR --exclude movieagg --prefix /var/task

Every ``x.py`` outside the excluded packages becomes ``x.pyc`` beside it (Python imports such a
file without its source) and the source is removed. Docstrings are dropped on the way — the
docstrings ``python -OO`` drops, and nothing else: asserts stay, line numbers stay (tracebacks
name the file and line; the source lines themselves are in the wheel, not the zip) — except in
the packages named with ``--keep-docstrings``, which read their own docstrings when imported
(SQLAlchemy builds its event documentation at import and asserts it is there). The pyc files
are hash-based and unchecked, so the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_WITH_DOCSTRINGS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def strip_docstrings(tree: ast.Module) -> ast.Module:
    """Remove the docstring of every module, class and function (``pass`` where one was all)."""
    for node in ast.walk(tree):
        if not isinstance(node, _WITH_DOCSTRINGS):
            continue
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.copy_location(ast.Pass(), body[0])]
    return tree


def compile_file(path: str, root: str, prefix: str, keep_docstrings: bool) -> str | None:
    """Write ``path``'s sourceless pyc and remove the source; None, or why it stays a source."""
    from importlib import _bootstrap_external  # the helper py_compile uses

    source = Path(path).read_bytes()
    display = prefix.rstrip("/") + "/" + Path(path).relative_to(root).as_posix()
    try:
        if keep_docstrings:
            code = compile(source, display, "exec", dont_inherit=True, optimize=0)
        else:
            tree = strip_docstrings(ast.parse(source, filename=display))
            code = compile(tree, display, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError) as exc:
        return f"{display}: {type(exc).__name__}"  # (a file for another Python: kept as it is)
    to_pyc = _bootstrap_external._code_to_hash_pyc  # type: ignore[attr-defined]
    data = to_pyc(code, importlib.util.source_hash(source), checked=False)
    Path(path).with_suffix(".pyc").write_bytes(data)
    Path(path).unlink()
    return None


def compile_tree(root: Path, exclude: tuple[str, ...], prefix: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Compile every source under ``root`` outside ``exclude``; ``keep``: packages whose
    docstrings stay (they read them at import time)."""
    sources = sorted(
        p
        for p in root.rglob("*.py")
        if p.relative_to(root).parts[0] not in exclude and "__pycache__" not in p.parts
    )
    n = len(sources)
    keeps = [p.relative_to(root).parts[0] in keep for p in sources]
    with ProcessPoolExecutor() as pool:
        results = pool.map(
            compile_file, map(str, sources), [str(root)] * n, [prefix] * n, keeps, chunksize=32
        )
        return [r for r in results if r]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="sourceless, docstring-free bytecode for a Lambda zip")
    parser.add_argument("root", type=Path)
    parser.add_argument("--exclude", action="append", default=[], help="a top-level package left as it is")
    parser.add_argument("--prefix", default="/var/task", help="where the tree lives at run time")
    parser.add_argument("--keep-docstrings", action="append", default=[], help="a package that reads them")
    args = parser.parse_args(argv)
    kept = compile_tree(args.root, tuple(args.exclude), args.prefix, tuple(args.keep_docstrings))
    for line in kept:
        print(f"kept as source: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
