"""Phone and insurance-number damage (warnings; ``catalogue/contact.yaml``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.values import as_number, wrong_length
from vaxutils.synth.rates import ERROR_TYPES

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def contact_errors(inj: Injector) -> None:
    rng = inj.rng
    shown = inj.shown("phone")

    def damage(name: str, field: str, slot: str, eligible, make) -> None:
        pos = inj.pick(name, eligible, (slot,))
        if len(pos):
            true = inj.col(field)[pos]
            inj.set(field, pos, np.array([make(v) for v in true], dtype=object))
            inj.label(pos, ERROR_TYPES[name], name, field, true)

    damage("phone_wrong_length", "phone", "phone", shown, lambda v: wrong_length(v, rng, 1))
    damage("phone_invalid_prefix", "phone", "phone", shown,
           lambda v: v[0] + str(rng.choice(list("1246"))) + v[2:])  # fmt: skip
    insurance = pd.Series(inj.col("insurance_no"), dtype="string")
    shown = inj.shown("insurance_no")
    card = shown & (insurance.str.len() == 15).fillna(False).to_numpy(dtype=bool)
    zero_led = shown & insurance.str.fullmatch(r"0\d{9}").fillna(False).to_numpy(dtype=bool)
    damage("insurance_wrong_length", "insurance_no", "insurance", shown,
           lambda v: wrong_length(v, rng, len(v) - 9))  # fmt: skip
    damage("insurance_bad_benefit_level", "insurance_no", "insurance", card,
           lambda v: v[:2] + str(rng.choice(list("06789"))) + v[3:])  # fmt: skip
    damage("insurance_leading_zero_lost", "insurance_no", "insurance", zero_led, as_number)
