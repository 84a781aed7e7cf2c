"""ID damage: empty, placeholder, missing for a child, and the ways a number is mistyped or
mangled by Excel (lost zero, separators, scientific notation, letter O, length, province, century)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.values import (
    UNKNOWN_PROVINCES,
    as_number,
    letter_o,
    scientific,
    with_separators,
    wrong_length,
)
from vaxutils.synth.rates import ERROR_TYPES

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


PLACEHOLDERS = ("0", "-", "x", "Không có", "chưa có", "000000000000")  # DESIGN §3.2


def id_errors(inj: Injector) -> None:
    rng = inj.rng
    ids = inj.col("id_number")
    kind = inj.col("_kind")
    age = inj.cols["_age"]
    cccd = kind == "cccd"
    everyone = np.ones(inj.n, dtype=bool)

    def apply(name: str, eligible: np.ndarray, make, base=None) -> None:
        pos = inj.pick(name, eligible, ("id", "registry"), base)
        if len(pos):
            true = ids[pos]
            inj.set("id_number", pos, [make(v) for v in true])  # a few hundred values
            inj.label(pos, ERROR_TYPES[name], name, "id_number", true)

    apply("id_empty", everyone, lambda v: None)
    apply("id_placeholder", everyone, lambda v: str(rng.choice(PLACEHOLDERS)))
    children = (age >= 5) & (age < 18)
    apply("child_without_id", children, lambda v: None, base=int(children.sum()))
    text = pd.Series(ids, dtype="string")
    zero_led = text.str.startswith("0").fillna(False).to_numpy(dtype=bool)
    apply("id_leading_zero_lost", zero_led, as_number)
    apply("id_separators", everyone, lambda v: with_separators(v, rng))
    apply("id_scientific", everyone, scientific)
    has_zero = text.str.contains("0", regex=False).fillna(False).to_numpy(dtype=bool)
    apply("id_letter_o", has_zero, lambda v: letter_o(v, rng))
    apply("id_wrong_length", everyone, lambda v: wrong_length(v, rng))
    apply("id_unknown_province", cccd, lambda v: str(rng.choice(UNKNOWN_PROVINCES)) + v[3:])
    apply("id_bad_century", cccd, lambda v: v[:3] + str(rng.integers(4, 10)) + v[4:])
