"""The numbers of synthetic people: person ids, unique random numbers, CMND issuing prefixes,
mobile prefixes and health-insurance codes (vectorised: a million people in seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# CMND issuing-police prefixes by CCCD province code (not a birthplace; used only to look real).
CMND_PREFIX = {
    "001": "01", "079": "02", "031": "03", "011": "04", "012": "04", "014": "05", "010": "06",
    "015": "06", "002": "07", "008": "07", "004": "08", "020": "08", "006": "09", "019": "09",
    "022": "10", "024": "12", "027": "12", "025": "13", "026": "13", "030": "14", "033": "14",
    "034": "15", "035": "16", "036": "16", "037": "16", "038": "17", "040": "18", "042": "18",
    "044": "19", "045": "19", "046": "19", "048": "20", "049": "20", "051": "21", "052": "21",
    "054": "22", "056": "22", "062": "23", "064": "23", "066": "24", "067": "24", "068": "25",
    "058": "26", "060": "26", "075": "27", "077": "27", "074": "28", "070": "28", "072": "29",
    "080": "30", "082": "31", "083": "32", "084": "33", "086": "33", "087": "34", "089": "35",
    "092": "36", "093": "36", "094": "36", "091": "37", "095": "38", "096": "38", "017": "11",
}  # fmt: skip
PHONE_PREFIXES = np.array(
    "032 033 034 035 036 037 038 039 056 058 059 070 076 077 078 079 081 082 083 084 085 086 "
    "088 089 090 091 092 093 094 096 097 098 099".split()
)
_BHYT_GROUPS = np.array(["GD", "DN", "HC", "HN", "CN", "DT"])


def zfill(values: np.ndarray, width: int) -> pd.Series:
    """Integers as zero-padded text (Arrow string kernels, fast on millions of rows)."""
    return pd.Series(values).astype("string").str.zfill(width)


def unique_numbers(
    rng: np.random.Generator, prefix: np.ndarray, width: int, slot: tuple[int, int] = (0, 1)
) -> np.ndarray:
    """Integers ``prefix * 10**width + random`` (``width`` random digits), redrawn until unique.

    ``slot=(k, m)`` draws only random parts equal to ``k`` modulo ``m``: populations drawn apart
    (the chunks of one synthetic dataset) with different ``k`` never share a number, by
    construction. ``(0, 1)`` is the whole space (and the same draws as without a slot).

    >>> rng = np.random.default_rng(0)
    >>> a = unique_numbers(rng, np.zeros(40, "int64"), 2, slot=(0, 2))
    >>> b = unique_numbers(rng, np.zeros(40, "int64"), 2, slot=(1, 2))
    >>> len(set(a)) == len(set(b)) == 40, set(a) & set(b), bool((a % 2 == 0).all())
    (True, set(), True)
    """
    k, m = slot
    if not 0 <= k < m:
        raise ValueError(f"slot must be (k, m) with 0 <= k < m: {slot!r}")
    scale = 10**width
    size = scale // m  # random parts available to this slot

    def draw(count: int) -> np.ndarray:
        return rng.integers(0, size, size=count) * m + k

    out = prefix.astype("int64") * scale + draw(len(prefix))
    for _ in range(50):
        dup = pd.Series(out).duplicated(keep="first").to_numpy()
        if not dup.any():
            return out
        out[dup] = prefix[dup].astype("int64") * scale + draw(int(dup.sum()))
    raise RuntimeError("could not draw unique numbers")  # pragma: no cover


def person_ids(commune_code: str, positions: np.ndarray) -> np.ndarray:
    """``P01420-000001`` for position 0: stable ids of the commune's people."""
    return ("P" + commune_code + "-" + zfill(positions + 1, 6)).to_numpy(dtype=object)


def twin_ids(n: int, code: str, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    out = np.full(n, None, dtype=object)
    out[second] = person_ids(code, first)
    out[first] = person_ids(code, second)
    return out


def insurance_numbers(rng, n, age, group, gso_code: str, slot=(0, 1)) -> np.ndarray:
    """Health-insurance codes: ``XX N PP DDDDDDDDDD`` (15 characters) or the 10 digits alone."""
    kind = rng.choice(_BHYT_GROUPS, n)
    kind = np.where(age < 6, "TE", np.where(age < 19, "HS", kind))
    kind = np.where((age >= 60) & (rng.random(n) < 0.4), "HT", kind)
    minority = (group != "kinh") & (group != "foreign")
    kind = np.where(minority & (rng.random(n) < 0.5), "DT", kind)
    level = rng.choice(np.array(["1", "2", "3", "4", "5"]), n, p=[0.05, 0.1, 0.2, 0.55, 0.1])
    social = zfill(unique_numbers(rng, np.full(n, int(gso_code)), 8, slot), 10)
    full = pd.Series(kind, dtype="string") + pd.Series(level, dtype="string") + gso_code + social
    code = np.where(rng.random(n) < 0.6, full.to_numpy(object), social.to_numpy(object))
    return np.where(rng.random(n) < 0.85, code, None).astype(object)
