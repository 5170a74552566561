"""Pins: a user's own word on which film a title means, kept in a TOML file in the config dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from movieagg.core.errors import ConfigurationError, InvalidQuery
from movieagg.core.models import Query
from movieagg.core.pins import Pin, PinFile, Pins, parse_inline_pins


def test_a_pin_without_a_year_answers_queries_without_one(tmp_path: Path) -> None:
    book = PinFile(tmp_path / "pins.toml")
    book.add(Pin("Solaris", None, "tt0069293"))
    book.add(Pin("Heat", 1995, "tt0113277"))
    pins = Pins(book)
    assert pins.find(Query("solaris")) == Pin("Solaris", None, "tt0069293")  # folded like titles
    assert pins.find(Query("Solaris", 2002)) is None  # an explicit year is the user's word too
    assert pins.find(Query("Heat", 1995)) is not None and pins.find(Query("Heat")) is None


def test_the_file_is_toml_written_atomically_and_read_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "config" / "pins.toml"
    book = PinFile(path)
    assert book.all() == [] and not path.exists()  # no file: no pins, nothing created
    book.add(Pin('Dune "Part One"', 2021, "tt1160419"))
    text = path.read_text(encoding="utf-8")
    assert "[[pin]]" in text and 'imdb_id = "tt1160419"' in text
    assert [p.title for p in PinFile(path).all()] == ['Dune "Part One"']
    assert not list(path.parent.glob("*.tmp*"))  # written through a temporary file, then renamed
    assert len(book.all()) == 1
    other = PinFile(path)
    other.add(Pin("M", None, "tt0022100"))
    assert len(book.all()) == 1  # another process's edit is seen within `recheck` seconds …
    book.recheck = 0.0
    assert {p.imdb_id for p in book.all()} == {"tt1160419", "tt0022100"}  # … re-read after a change
    assert book.remove('dune "part one"', 2021) is True and book.remove("nothing", None) is False
    assert [p.title for p in PinFile(path).all()] == ["M"]


def test_adding_the_same_title_again_replaces_the_pin(tmp_path: Path) -> None:
    book = PinFile(tmp_path / "pins.toml")
    book.add(Pin("Solaris", None, "tt0069293"))
    book.add(Pin("SOLARIS", None, "tt0307479"))
    assert [p.imdb_id for p in book.all()] == ["tt0307479"]


def test_a_broken_file_is_a_configuration_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "pins.toml"
    path.write_text("[[pin]\ntitle = ")
    with pytest.raises(ConfigurationError, match=r"pins\.toml"):
        PinFile(path).all()
    path.write_text('[[pin]]\ntitle = "X"\nimdb_id = "nm0000206"\n')
    with pytest.raises(ConfigurationError, match="nm0000206"):
        PinFile(path).all()


def test_inline_pins_for_servers() -> None:
    pins = parse_inline_pins("Solaris=tt0069293; Heat (1995)=https://www.imdb.com/title/tt0113277/")
    assert pins == [Pin("Solaris", None, "tt0069293"), Pin("Heat", 1995, "tt0113277")]
    with pytest.raises(InvalidQuery, match="Title=tt"):
        parse_inline_pins("Solaris")
    assert parse_inline_pins("") == []


def test_inline_pins_and_the_file_combine_the_file_winning(tmp_path: Path) -> None:
    book = PinFile(tmp_path / "pins.toml")
    book.add(Pin("Solaris", None, "tt0307479"))
    pins = Pins(book, parse_inline_pins("Solaris=tt0069293;M=tt0022100"))
    assert pins.find(Query("Solaris")).imdb_id == "tt0307479"  # type: ignore[union-attr]
    assert pins.find(Query("M")).imdb_id == "tt0022100"  # type: ignore[union-attr]


def test_reading_is_cheap_when_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pins.toml"
    book = PinFile(path, recheck=0.0)
    book.add(Pin("Solaris", None, "tt0069293"))
    book.all()
    import tomllib

    calls = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: calls.append(1) or real(text))
    for _ in range(5):
        book.all()
    assert calls == []
    os.utime(path, ns=(1, 1))  # touched: read again
    book.all()
    assert calls == [1]
