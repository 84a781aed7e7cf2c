"""Name damage: missing, typed without diacritics, in a legacy encoding (TCVN3, VNI), Ð for Đ."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.values import ascii_fold
from vaxutils.text.legacy import detect_series, encode_legacy
from vaxutils.text.names import NEVER_PLAIN_SYLLABLES

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def _is_plain_error(folded: str, never_plain: frozenset[str]) -> bool:
    words = folded.lower().split()
    # plain "Thi" is a real given name (thơ): it counts only before the last word
    return any(w in never_plain and (w != "thi" or i < len(words) - 1) for i, w in enumerate(words))


def _legacy_detectable(encoded: pd.Series, expected: str) -> np.ndarray:
    """Mask of encoded names that the legacy-text detector recognises."""
    return (detect_series(encoded) == expected).fillna(False).to_numpy(dtype=bool)


def name_errors(inj: Injector) -> None:
    """No name, no diacritics, legacy (TCVN3, VNI) encodings, Ð for Đ."""
    everyone = np.ones(inj.n, dtype=bool)
    names = inj.col("full_name")
    pos = inj.pick("name_missing", everyone, ("name",))
    inj.set("full_name", pos, None)
    inj.label(pos, "personal_info", "name_missing", "full_name", names[pos])

    # syllables never written plain in a name (the name checker's list, DESIGN §2.3)
    never_plain = frozenset(NEVER_PLAIN_SYLLABLES)
    present = pd.notna(names)

    def plain_is_error(pos: np.ndarray) -> np.ndarray:
        return np.array(
            [
                ascii_fold(x) != x and _is_plain_error(ascii_fold(x), never_plain)
                for x in names[pos]
            ],
            dtype=bool,
        )

    pos = inj.pick("name_no_diacritics", present, ("name",), check=plain_is_error)
    inj.set("full_name", pos, [ascii_fold(x) for x in names[pos]])
    inj.label(pos, "personal_info", "name_no_diacritics", "full_name", names[pos])

    for name, expected in (("name_tcvn3", "tcvn3"), ("name_vni", "vni")):
        encode = functools.partial(encode_legacy, encoding=expected)

        def detectable(pos: np.ndarray, encode=encode, expected=expected) -> np.ndarray:
            encoded = pd.Series([encode(x) for x in names[pos]], dtype=object)
            changed = encoded.to_numpy() != names[pos]
            return changed & _legacy_detectable(encoded, expected)

        pos = inj.pick(name, present, ("name",), check=detectable)
        inj.set("full_name", pos, [encode(x) for x in names[pos]])
        inj.label(pos, "personal_info", name, "full_name", names[pos])

    codes, uniques = pd.factorize(pd.Series(names, dtype=object))
    has_d = np.array(["Đ" in u for u in uniques], dtype=bool)[codes] & (codes >= 0)
    pos = inj.pick("name_eth_for_d", has_d, ("name",))
    inj.set("full_name", pos, [x.replace("Đ", "Ð") for x in names[pos]])
    inj.label(pos, "personal_info", "name_eth_for_d", "full_name", names[pos])
