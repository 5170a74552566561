"""Text from the bytes of an export file, whatever encoding the exporting site used.

A byte order mark decides (UTF-8, UTF-16 LE/BE). Without one the text is UTF-8 unless its
bytes are not: older IMDb exports are Windows-1252 (``Alien\\xb3``), and reading them as UTF-8
turns every accented title into U+FFFD. The choice is made while streaming, on the first byte
that is not ASCII, so a large file is never read twice nor held in memory.
"""

from __future__ import annotations

import codecs
import io
from typing import IO, Any, TextIO

_CODEC = "movieagg-sniffed-text"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_UNDECIDED, _UTF8, _CP1252 = 0, 1, 2


class SniffingDecoder(codecs.IncrementalDecoder):
    """UTF-8, or Windows-1252 when the first non-ASCII bytes are not valid UTF-8.

    Until a non-ASCII byte arrives both readings agree, so nothing decoded so far changes when
    the choice is made. A UTF-8 file with a stray invalid byte later on stays UTF-8 (that byte
    becomes U+FFFD); a Windows-1252 byte that the code page leaves undefined does too.
    """

    def __init__(self, errors: str = "replace") -> None:
        super().__init__(errors)
        self.mode = _UNDECIDED
        self._utf8 = codecs.getincrementaldecoder("utf-8")("strict")

    def decode(self, input: bytes, final: bool = False) -> str:  # type: ignore[override]
        data = bytes(input)
        if self.mode == _CP1252:
            return data.decode("cp1252", errors="replace")
        if self.mode == _UTF8:
            return self._utf8.decode(data, final)
        pending = self._utf8.getstate()[0] + data
        try:
            text = self._utf8.decode(data, final)
        except UnicodeDecodeError as exc:
            if pending[: exc.start].isascii():
                self.mode = _CP1252
                self._utf8.reset()
                return pending.decode("cp1252", errors="replace")
            self.mode = _UTF8
            self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
            return self._utf8.decode(pending, final)
        if not text.isascii():
            self.mode = _UTF8
            self._utf8.errors = "replace"
        return text

    def reset(self) -> None:
        self.mode = _UNDECIDED
        self._utf8 = codecs.getincrementaldecoder("utf-8")("strict")

    def getstate(self) -> tuple[bytes, int]:
        buffered, _ = self._utf8.getstate()
        return buffered, self.mode

    def setstate(self, state: tuple[bytes, int]) -> None:
        buffered, mode = state
        self.reset()
        self.mode = mode
        if mode == _UTF8:
            self._utf8.errors = "replace"
        if buffered:
            self._utf8.setstate((buffered, 0))


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != _CODEC:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=_CODEC,
        encode=utf8.encode,
        decode=lambda data, errors="replace": (SniffingDecoder(errors).decode(data, True), len(data)),
        incrementaldecoder=SniffingDecoder,
        incrementalencoder=utf8.incrementalencoder,
    )


_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        codecs.register(_search)
        _registered = True


def text_stream(raw: IO[bytes]) -> TextIO:
    """A text stream over ``raw`` for the CSV reader (``newline=""``), its encoding told by a BOM
    or by its bytes. ``raw`` must support ``peek`` (a BufferedReader) or it is wrapped in one."""
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    head = buffered.peek(4)[:4]
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is None:
        _register()
        encoding = _CODEC
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
