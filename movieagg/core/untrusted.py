"""Untrusted text — upstream titles, names, messages, user input — made safe to show on a terminal.

A film title from an upstream API or a line of a batch file may carry terminal escape sequences
(``ESC[2J`` clears the screen, OSC sets the window title or plants a hyperlink), overwrite
tricks (CR, backspace) or bidi overrides that reorder what is shown. rich passes ESC through,
so every renderer of the CLI calls :func:`printable` on untrusted text before printing it.
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?              # CSI: colours, cursor moves, clearing
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?    # OSC: window title, hyperlinks; ended by BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?         # DCS, SOS, PM, APC strings
    | \x1b.?                                # any other escape
    | \x9b[0-?]*[ -/]*[@-~]?                # the 8-bit CSI
    | [\x00-\x08\x0b-\x1f\x7f-\x9f]         # other C0 and C1 controls (tab and newline stay)
    | [\u200e\u200f\u202a-\u202e\u2066-\u2069]  # bidi marks and overrides
    | [\ud800-\udfff]                       # lone surrogates (not even encodable)
    """,
    re.VERBOSE,
)


def printable(text: str) -> str:
    """``text`` without escape sequences and control characters; lone surrogates become U+FFFD."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: "\ufffd" if "\ud800" <= m.group()[:1] <= "\udfff" else "", text)


__all__ = ["printable"]
