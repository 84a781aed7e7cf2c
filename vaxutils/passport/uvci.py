"""Unique vaccination certificate identifiers (UVCI) for DCC payloads, deterministic per dose.

``URN:UVCI:01:VN:<13>/<13>#<c>`` (eHealth Network, "Guidelines on Value Sets / UVCI", version 01,
option 3 "opaque" identifier): 128 bits of a keyed hash of the dose (record id, dose number, date,
product) written as two groups of 13 base-36 digits, then a Luhn mod 36 check character over
them. The same dose gives the same id on every run and machine; different doses different ids.

Vectorised: the record id is hashed once per distinct id (``pandas.util.hash_array``, SipHash with
a fixed key); the other parts are numbers mixed in; each 64-bit half goes through the splitmix64
finaliser; digits and the check character are numpy arithmetic on the whole column; the text is
made as one Arrow buffer (no Python string per id).

>>> luhn36("0A1B")
'T'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import arrow_text, as_series, encode, fixed_width_text

COUNTRY = "VN"
_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_HASH_KEYS = ("vaxutils-uvci-01", "vaxutils-uvci-02")  # 16 bytes each, fixed: ids must not change


def _base36(values: np.ndarray, width: int = 13) -> np.ndarray:
    """uint64 → fixed-width base-36 digit codes (n, width) uint8, most significant first."""
    digits = np.empty((len(values), width), dtype=np.uint8)
    rest = values.astype(np.uint64)
    for i in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, np.uint64(36))
        digits[:, i] = digit
    return digits


def _luhn36(digits: np.ndarray) -> np.ndarray:
    """Luhn mod 36 check digit of each row of base-36 digit codes (ISO/IEC 7064 style, as the
    UVCI guidelines ask): from the right, every other digit doubled, digit sums in base 36.
    Column by column in int16 (a 2-million-row matrix of int64 temporaries costs gigabytes)."""
    n = 36
    width = digits.shape[1]
    total = np.zeros(len(digits), dtype=np.int16)
    for i in range(width):
        addend = digits[:, i].astype(np.int16) * (2 if (width - 1 - i) % 2 == 0 else 1)
        total += addend // n + addend % n
    return ((n - total % n) % n).astype(np.uint8)


def luhn36(text: str) -> str:
    """The Luhn mod 36 check character of a text of 0-9A-Z (scalar twin of the vectorised one)."""
    codes = np.array([[int(c, 36) for c in text.upper()]], dtype=np.uint8)
    return chr(_ALPHABET[_luhn36(codes)[0]])


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele et al. 2014): a bijective mix of 64-bit integers."""
    with np.errstate(over="ignore"):
        x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def certificate_ids(
    doses: pd.DataFrame,
    product_names: list[str],
    encoded: tuple[pa.Array, np.ndarray] | None = None,
) -> pd.Series:
    """A UVCI per dose, deterministic from record_id, dose_number, dose_date and product;
    ``product_names`` fixes the product codes (a sorted list: ids must not depend on the data);
    ``encoded``, the record ids as :func:`~vaxutils.passport.arrow_text.encode` made them, saves
    encoding them again.

    >>> d = pd.DataFrame({"record_id": ["A", "A"], "dose_number": [1, 2],
    ...                   "dose_date": pd.to_datetime(["2021-08-02", "2021-08-30"]),
    ...                   "product": ["AstraZeneca", "AstraZeneca"]})
    >>> ids = certificate_ids(d, ["AstraZeneca"])
    >>> bool(ids.str.match(r"^URN:UVCI:01:VN:[0-9A-Z]{13}/[0-9A-Z]{13}#[0-9A-Z]$").all()), ids.is_unique
    (True, True)
    >>> ids.tolist() == certificate_ids(d.iloc[::-1], ["AstraZeneca"]).iloc[::-1].tolist()
    True
    """
    if len(doses) == 0:
        return pd.Series([], index=doses.index, dtype="string")
    # each distinct id hashed once; a missing id hashes as ""
    distinct, at = encoded if encoded is not None else encode(text_column(doses, "record_id"))
    distinct = np.append(distinct.to_numpy(zero_copy_only=False), "")
    number = pd.to_numeric(doses["dose_number"], errors="coerce").fillna(0).to_numpy(np.uint64)
    days = pd.to_datetime(doses["dose_date"], errors="coerce").to_numpy("datetime64[D]")
    day = np.where(np.isnat(days), 0, days.astype(np.int64) + 100_000).astype(np.uint64)
    product = arrow_text(text_column(doses, "product").fillna(""))
    found = pc.fill_null(pc.index_in(product, value_set=arrow_text(list(product_names))), -1)
    pcode = (found.to_numpy(zero_copy_only=False).astype(np.int64) + 2).astype(np.uint64)
    mixed = (number << np.uint64(40)) ^ (day << np.uint64(8)) ^ pcode
    halves = []
    for key in _HASH_KEYS:
        h = pd.util.hash_array(distinct, hash_key=key, categorize=False)[at]
        halves.append(_splitmix64(h ^ _splitmix64(mixed + np.uint64(len(halves) + 1))))
    digits = np.concatenate([_base36(h) for h in halves], axis=1)
    check = _luhn36(digits)
    body = _ALPHABET[digits]
    n = len(body)
    prefix = np.frombuffer(f"URN:UVCI:01:{COUNTRY}:".encode(), dtype=np.uint8)
    full = np.empty((n, len(prefix) + 13 + 1 + 13 + 2), dtype=np.uint8)
    p = len(prefix)
    full[:, :p] = prefix
    full[:, p : p + 13] = body[:, :13]
    full[:, p + 13] = ord("/")
    full[:, p + 14 : p + 27] = body[:, 13:]
    full[:, p + 27] = ord("#")
    full[:, p + 28] = _ALPHABET[check]
    return as_series(fixed_width_text(full), doses.index)
