"""movieagg._dataclass_code: dataclasses built from cached code behave exactly as without it."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from movieagg import _dataclass_code
from movieagg._dataclass_code import DataclassCode


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    _dataclass_code.uninstall()


def _build() -> type:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Film:
        """A film."""

        title: str
        year: int | None = None
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    return Film


def _describe(cls: type) -> list[object]:
    a, b = cls("Up", 2009), cls("Up", 2009)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.title = "Down"  # type: ignore[misc]
    return [
        repr(a), a == b, hash(a) == hash(b), a != cls("Up"), str(inspect.signature(cls)),
        cls.__init__.__annotations__, dataclasses.replace(a, year=1).year,  # type: ignore[misc]
        [f.name for f in dataclasses.fields(cls)], cls.__init__.__code__.co_filename,  # type: ignore[misc]
    ]  # fmt: skip


def test_classes_built_from_cached_code_behave_as_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    plain = _describe(_build())
    path = str(tmp_path / "codes.marshal")
    first = _dataclass_code.install(path)
    assert _describe(_build()) == plain
    assert first.compiled > 0
    first.save()
    _dataclass_code.uninstall()
    second = _dataclass_code.install(path)
    assert second.codes  # read back
    assert _describe(_build()) == plain
    assert second.compiled == 0  # every method came from the file


def test_the_generated_code_does_not_inherit_this_modules_future_flags(tmp_path: Path) -> None:
    # movieagg._dataclass_code has `from __future__ import annotations`; dataclasses has not:
    # the annotations of a generated __init__ stay objects, not strings.
    _dataclass_code.install(str(tmp_path / "codes.marshal"))
    assert _build().__init__.__annotations__["return"] is None  # type: ignore[misc]


@pytest.mark.parametrize("content", [b"", b"MADC", b"garbage", b"MADC" + b"\x00" * 8 + b"\xff\xfe"])
def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "codes.marshal"
    path.write_bytes(content)
    cache = _dataclass_code.install(str(path))
    assert cache.codes == {}
    assert _describe(_build()) == _describe(_build())


def test_an_unwritable_place_means_no_cache_and_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = _dataclass_code.install(str(blocker / "sub" / "codes.marshal"))  # a file is in the way
    _build()
    cache.save()
    assert not (blocker / "sub").exists()
    assert os.listdir(tmp_path) == ["file"]  # no temporary file left behind


def test_nothing_is_written_when_nothing_new_was_compiled_or_bytecode_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "codes.marshal"
    cache = DataclassCode(str(path))
    cache.save()
    assert not path.exists()
    cache.exec("x = 1", {}, {})
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache.save()
    assert not path.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache.save()
    assert path.exists()


def test_the_default_place_is_the_packages_pycache_or_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.path.dirname(_dataclass_code.__file__)
    monkeypatch.setattr(sys, "pycache_prefix", None)
    path = _dataclass_code.default_path()
    assert path is not None and os.path.dirname(path) == os.path.join(here, "__pycache__")
    assert sys.implementation.cache_tag in path
    monkeypatch.setattr(sys, "pycache_prefix", "/somewhere")
    path = _dataclass_code.default_path()
    assert path is not None and path.startswith("/somewhere/") and here.strip(os.sep) in path


def test_the_library_leaves_dataclasses_alone() -> None:
    probe = "import dataclasses, movieagg, movieagg.core.aggregator; print('exec' in vars(dataclasses))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_stale_entries_are_dropped_past_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(_dataclass_code, "_MAX_ENTRIES", 5)
    path = str(tmp_path / "codes.marshal")
    old = DataclassCode(path)
    for n in range(6):
        old.exec(f"x = {n}", {}, {})
    old.save()  # 6 entries, all used by that process: kept
    new = DataclassCode(path)
    new.load()
    assert len(new.codes) == 6
    new.exec("y = 1", {}, {})
    new.save()  # 7 > 5: only what this process used
    final = DataclassCode(path)
    final.load()
    assert list(final.codes) == ["y = 1"]
