"""Windows-1250 out: every text we send is made representable in cp1250 *before* lengths are checked.

Why transliterate instead of letting lxml write ``&#8364;``-style character references: POHODA stores text in
cp1250 columns, so a reference to a character outside cp1250 ends up as ``?`` in the database (or the import
fails), and a name that fitted 90 characters may not after POHODA's own substitution. Deciding here keeps the
result predictable and lets the length check (``limits.py``) see the text POHODA will actually store.

Rules, in order, per character:
1. representable in cp1250 (all Czech/Slovak letters, ``„“”‘’–—…€•™``) → kept;
2. a small table of common symbols and Cyrillic (Czech-style: ж→ž, ш→š, ч→č);
3. Unicode NFKD: letters with accents cp1250 lacks (``ñ å ã``) lose the accent, ``²`` → ``2``;
4. symbols without a text form (emoji, dingbats) and invisible format characters are dropped;
5. anything else becomes ``?`` (what POHODA itself would store), so nothing silently vanishes from a name.
Control characters other than tab/newline/carriage return are not allowed in XML 1.0 and are removed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ENCODING", "is_cp1250", "transliterate"]

ENCODING = "windows-1250"
"""The encoding of every request body (declared in the XML prolog lxml writes)."""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_SYMBOLS = {
    "£": "GBP",
    "¥": "JPY",
    "½": "1/2",
    "¼": "1/4",
    "¾": "3/4",
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "⇒": "=>",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "―": "-",
    "′": "'",
    "″": '"',
    "✓": "OK",
    "✔": "OK",
    "✗": "x",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
    "ŀ": "l",
    "Ŀ": "L",
    "ŉ": "n",
    "¿": "?",
    "¡": "!",
    "ª": "a",
    "º": "o",
}

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "ž",
            "z",
            "i",
            "j",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "ch",
            "c",
            "č",
            "š",
            "šč",
            "",
            "y",
            "",
            "e",
            "ju",
            "ja",
            "i",
            "ji",
            "je",
            "g",
            "u",
        ],
        strict=False,
    )
)


def is_cp1250(text: str) -> bool:
    try:
        text.encode("cp1250")
    except UnicodeEncodeError:
        return False
    return True


def transliterate(text: str) -> str:
    """``text`` made representable in Windows-1250 (see the module docstring for the rules)."""
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if text.isascii() or is_cp1250(text):
        return text
    converted = "".join(_char(ch) for ch in text)
    if "  " in converted and "  " not in text:  # an emoji dropped between two words
        converted = re.sub(" {2,}", " ", converted)
    if not text[:1].isspace():
        converted = converted.lstrip()
    if not text[-1:].isspace():
        converted = converted.rstrip()
    return converted


def _char(ch: str) -> str:
    if is_cp1250(ch):
        return ch
    if ch in _SYMBOLS:
        return _SYMBOLS[ch]
    lower = ch.lower()
    if lower in _CYRILLIC:
        latin = _CYRILLIC[lower]
        return latin.capitalize() if ch != lower else latin
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(part for part in decomposed if is_cp1250(part) and not unicodedata.combining(part))
    if kept:
        return kept
    category = unicodedata.category(ch)
    if category[0] in "SM" or category in ("Cf", "Cs"):
        return ""  # emoji, dingbats, stray combining marks, zero-width joiners: no text form to keep
    return "?"
