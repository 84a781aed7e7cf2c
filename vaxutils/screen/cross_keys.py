"""The compact keys a commune contributes to the cross-commune duplicate pass
(:mod:`vaxutils.screen.cross_commune`): hashes only, so no name, date or number leaves the commune
in clear — of the normalised ID; of the diacritic-free name + birth year + sex; of the phone + birth
year — and the span of the record's dose history (lowest and highest dose number, first and last
day), which is the evidence a namesake elsewhere does not have.

A record's global id is ``gid = part << PART_SHIFT | position in its commune's records``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# gid = part << PART_SHIFT | position of the record in its commune's records
PART_SHIFT = 32

KEYS_META = {
    "gid": "int64",
    "part": "int32",
    "k_id": "uint64",
    "k_name": "uint64",
    "k_phone": "uint64",
    "dose_lo": "int16",
    "dose_hi": "int16",
    "first": "int32",
    "last": "int32",
}


def _hash(text: pd.Series) -> np.ndarray:
    """uint64 hash of each text value; 0 for missing (hash collisions only cost a comparison)."""
    values = text.astype("string")
    hashed = pd.util.hash_array(values.fillna("").to_numpy(dtype=object))
    return np.where(values.isna().to_numpy(), 0, np.maximum(hashed, 1)).astype("uint64")


def cross_keys(
    records: pd.DataFrame, doses: pd.DataFrame, part: np.ndarray, position: np.ndarray
) -> pd.DataFrame:
    """The compact keys of screened records, for the cross pass.

    ``records`` is screening's records output, ``doses`` its prepared doses; ``part`` the number of
    each record's commune in the run and ``position`` its row in that commune's records. Hashes only:
    no name, date or number leaves the commune in clear.
    """
    year = records["birth_year"].astype("Int64").astype("string")
    name = (
        "n|"
        + records["ascii_key"].astype("string")
        + "|"
        + year
        + "|"
        + records["sex"].astype("string")
    )
    phone = "p|" + records["phone"].astype("string") + "|" + year
    ident = "i|" + records["id_compact"].astype("string")
    days = doses["dose_date"].to_numpy("datetime64[D]").astype("int64")
    valid_date = ~np.isnat(doses["dose_date"].to_numpy("datetime64[D]"))
    number = pd.to_numeric(doses["dose_number"], errors="coerce").to_numpy(
        "float64", na_value=np.nan
    )
    usable = valid_date & ~np.isnan(number)
    per_record = (
        pd.DataFrame(
            {
                "record_id": doses["record_id"].to_numpy()[usable],
                "n": number[usable],
                "d": days[usable],
            }
        )
        .groupby("record_id")
        .agg(lo=("n", "min"), hi=("n", "max"), first=("d", "min"), last=("d", "max"))
    )
    span = per_record.reindex(records["record_id"].to_numpy())
    return pd.DataFrame(
        {
            "gid": (np.asarray(part, dtype="int64") << PART_SHIFT) + np.asarray(position, "int64"),
            "part": np.asarray(part, dtype="int32"),
            "k_id": _hash(ident),
            "k_name": _hash(name),
            "k_phone": _hash(phone),
            "dose_lo": span["lo"].fillna(0).clip(0, 99).to_numpy("int16"),
            "dose_hi": span["hi"].fillna(0).clip(0, 99).to_numpy("int16"),
            "first": span["first"].fillna(0).to_numpy("int32"),
            "last": span["last"].fillna(0).to_numpy("int32"),
        }
    ).astype(KEYS_META)
