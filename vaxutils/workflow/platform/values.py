"""The values of each record after the village review and the police check (where each came
from, who confirmed it), and which fields must change on the platform."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.text import legacy, names
from vaxutils.workflow.fields import column
from vaxutils.workflow.platform.outcomes import POLICE, VILLAGE
from vaxutils.workflow.returned import CORRECTABLE_FIELDS, platform_values, screened_values
from vaxutils.workflow.review.columns import CORRECT, FIX


def _name_changed(raw: pd.Series, final: pd.Series) -> np.ndarray:
    """A name differs when it reads differently (case, spacing, Unicode form and tone placement
    aside), when the platform holds it in a legacy font, or with Ð for Đ."""
    legacy_font = legacy.detect_series(raw).notna().to_numpy()
    lookalike = raw.str.contains("Ð|ð", regex=True).fillna(False).to_numpy(dtype=bool)
    key_raw, key_final = names.match_key_series(raw), names.match_key_series(final)
    differs = key_raw.ne(key_final).fillna(key_raw.isna() & key_final.notna()).to_numpy(dtype=bool)
    return differs | ((legacy_font | lookalike) & final.notna().to_numpy())


def platform_changes(platform: pd.DataFrame, final: pd.DataFrame) -> pd.DataFrame:
    """Which field of each record must change on the platform (a value is never blanked)."""
    out = {"full_name": _name_changed(platform["full_name"], final["full_name"])}
    a, b = dates.parse_dates(platform["dob"]), dates.parse_dates(final["dob"])
    same_dob = a["date"].eq(b["date"]).fillna(False) & a["precision"].eq(b["precision"]).fillna(
        False
    )
    out["dob"] = ~same_dob.to_numpy(dtype=bool)
    out["sex"] = (
        sex.normalize_series(platform["sex"])
        .astype("string")
        .ne(final["sex"])
        .fillna(True)
        .to_numpy(dtype=bool)
    )
    raw_id = ids.classify_ids(platform["id_number"])["id_compact"].astype("string")
    raw_id = raw_id.fillna(platform["id_number"].str.strip())
    out["id_number"] = raw_id.ne(final["id_number"]).fillna(True).to_numpy(dtype=bool)
    given = final[list(CORRECTABLE_FIELDS)].notna().to_numpy()
    return pd.DataFrame(out, index=final.index)[list(CORRECTABLE_FIELDS)] & given


def by_record(frame: pd.DataFrame | None, wanted: pd.Index) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(index=wanted)
    return frame.drop_duplicates("record_id").set_index("record_id").reindex(wanted)


def final_values(records, review, police, rows, id_flagged) -> tuple[pd.DataFrame, ...]:
    """The platform's values of each record, its values after the review and the police check,
    and for each field where the final value came from and who confirmed it."""
    wanted = pd.Index(rows["record_id"])
    platform = platform_values(rows, records)
    proposed = screened_values(rows, records)
    final = platform[list(CORRECTABLE_FIELDS)].copy()
    source = pd.DataFrame(
        pd.NA, index=final.index, columns=list(CORRECTABLE_FIELDS), dtype="string"
    )
    who = source.copy()
    village = by_record(review, wanted)
    said = pd.Series(column(village, "decision").to_numpy(), dtype="string")
    reviewer = (
        column(village, "reviewer").fillna("Tổ " + column(village, "village").fillna("thôn"))
        if len(village.columns)
        else pd.Series(pd.NA, index=wanted, dtype="string")
    ).to_numpy()
    police_rows = by_record(police, wanted)
    verified = column(police_rows, "verified").eq("Có").fillna(False).to_numpy(dtype=bool)
    # screening's proposal (decoded name, dd/mm/yyyy) once a person accepted the record
    by_team = said.isin([CORRECT, FIX]).to_numpy(dtype=bool)
    accepted = by_team | verified
    for f in CORRECTABLE_FIELDS:
        take = accepted & proposed[f].notna().to_numpy()
        final.loc[take, f] = proposed.loc[take, f]
        by_village = take & by_team
        source.loc[by_village, f] = VILLAGE
        who.loc[by_village, f] = reviewer[by_village]
    fixing = said.eq(FIX).fillna(False).to_numpy(dtype=bool)
    officer = column(police_rows, "officer").to_numpy()
    # a valid CMND nobody questioned stays: the police writing the person's 12-digit number is
    # an upgrade, not a correction, and a correct record is not rewritten
    platform_kind = ids.classify_ids(platform["id_number"])["id_kind"].to_numpy(dtype=object)
    village_id = column(village, "id_number").to_numpy() if "id_number" in village.columns else None
    village_changed_id = (
        fixing & pd.notna(village_id) if village_id is not None else np.zeros(len(final), bool)
    )
    keep_cmnd = (
        (platform_kind == "cmnd") & ~np.asarray(id_flagged, dtype=bool) & ~village_changed_id
    )
    for frame, name, mask, by in (
        (village, VILLAGE, fixing, reviewer),
        (police_rows, POLICE, verified, officer),
    ):
        for f in CORRECTABLE_FIELDS:
            new = column(frame, f).to_numpy() if f in frame.columns else np.full(len(final), pd.NA)
            given = mask & pd.notna(new)
            if name == POLICE and f == "id_number":
                given &= ~keep_cmnd
            final.loc[given, f] = new[given]
            source.loc[given, f] = name
            who.loc[given, f] = by[given]
    return platform, final, source, who
