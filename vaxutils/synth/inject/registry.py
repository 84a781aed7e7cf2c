"""Errors seen only against the registry: swapped ID digits, a name typo, a day/month swap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from vaxutils.synth.inject.slots import REGISTRY_ONLY
from vaxutils.synth.inject.values import digits_swappable, format_dates, swap_digits, typo

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def registry_only_errors(inj: Injector) -> None:
    rng = inj.rng
    intact = inj.free["id"] & ~inj.cols["_twin"].astype(bool)
    ids = inj.col("id_number")
    taken = set(ids[pd.notna(ids)])
    pos = inj.pick(
        "id_swapped_digits", intact, REGISTRY_ONLY, check=lambda p: digits_swappable(ids[p])
    )
    if len(pos):
        new = []
        for v in ids[pos]:
            swapped = swap_digits(v, rng)
            while swapped in taken:  # never collide with someone else's real number
                swapped = swap_digits(v, rng)
            taken.add(swapped)
            new.append(swapped)
        inj.set("id_number", pos, new)
        inj.label(pos, "personal_info", "id_swapped_digits", "id_number", ids[pos])

    names = inj.col("full_name")
    last_word = pd.Series(names, dtype="string").str.replace(r"^.* ", "", regex=True)
    given_ok = last_word.str.len().fillna(0).to_numpy() >= 3
    pos = inj.pick("name_typo", intact & given_ok, REGISTRY_ONLY)
    if len(pos):
        inj.set("full_name", pos, [typo(x, rng) for x in names[pos]])
        inj.label(pos, "personal_info", "name_typo", "full_name", names[pos])

    dob = pd.DatetimeIndex(inj.cols["_dob_ts"])
    full_date = ~inj.cols["_year_only"].astype(bool)
    swappable = (dob.day <= 12) & (dob.day != dob.month) & (inj.cols["_age"] >= 20)
    pos = inj.pick("day_month_swapped", intact & full_date & swappable, REGISTRY_ONLY)
    if len(pos):
        swapped = pd.to_datetime(
            {"year": dob.year[pos], "month": dob.day[pos], "day": dob.month[pos]}
        ).to_numpy()
        true = inj.col("dob")[pos]
        inj.set("dob", pos, format_dates(swapped, inj.cols["_dob_format"][0]))
        inj.label(pos, "personal_info", "day_month_swapped", "dob", true)
