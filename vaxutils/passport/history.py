"""A person's dose history for a certificate: merged records, the dose's position ``dn`` and the
series ``sd`` it counts against, with boosters encoded as the EU DCC rules ask.

``dn``/``sd`` are counted over the person's *merged* history: the records screening found to be
one person (``duplicate_person``) are one history, a dose recorded twice on one day counts once.
``sd`` is the primary series of the person's first known product (1 Janssen, 3 Abdala, else 2).

Boosters (doses past the primary series) follow Commission Implementing Decision (EU) 2021/2301
of 21 December 2021 (amending 2021/1073; applicable from 1 February 2022), whose encoding the
eHealth Network's DCC issuance guide repeats (github.com/ehn-dcc-development/eu-dcc-overview,
``issuing/readme.md``, "Vaccine Boosters": "Booster vaccinations MUST be encoded as an additional
dose in the sequence … 3/3") and the Commission's encoding helper implements
(github.com/dslmeinte/dcc-encoding, ``src/model/logic.ts``, linked from that guide):

* after a multi-dose primary series, a booster is an additional dose with ``dn`` = ``sd``:
  3/3 after two doses, 4/4 for the next, 4/4 after Abdala's three;
* after a one-dose primary series (Janssen), ``sd`` stays 1: 2/1, then 3/1;
* "1/1 for one dose of a 2-dose vaccine given to a recovered person" (and 2/1 for its booster)
  needs the recovery, which Vietnam's vaccination exports do not record: such a person's doses
  are numbered as an ordinary series (1/2, 2/2, then 3/3).

Whatever the product of the booster itself: the primary series decides (Janssen after two Pfizer
doses is 3/3; Pfizer after Janssen is 2/1).

>>> encode_series(pd.array([1, 2, 3, 4, 1, 2, 3], dtype="Int64"),
...               pd.array([2, 2, 2, 2, 1, 1, 1], dtype="Int64")).tolist()
[2, 2, 3, 4, 1, 1, 1]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import arrow_text, as_series, encode, positions
from vaxutils.passport.products import products


def encode_series(dn, primary) -> pd.Series:
    """``sd`` for each dose at position ``dn`` of a person whose primary series is ``primary``
    doses: ``primary`` within the series, ``dn`` for a booster after a multi-dose series, 1 after a
    one-dose series (Decision (EU) 2021/2301; see the module docstring). NA where the series
    is unknown; a dose without a position keeps the series."""
    dn = pd.array(dn, dtype="Int64")
    primary = pd.array(primary, dtype="Int64")
    booster = pd.Series(dn > primary).fillna(False).to_numpy(bool)
    after = pd.Series(dn).where(pd.Series(primary > 1).fillna(False).to_numpy(bool), 1)
    return pd.Series(primary).where(~booster, after).astype("Int64")


def person_groups(record_ids, findings: pd.DataFrame | None) -> pd.Series:
    """Per record id, the id that stands for its person: the smallest record id of its duplicate
    group (``duplicate_person`` findings name the others in ``related``), else itself."""
    ids = as_series(arrow_text(record_ids))
    if findings is None or findings.empty or "related" not in findings.columns:
        return ids
    dup = findings.loc[findings["code"].eq("duplicate_person"), ["record_id", "related"]]
    if dup.empty:
        return ids
    pairs = dup.assign(other=dup["related"].astype("string").str.split(",")).explode("other")
    pairs["other"] = pairs["other"].str.strip()
    members = pd.concat(
        [pairs[["record_id", "other"]], pairs[["record_id"]].assign(other=pairs["record_id"])]
    )
    smallest = members.astype({"other": "string"}).groupby("record_id")["other"].min()
    at = positions(ids, smallest.index.to_series())
    mapped = arrow_text(smallest).take(pa.array(at, mask=at < 0))
    return as_series(pc.coalesce(mapped, arrow_text(ids)))


def merged_positions(doses: pd.DataFrame, group: pd.Series, work_date) -> pd.DataFrame:
    """For the doses of records merged with others (``group`` differs from the record id): the
    position ``dn`` in the person's dated history up to the work day (a day counts once) and the
    primary series ``primary`` of the person's first dated known product. Other rows: NA."""
    out = pd.DataFrame({"dn": pd.NA, "primary": pd.NA}, index=doses.index, dtype="Int64")
    rid = arrow_text(text_column(doses, "record_id"))
    g = arrow_text(group)
    differs = pc.fill_null(pc.not_equal(g, rid), False)
    merged_ids = pc.unique(g.filter(differs))
    if len(merged_ids) == 0:
        return out
    members = positions(g, merged_ids) >= 0
    day = pd.to_datetime(doses["dose_date"], errors="coerce")
    frame = pd.DataFrame(
        {"group": as_series(g.filter(pa.array(members))).to_numpy(),
         "day": day[members].to_numpy(),
         "product": text_column(doses, "product")[members].to_numpy()},
        index=doses.index[members],
    )  # fmt: skip
    dated = frame[frame["day"].notna() & (frame["day"] <= pd.Timestamp(work_date))]
    days = dated.drop_duplicates(["group", "day"]).sort_values(["group", "day"])
    days["dn"] = days.groupby("group").cumcount() + 1
    primary = products()["primary_doses"]
    known = days[days["product"].isin(primary.index)]
    first = known.drop_duplicates("group").set_index("group")["product"].map(primary)
    dn = frame[["group", "day"]].merge(
        days[["group", "day", "dn"]], on=["group", "day"], how="left"
    )
    out.loc[frame.index, "dn"] = dn["dn"].to_numpy()
    out.loc[frame.index, "primary"] = frame["group"].map(first).to_numpy()
    return out.astype("Int64")


def primary_by_record(
    doses: pd.DataFrame, primary: pd.Series, ids: pa.Array | None = None
) -> tuple[pa.Array, np.ndarray]:
    """Per distinct record id of ``doses`` (or per id of ``ids``, distinct ids, when given: one
    lookup instead of encoding the doses' ids and looking those up): the primary series of its
    first known product (by dose number; ``primary`` maps product → doses). Returns (record ids,
    Int64-like float array with NaN where no known product)."""
    if ids is None:
        ids, code = encode(text_column(doses, "record_id"))
    else:
        code = positions(text_column(doses, "record_id"), ids)
    number = pd.to_numeric(doses["dose_number"], errors="coerce").to_numpy(float, na_value=np.nan)
    product = arrow_text(text_column(doses, "product"))
    at = pc.fill_null(pc.index_in(product, value_set=arrow_text(primary.index.to_series())), -1)
    at = at.to_numpy(zero_copy_only=False)
    known = np.flatnonzero((at >= 0) & (code >= 0))
    # the first known product by dose number (missing numbers last), ties in row order
    order = known[np.lexsort((np.nan_to_num(number[known], nan=np.inf), code[known]))]
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]] if len(order) else order
    out = np.full(len(ids), np.nan)
    out[code[first]] = primary.to_numpy(float)[at[first]]
    return ids, out
