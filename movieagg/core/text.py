"""Title text folded for comparison: accents, case, punctuation, "&", number words, numerals.

Shared by the query checks (a title with nothing left after folding is not a title), the
matcher and the cache keys, so one title always folds one way.
"""

from __future__ import annotations

import re
import unicodedata

from movieagg.core.untrusted import printable

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
}  # fmt: skip
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8"}
_APOSTROPHES = "'’`´ʼ"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_/\\:;,.!?¡¿·•∙‧・()\[\]{}\"“”«»„]+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form; keeps letters of every script.

    Terminal escape sequences are no part of a title (an upstream may send them): they go first,
    as :func:`~movieagg.core.untrusted.printable` removes them, so ``ESC[31m`` adds no word.
    """
    text = unicodedata.normalize("NFKD", printable(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("æ", "ae").replace("œ", "oe").replace("ø", "o")
    text = text.replace("ß", "ss").replace("ł", "l").replace("đ", "d")
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = _SEPARATORS.sub(" ", text)
    text = "".join(ch if ch.isalnum() or ch == " " else " " for ch in text)
    return " ".join(text.split())


def normalize_title(text: str) -> str:
    """fold() plus number words and small roman numerals as digits ("Ocean's Eleven" ≈ "Ocean's 11")."""
    words = fold(text).split()
    return " ".join(_NUMBER_WORDS.get(w, _ROMAN.get(w, w) if i else w) for i, w in enumerate(words))
