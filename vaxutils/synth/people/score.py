"""Counting the round trip: over the records wrong at the start, fixed, wrong final value,
pending with a reason, lost; over the records right at the start, changed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.schema import CORRECTABLE_FIELDS
from vaxutils.synth.people.script import Script
from vaxutils.text import legacy, names


def _matches_truth(values: pd.DataFrame, script: Script) -> pd.DataFrame:
    """Per record of ``values`` and per person field: does it hold the person's true value?"""
    truth = script.truth.reindex(values["record_id"].astype("string")).reset_index(drop=True)
    values = values.reset_index(drop=True)

    def same(a: pd.Series, b: pd.Series) -> np.ndarray:
        return a.astype("string").eq(b.astype("string")).fillna(False).to_numpy(dtype=bool)

    name = values["full_name"].astype("string")
    legacy_font = legacy.detect_series(name).notna().to_numpy().copy()
    # Ð (U+00D0) standing in for Đ reads the same but is an official error (DESIGN §2.3)
    legacy_font |= name.str.contains("Ð|ð", regex=True).fillna(False).to_numpy(dtype=bool)
    name_ok = same(names.match_key_series(name), names.match_key_series(truth["full_name"]))
    got = dates.parse_dates(values["dob"].astype("string"))
    want = dates.parse_dates(truth["dob"])
    same_day = got["date"].eq(want["date"]).fillna(False).to_numpy(dtype=bool)
    year_only = got["precision"].eq("year").fillna(False).to_numpy(dtype=bool)
    same_year = same(got["date"].dt.year.astype("Int64"), want["date"].dt.year.astype("Int64"))
    sex_now = sex.normalize_series(values["sex"].astype("string"))
    compact = ids.classify_ids(values["id_number"].astype("string"))["id_compact"].astype("string")
    id_ok = np.zeros(len(values), dtype=bool)
    for c in ("id_number", "cccd", "cmnd"):
        id_ok |= same(compact, truth[c])
    no_id = (
        truth[["id_number", "cccd", "cmnd"]].isna().all(axis=1).to_numpy()
        & compact.isna().to_numpy()
    )
    return pd.DataFrame(
        {
            "full_name": name_ok & ~legacy_font,
            "dob": same_day | (year_only & same_year),
            "sex": same(sex_now, truth["sex"]),
            "id_number": id_ok | no_id,
        }
    )


def _same_values(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Per record, the person fields of ``a`` and ``b`` hold the same value (text as read)."""
    aa = a[list(CORRECTABLE_FIELDS)].astype("string").fillna("")
    bb = b[list(CORRECTABLE_FIELDS)].astype("string").fillna("")
    return (aa.to_numpy() == bb.to_numpy()).all(axis=1)


def score_round_trip(
    script: Script,
    start: pd.DataFrame,
    final: pd.DataFrame,
    merges: pd.DataFrame,
    pending: pd.Index,
) -> dict:
    """Counts over the records of the export at the start (``start``: records as read).

    A record is wrong at the start when a person field (name, birth date, sex, ID) does not hold
    the person's true value or it is the second record of one person. At the end (``final``: the
    records after the S5 files were applied) a wrong record is **fixed** (true values, or merged
    into a record of the same person), **wrong** (changed, but not to the truth; or merged into
    another person's record), **pending** (on a list with a reason: not importable, removal), or
    **lost** (none of these). ``changed_correct`` counts the records right at the start whose
    values changed or that disappeared.
    """
    start = start.reset_index(drop=True)
    rid = start["record_id"].astype("string")
    ok_start = (
        _matches_truth(start, script).all(axis=1).to_numpy()
        & ~rid.isin(list(script.keep_of)).to_numpy()
    )
    now = final.set_index(final["record_id"].astype("string")).reindex(rid)
    present = now["record_id"].notna().to_numpy()
    ok_now = _matches_truth(now.reset_index(drop=True).assign(record_id=rid), script).all(axis=1)
    ok_now = ok_now.to_numpy() & present
    unchanged = _same_values(start, now.reset_index(drop=True)) & present
    merged_into = dict(zip(merges["record_id"], merges["keep_record_id"], strict=True))
    person = script.truth["person_id"]
    merged_right = np.array(
        [r in merged_into and person.get(merged_into[r]) == person.get(r) for r in rid]
    )
    merged_wrong = rid.isin(list(merged_into)).to_numpy() & ~merged_right
    on_hold = rid.isin(pending).to_numpy()
    wrong_start = ~ok_start
    fixed = wrong_start & ((ok_now & ~rid.isin(list(script.keep_of)).to_numpy()) | merged_right)
    wrong = wrong_start & ~fixed & (merged_wrong | (present & ~unchanged & ~on_hold))
    held = wrong_start & ~fixed & ~wrong & on_hold
    lost = wrong_start & ~fixed & ~wrong & ~held
    changed_correct = ok_start & (~present | ~unchanged)
    return {
        "records": len(start),
        "wrong_at_start": int(wrong_start.sum()),
        "fixed": int(fixed.sum()),
        "wrong_final_value": int(wrong.sum()),
        "pending_with_reason": int(held.sum()),
        "lost": int(lost.sum()),
        "correct_at_start": int(ok_start.sum()),
        "changed_correct": int(changed_correct.sum()),
        "lost_ids": rid[lost].tolist(),
        "wrong_ids": rid[wrong].tolist(),
        "changed_correct_ids": rid[changed_correct].tolist(),
    }
