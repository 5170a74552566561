"""The library's face: `dir(movieagg)` is its public API, and every public function says how to use it."""

from __future__ import annotations

import inspect

import movieagg


def test_dir_shows_exactly_the_public_api() -> None:
    public = [name for name in dir(movieagg) if not name.startswith("_")]
    assert public == sorted(name for name in movieagg.__all__ if not name.startswith("_"))
    for name in movieagg.__all__:
        assert getattr(movieagg, name) is not None  # lazy names resolve too


def test_every_public_function_has_a_docstring_with_an_example() -> None:
    functions = [name for name in movieagg.__all__ if inspect.isfunction(getattr(movieagg, name))]
    assert {"rate", "arate", "rate_imdb", "arate_imdb", "search", "asearch", "rate_many", "arate_many"} <= set(functions)
    for name in functions:
        doc = inspect.getdoc(getattr(movieagg, name)) or ""
        assert len(doc.split()) >= 12, f"movieagg.{name}: {doc!r}"
        assert ">>>" in doc or "Example" in doc, f"movieagg.{name} has no example"
        assert "Synchronous" not in doc.splitlines()[0] or len(doc.splitlines()) > 2, name
