"""How one cell is damaged: the value-level edits the field groups apply (typos, separators,
Excel's lost leading zeros and scientific notation, day/month swaps, legacy-free ASCII)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from vaxutils.refdata import provinces
from vaxutils.synth.names import to_new_tone_style, to_old_tone_style

DAY = np.timedelta64(1, "D")


def ascii_fold(text: str) -> str:
    """'Đặng Thị Thủy' -> 'Dang Thi Thuy' (for injecting "typed without diacritics")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def format_dates(values: np.ndarray, fmt: str = "%d/%m/%Y") -> np.ndarray:
    """Format datetimes as text once per unique date (a commune has a few hundred dose days)."""
    idx = pd.DatetimeIndex(values)
    codes, uniques = pd.factorize(idx)
    texts = np.asarray(pd.DatetimeIndex(uniques).strftime(fmt), dtype=object)
    out = np.full(len(idx), None, dtype=object)
    ok = codes >= 0
    out[ok] = texts[codes[ok]]
    return out


# Three-digit prefixes that are no 2022 province (the 63 codes have gaps).
UNKNOWN_PROVINCES = tuple(
    f"{c:03d}" for c in range(1, 100) if f"{c:03d}" not in set(provinces()["cccd_code"])
)


def flip_tone_style(name: str) -> str:
    new = to_new_tone_style(name)
    return new if new != name else to_old_tone_style(name)


def with_separators(v: str, rng) -> str:
    sep = str(rng.choice([" ", ".", "-"]))
    if len(v) == 12:
        return sep.join([v[:3], v[3:6], v[6:9], v[9:]])
    return sep.join([v[:3], v[3:6], v[6:]])


def scientific(v: str) -> str:
    """How Excel shows a long number in a General cell: 6 significant digits, "4.09501E+10"."""
    mantissa, exponent = f"{int(v):.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{int(exponent):02d}"


def letter_o(v: str, rng) -> str:
    zeros = [i for i, c in enumerate(v) if c == "0"]
    i = int(rng.choice(zeros))
    return v[:i] + "O" + v[i + 1 :]


def wrong_length(v: str, rng, start: int = 3) -> str:
    """One digit more or less, at or after position ``start`` (the prefix stays)."""
    if rng.random() < 0.5:  # an extra digit
        i = int(rng.integers(start, len(v) + 1))
        return v[:i] + str(rng.integers(0, 10)) + v[i:]
    i = int(rng.integers(start, len(v)))  # a lost digit
    return v[:i] + v[i + 1 :]


def as_number(v: str) -> int:
    """What Excel keeps of a number typed into a General cell: its value, leading zeros gone."""
    return int(v)


# (day, month) pairs that exist in no year; 29/02 is left out (it exists in leap years).
IMPOSSIBLE_DAY_MONTH = ((31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11))


def swap_span(v: object) -> range:
    """Positions whose swap keeps the number well-formed: the random part only."""
    if not isinstance(v, str) or not v.isdigit():
        return range(0)
    return range(6, 11) if len(v) == 12 else range(2, 8) if len(v) == 9 else range(0)


def digits_swappable(ids: np.ndarray) -> np.ndarray:
    """Mask of IDs with two adjacent *different* digits in their random part (vectorised)."""
    text = pd.Series(ids, dtype="string")
    out = np.zeros(len(ids), dtype=bool)
    for length, (lo, hi) in ((12, (6, 11)), (9, (2, 8))):
        mask = (
            (text.str.fullmatch(r"\d+") & (text.str.len() == length))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        if mask.any():
            digits = (
                np.array(text[mask].tolist(), dtype=f"S{length}").view(np.uint8).reshape(-1, length)
            )
            out[mask] = (digits[:, lo:hi] != digits[:, lo + 1 : hi + 1]).any(axis=1)
    return out


def swap_digits(v: str, rng) -> str:
    options = [i for i in swap_span(v) if v[i] != v[i + 1]]
    i = int(rng.choice(options))
    return v[:i] + v[i + 1] + v[i] + v[i + 2 :]


def typo(name: str, rng) -> str:
    """Drop one letter (not the first) of the given name: "Hùng" -> "Hùg"."""
    words = name.split(" ")
    given = words[-1]
    i = int(rng.integers(1, len(given)))
    words[-1] = given[:i] + given[i + 1 :]
    return " ".join(words)


def extra_spaces(name: str, rng) -> str:
    words = name.split(" ")
    if len(words) > 1 and rng.random() < 0.6:
        i = int(rng.integers(1, len(words)))
        return " ".join(words[:i]) + "  " + " ".join(words[i:])
    return f" {name} " if rng.random() < 0.5 else f"{name} "
