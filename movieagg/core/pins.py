"""Pins: a user's own word on which film a title means — final, above every resolver and cache.

``movieagg pin "Solaris" tt0069293`` writes ``pins.toml`` in the config dir (MOVIEAGG_HOME when
set; MOVIEAGG_PINS_FILE names another file); servers without a config dir take pins from
MOVIEAGG_PINS (``Solaris=tt0069293; Heat (1995)=tt0113277``). The file is read with tomllib
only when a lookup asks, and again only when it changed (a stat per lookup); writes go to a
temporary file renamed over the old one, so a reader never sees half a file. A long-lived process
(``serve``) looks at the file at most once a second.

Which pin answers (also in the README): a query with a year uses the pin for that title and
year; a query without a year uses the pin without one. Titles compare folded, as matching does.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from movieagg.core.errors import ConfigurationError, InvalidQuery
from movieagg.core.models import Query, validate_imdb_id, validate_year
from movieagg.core.query import parse_query
from movieagg.core.text import normalize_title

Key = tuple[str, int | None]


@dataclass(frozen=True, slots=True)
class Pin:
    """“``title`` (``year``) means ``imdb_id``”."""

    title: str
    year: int | None
    imdb_id: str

    @property
    def key(self) -> Key:
        return normalize_title(self.title), self.year

    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "year": self.year, "imdb_id": self.imdb_id}


def _pin(title: object, year: object, imdb_id: object, where: str) -> Pin:
    try:
        query = Query.create(title, year)
        return Pin(query.title, query.year, validate_imdb_id(str(imdb_id)))
    except InvalidQuery as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def parse_inline_pins(text: str) -> list[Pin]:
    """``Solaris=tt0069293; Heat (1995)=tt0113277`` (``;`` or new lines between pins)."""
    pins: list[Pin] = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        title_text, sep, target = part.rpartition("=")
        if not sep or not title_text.strip():
            raise InvalidQuery(f"pins are Title=tt… pairs separated by ';', not {part.strip()[:40]!r}")
        title, target_q = parse_query(title_text), parse_query(target)
        if title.kind != "title" or target_q.imdb_id is None:
            raise InvalidQuery(f"a pin is Title=tt… (an IMDb id or page), not {part.strip()[:40]!r}")
        pins.append(Pin(title.query.title, title.query.year, target_q.imdb_id))
    return pins


def _toml_string(text: str) -> str:
    """A TOML basic string (escapes the quote, the backslash and control characters)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_pins(pins: Iterable[Pin]) -> str:
    lines = ["# movieagg pins: which film a title means (movieagg pin / unpin / pins).", ""]
    for pin in pins:
        lines.append("[[pin]]")
        lines.append(f"title = {_toml_string(pin.title)}")
        if pin.year is not None:
            lines.append(f"year = {pin.year}")
        lines.append(f'imdb_id = "{pin.imdb_id}"')
        lines.append("")
    return "\n".join(lines)


class PinFile:
    """The pins file: read lazily and again only after a change; written atomically."""

    def __init__(self, path: Path, recheck: float = 1.0) -> None:
        """``recheck``: seconds between looks at the file (a stat) for edits by another process."""
        self.path = path
        self.recheck = recheck
        self._stamp: tuple[int, int, int] | None = None
        self._checked = -math.inf
        self._pins: list[Pin] = []
        self._lock = threading.Lock()

    def all(self) -> list[Pin]:
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.recheck:
                return list(self._pins)
            self._checked = now
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._pins = None, []
                return []
            except OSError as exc:
                raise ConfigurationError(f"cannot read the pins file {self.path}: {exc.strerror}") from None
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
            if stamp != self._stamp:
                self._pins = self._read()
                self._stamp = stamp
            return list(self._pins)

    def _read(self) -> list[Pin]:
        import tomllib  # here: a lookup with no pins file (the usual case) parses no TOML

        where = f"pins file {self.path}"
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read the {where}: {exc}") from None
        rows = data.get("pin", [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ConfigurationError(f"the {where} must hold [[pin]] tables")
        return [_pin(r.get("title"), r.get("year"), r.get("imdb_id"), where) for r in rows]

    def add(self, pin: Pin) -> None:
        pins = [p for p in self.all() if p.key != pin.key]
        self._write([*pins, pin])

    def remove(self, title: str, year: int | None) -> bool:
        key = (normalize_title(title), validate_year(year))
        pins = self.all()
        kept = [p for p in pins if p.key != key]
        if len(kept) == len(pins):
            return False
        self._write(kept)
        return True

    def _write(self, pins: Sequence[Pin]) -> None:
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(render_pins(pins))
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._stamp, self._checked = None, -math.inf  # read back on next use


class Pins:
    """Every pin in effect: the file's, over those set in the environment (MOVIEAGG_PINS)."""

    def __init__(self, file: PinFile | None = None, inline: Sequence[Pin] = ()) -> None:
        self.file = file
        self.inline = {p.key: p for p in inline}

    def all(self) -> list[Pin]:
        merged = dict(self.inline)
        merged.update({p.key: p for p in (self.file.all() if self.file is not None else [])})
        return list(merged.values())

    def find(self, query: Query) -> Pin | None:
        """The pin for this title and year (a yearless pin only for a query without a year)."""
        pinned = self.file.all() if self.file is not None else []
        if not pinned and not self.inline:
            return None  # the common case: no pins, nothing to fold
        key = (normalize_title(query.title), query.year)
        for pin in pinned:
            if pin.key == key:
                return pin
        return self.inline.get(key)


__all__ = ["Pin", "PinFile", "Pins", "parse_inline_pins", "render_pins"]
