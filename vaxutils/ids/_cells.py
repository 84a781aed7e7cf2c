"""How a spreadsheet cell becomes identifier text, shared by the scalar and vectorised paths.

Every pattern here is written once and used twice: by Python's ``re`` (scalar functions) and by
RE2 in ``pyarrow.compute`` (Series functions). So patterns use only syntax both engines read the
same way: explicit ``[0-9]`` (Python's ``\\d`` also matches Thai or full-width digits) and no
anchors (Python uses ``fullmatch``; :func:`anchored` adds RE2 anchors).

>>> to_text(1090012345.0), to_text(None), to_text(float("nan")), to_text(b"0012")
('1090012345.0', None, None, '0012')
>>> strip("\\u00a0 001090012345\\t"), remove_separators("004.095-012 345")
('001090012345', '004095012345')
>>> is_placeholder("Không  có"), is_placeholder("000000000000"), is_placeholder("0"), is_placeholder("1")
(True, True, True, False)
"""

from __future__ import annotations

import decimal
import math
import re
import unicodedata

# Python's str.isspace() set plus the zero-width characters Excel users paste from the web.
WHITESPACE = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
SEPARATOR_CLASS = "[" + WHITESPACE + "\\.\\-]"
FULLWIDTH_DIGITS = "０１２３４５６７８９"
SCIENTIFIC = "[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+"
FLOAT_SUFFIX = "[0-9]+\\.0+"
DIGITS = "[0-9]+"
# Letters typed or OCR-read in place of digits: O/o for 0, I/l for 1.
LETTER_DIGITS = "[0-9OoIl]+"
LETTER_TO_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1"}

PLACEHOLDER_WORDS = frozenset(
    {
        "không có", "khong co", "không", "khong", "ko", "k", "kco", "k có", "k co", "kc",
        "chưa có", "chua co", "chưa", "chua", "chưa cấp", "chua cap", "không rõ", "khong ro",
        "n/a", "na", "none", "null", "nan", "x", "?",
    }
)  # fmt: skip
# Only zeros, or only dashes/dots/stars/slashes/x: someone filled the cell to mean "none".
PLACEHOLDER_FILLERS = ("0", "-_.*/?xX")

_SEPARATORS_RE = re.compile(SEPARATOR_CLASS)
_WHITESPACE_RUN_RE = re.compile("[" + WHITESPACE + "]+")


def anchored(pattern: str) -> str:
    """The RE2 form of a full-match pattern (RE2's ``$`` is the end of the text)."""
    return f"^(?:{pattern})$"


def fullmatch(pattern: str, text: str) -> bool:
    """Python's side of a shared pattern."""
    return re.fullmatch(pattern, text) is not None


def to_text(value: object) -> str | None:
    """The cell as text, or None when it is missing (None, NaN, pd.NA, NaT).

    Numbers become their Python text (``1090012345.0`` keeps its ``.0``: that is damage to report).
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, decimal.Decimal):  # a signalling NaN raises on any comparison
        return None if value.is_nan() else str(value)
    if _is_missing_scalar(value):
        return None
    try:
        return str(value)
    except Exception:  # an object whose __str__ fails is still junk to report, not a crash
        return object.__repr__(value)


def _is_missing_scalar(value: object) -> bool:
    import pandas as pd  # local: pandas is already loaded wherever this runs on data

    result = pd.isna(value)  # an array for list-likes: those are junk text, not missing
    return result is True or (getattr(result, "shape", None) == () and bool(result))


def strip(text: str) -> str:
    """Remove surrounding whitespace (including non-breaking and zero-width spaces)."""
    return text.strip(WHITESPACE)


def remove_separators(text: str) -> str:
    """Remove spaces, dots and dashes anywhere in the text."""
    return _SEPARATORS_RE.sub("", text)


def fullwidth_to_ascii(text: str) -> str:
    """Full-width digits (from East Asian input methods) as ASCII digits."""
    return text.translate(_FULLWIDTH_TABLE)


def letters_to_digits(text: str) -> str:
    """O/o → 0 and I/l → 1."""
    return text.translate(_LETTER_TABLE)


def ascii_upper(text: str) -> str:
    """Upper-case ASCII letters only (``str.upper`` would turn ß into SS)."""
    return text.translate(_ASCII_UPPER_TABLE)


def placeholder_key(text: str) -> str:
    """The form compared with :data:`PLACEHOLDER_WORDS`: NFC, lower case, single spaces."""
    return _WHITESPACE_RUN_RE.sub(" ", unicodedata.normalize("NFC", text).lower())


def is_placeholder(text: str) -> bool:
    """True if a stripped cell only says "no ID" ("0", "-", "x", "Không có", "000000000000"…)."""
    if any(not text.strip(filler) for filler in PLACEHOLDER_FILLERS):
        return True
    return placeholder_key(text) in PLACEHOLDER_WORDS


_FULLWIDTH_TABLE = str.maketrans(FULLWIDTH_DIGITS, "0123456789")
_LETTER_TABLE = str.maketrans(LETTER_TO_DIGIT)
_ASCII_UPPER_TABLE = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
