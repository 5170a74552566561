"""Untrusted text shown on a terminal: escape sequences and control characters never get through."""

from __future__ import annotations

import pytest

from movieagg.core.untrusted import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Red\x1b[31m Alert\x1b[0m", "Red Alert"),  # CSI (colours, cursor moves, clear screen)
        ("\x1b]0;owned\x07Evil", "Evil"),  # OSC (window title, hyperlinks) ended by BEL
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 ended by ST
        ("\x1bP1;2|secret\x1b\\after", "after"),  # DCS
        ("a\x9b2Jb", "ab"),  # 8-bit CSI
        ("back\x08space\rcr\x7f", "backspacecr"),  # overwrite tricks
        ("bell\x07\x00nul", "bellnul"),
        ("\u202eevil\u202c \u2066x\u2069", "evil x"),  # bidi overrides reorder what is shown
        ("\x1bc", ""),  # reset the terminal
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("Amélie 千と千尋の神隠し Солярис ★", "Amélie 千と千尋の神隠し Солярис ★"),
        ("\udcff\ud800", "\ufffd\ufffd"),  # lone surrogates cannot even be encoded
        ("", ""),
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_plain_text_is_returned_as_is() -> None:
    text = "The Matrix (1999) · tt0133093"
    assert printable(text) is text
