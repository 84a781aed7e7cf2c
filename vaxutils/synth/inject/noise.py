"""Normalisation noise (not errors): capitals, NFD, extra spaces, tone style, spaces around an ID,
sex in other case, a phone that lost its leading zero."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.values import as_number, extra_spaces, flip_tone_style
from vaxutils.synth.names import has_tone_style_choice

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def noise(inj: Injector) -> None:
    rng = inj.rng
    names = inj.col("full_name")
    present = pd.notna(names)
    text_names = np.where(present, names, "").astype(str)
    lowered = pd.Series(text_names, dtype="string")
    # passport names (foreigners) are in capitals already: upper-casing changes nothing
    has_lower = (lowered.str.upper() != lowered).to_numpy(dtype=bool)
    pos = inj.pick("name_uppercase", present & has_lower, ("name",))
    inj.set("full_name", pos, [x.upper() for x in names[pos]])
    inj.label(pos, "normalized", "name_uppercase", "full_name", names[pos])
    non_ascii = ~pd.Series(text_names, dtype="string").str.isascii().to_numpy(dtype=bool)
    pos = inj.pick("name_nfd", present & non_ascii, ("name",))
    inj.set("full_name", pos, [unicodedata.normalize("NFD", x) for x in names[pos]])
    inj.label(pos, "normalized", "name_nfd", "full_name", names[pos])
    pos = inj.pick("name_extra_spaces", present, ("name",))
    inj.set("full_name", pos, [extra_spaces(x, rng) for x in names[pos]])
    inj.label(pos, "normalized", "name_extra_spaces", "full_name", names[pos])

    def has_choice(pos: np.ndarray) -> np.ndarray:
        return np.array([has_tone_style_choice(x) for x in names[pos]], dtype=bool)

    pos = inj.pick("name_tone_style", present, ("name",), check=has_choice)
    inj.set("full_name", pos, [flip_tone_style(x) for x in names[pos]])
    inj.label(pos, "normalized", "name_tone_style", "full_name", names[pos])

    ids = inj.col("id_number")
    pos = inj.pick("id_surrounding_spaces", pd.notna(ids), ("id",))
    inj.set("id_number", pos, [f" {v} " if rng.random() < 0.5 else f"{v} " for v in ids[pos]])
    inj.label(pos, "normalized", "id_surrounding_spaces", "id_number", ids[pos])
    sex = inj.col("sex")
    pos = inj.pick("sex_case", pd.notna(sex), ("sex",))
    upper = rng.random(len(pos)) < 0.5
    inj.set(
        "sex",
        pos,
        np.where(upper, [s.upper() for s in sex[pos]], [s.lower() for s in sex[pos]]),
    )
    inj.label(pos, "normalized", "sex_case", "sex", sex[pos])
    phones = inj.col("phone")
    pos = inj.pick("phone_leading_zero_lost", inj.shown("phone"), ("phone",))
    inj.set("phone", pos, np.array([as_number(v) for v in phones[pos]], dtype=object))
    inj.label(pos, "normalized", "phone_leading_zero_lost", "phone", phones[pos])
