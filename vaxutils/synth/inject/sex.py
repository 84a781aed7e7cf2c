"""Sex damage: flipped against the ID, missing, or a word that is no sex."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


SEX_INVALID = ("?", "Không rõ", "KXĐ")


def sex_errors(inj: Injector) -> None:
    """Sex flipped against the ID (only on an intact CCCD), missing or not a sex."""
    rng = inj.rng
    everyone = np.ones(inj.n, dtype=bool)
    cccd_intact = (inj.col("_kind") == "cccd") & inj.free["id"]
    sex = inj.col("sex")
    pos = inj.pick("sex_flipped", cccd_intact, ("sex", "id"))
    inj.set("sex", pos, np.where(sex[pos] == "Nam", "Nữ", "Nam"))
    inj.label(pos, "personal_info", "sex_flipped", "sex", sex[pos])
    pos = inj.pick("sex_missing", everyone, ("sex",))
    inj.set("sex", pos, None)
    inj.label(pos, "personal_info", "sex_missing", "sex", sex[pos])
    pos = inj.pick("sex_invalid", everyone, ("sex",))
    inj.set("sex", pos, rng.choice(SEX_INVALID, len(pos)))
    inj.label(pos, "personal_info", "sex_invalid", "sex", sex[pos])
