"""Duplicates: one person split over two records (all doses, or only the boosters), namesakes
who lose a field (not duplicates), two people under one ID."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vaxutils.synth.inject.slots import SLOTS
from vaxutils.synth.inject.values import flip_tone_style
from vaxutils.synth.names import has_tone_style_choice

if TYPE_CHECKING:
    from vaxutils.synth.inject.injector import Injector


def duplicates(inj: Injector) -> None:
    """One person's doses split over two records; the second may have no ID or the same one."""
    pos = inj.pick("duplicate_split", inj.n_doses >= 2, SLOTS)
    if not len(pos):
        return
    rng = inj.rng
    start_id = inj.n + 1
    new_ids = np.array([inj.record_id(start_id + i) for i in range(len(pos))], dtype=object)
    second = {c: inj.cols[c][pos].copy() for c in inj.columns}
    second["record_id"] = new_ids
    old_ids = inj.col("record_id")[pos]
    empty_id = rng.random(len(pos)) < 0.5
    true_ids = second["id_number"].copy()
    second["id_number"] = np.where(empty_id, None, true_ids)
    names = second["full_name"].copy()
    variation = rng.random(len(pos))
    upper = variation < 0.35
    tone = (
        (variation >= 0.35)
        & (variation < 0.6)
        & np.array([has_tone_style_choice(x) for x in names])
    )
    varied = names.copy()
    varied[upper] = [x.upper() for x in names[upper]]
    varied[tone] = [flip_tone_style(x) for x in names[tone]]
    second["full_name"] = varied
    inj.extra_records.append(second)
    # move doses k+1..n to the second record
    split = np.array([rng.integers(1, inj.n_doses[p]) for p in pos])  # small: one per pair
    rows = inj.doses["_pos"].to_numpy()
    numbers = inj.doses["dose_number"].to_numpy()
    after = pd.Series(split, index=pos).reindex(rows).to_numpy()
    move = ~np.isnan(after) & (numbers > np.nan_to_num(after, nan=99))
    new_of = pd.Series(new_ids, index=pos)
    inj.doses.loc[move, "record_id"] = new_of.reindex(rows[move]).to_numpy()
    inj.label(pos, "duplicate", "duplicate_split", "record_id", new_ids)
    inj.label(None, "duplicate", "duplicate_split", "record_id", old_ids, record_ids=new_ids)
    inj.label(
        None,
        "missing_id",
        "duplicate_split",
        "id_number",
        true_ids[empty_id],
        record_ids=new_ids[empty_id],
    )
    inj.label(
        None,
        "normalized",
        "name_uppercase",
        "full_name",
        names[upper],
        record_ids=new_ids[upper],
    )
    inj.label(
        None,
        "normalized",
        "name_tone_style",
        "full_name",
        names[tone],
        record_ids=new_ids[tone],
    )


def split_boosters(inj: Injector) -> None:
    """One person split over two records, the second holding only the boosters, numbered
    again from 1 as a new registration would; it may lack the ID and the birth date.

    Judged alone, that record looks like a primary series: a Pfizer booster followed by an
    AstraZeneca one would be "mixing not allowed". So the boosters are made Pfizer/Moderna then
    AstraZeneca (every one a recommended booster), a second booster added 4–5 months after the
    first when the export date leaves room. Only for two-dose primary series.
    """
    rng = inj.rng
    d = inj.doses
    first_product = np.full(inj.n, None, dtype=object)
    has = inj.n_doses >= 1
    first_product[has] = d["product"].to_numpy(dtype=object)[inj.first_row[has]]
    two_dose = np.isin(first_product, ["AstraZeneca", "Pfizer", "Moderna", "Vero Cell",
                                       "Sputnik V", "Hayat-Vax"])  # fmt: skip
    pos = inj.pick("duplicate_split_boosters", (inj.n_doses >= 3) & two_dose, SLOTS)
    if not len(pos):
        return
    start_id = inj.n + 1 + sum(len(x) for x in inj.extra_records) + 500_000
    new_ids = np.array([inj.record_id(start_id + i) for i in range(len(pos))], dtype=object)
    second = {c: inj.cols[c][pos].copy() for c in inj.columns}
    second["record_id"] = new_ids
    true_ids, true_dob = second["id_number"].copy(), second["dob"].copy()
    no_id = rng.random(len(pos)) < 0.5
    no_dob = no_id & (rng.random(len(pos)) < 0.5)
    second["id_number"] = np.where(no_id, None, true_ids)
    second["dob"] = np.where(no_dob, None, true_dob)
    inj.extra_records.append(second)

    rows = d["_pos"].to_numpy()
    new_of = pd.Series(new_ids, index=pos)
    move = np.isin(rows, pos) & (d["dose_number"].to_numpy() > 2)
    d.loc[move, "record_id"] = new_of.reindex(rows[move]).to_numpy()
    d.loc[move, "dose_number"] = d.loc[move, "dose_number"] - 2
    booster1 = np.flatnonzero(move & (d["dose_number"].to_numpy() == 1))
    mrna = rng.choice(np.array(["Pfizer", "Moderna"], dtype=object), len(booster1))
    d.loc[booster1, ["product", "vaccine"]] = np.c_[mrna, mrna]
    # a second booster (AstraZeneca) where there is none and the export date leaves room
    has_second = np.isin(d["record_id"].to_numpy()[booster1],
                         d.loc[move & (d["dose_number"].to_numpy() == 2), "record_id"].to_numpy())  # fmt: skip
    days = rng.integers(125, 150, len(booster1)).astype("timedelta64[D]")
    when = d["dose_date"].to_numpy(dtype="datetime64[ns]")[booster1] + days
    room = ~has_second & (when < (inj.export_date - pd.Timedelta(days=1)).to_datetime64())
    extra = d.iloc[booster1[room]].copy()
    extra["dose_number"] = 2
    extra["dose_date"] = when[room]
    extra[["product", "vaccine"]] = "AstraZeneca"
    d.loc[booster1[has_second], ["product", "vaccine"]] = np.c_[mrna[has_second], mrna[has_second]]
    later = np.flatnonzero(move & (d["dose_number"].to_numpy() == 2))
    d.loc[later, ["product", "vaccine"]] = "AstraZeneca"
    inj.doses = pd.concat([d, extra], ignore_index=True)

    old_ids = inj.col("record_id")[pos]
    inj.label(pos, "duplicate", "duplicate_split_boosters", "record_id", new_ids)
    inj.label(
        None, "duplicate", "duplicate_split_boosters", "record_id", old_ids, record_ids=new_ids
    )
    inj.label(None, "missing_id", "duplicate_split_boosters", "id_number", true_ids[no_id],
               record_ids=new_ids[no_id])  # fmt: skip
    inj.label(None, "personal_info", "duplicate_split_boosters", "dob", true_dob[no_dob],
               record_ids=new_ids[no_dob])  # fmt: skip


def namesakes_missing(inj: Injector) -> None:
    """One of two namesakes (different people sharing a full name, common where names come from
    a small pool: Tày, Hmong, Khmer) loses its ID or its birth date. Not a duplicate."""
    kind = inj.col("_kind")
    eligible = ~inj.unique_name & (kind != "passport") & ~inj.cols["_twin"].astype(bool)
    pos = inj.pick("namesake_missing_field", eligible, ("id", "dob", "registry", "whole"))
    if not len(pos):
        return
    ids, dob = inj.col("id_number"), inj.col("dob")
    lose_id = (inj.rng.random(len(pos)) < 0.5) & pd.notna(ids[pos])
    inj.set("id_number", pos[lose_id], None)
    inj.label(pos[lose_id], "missing_id", "namesake_missing_field", "id_number", ids[pos[lose_id]])
    lose_dob = pos[~lose_id]
    inj.set("dob", lose_dob, None)
    inj.label(lose_dob, "personal_info", "namesake_missing_field", "dob", dob[lose_dob])


def shared_ids(inj: Injector) -> None:
    """Two different people recorded with one ID (e.g. a child under a parent's CCCD)."""
    kind = inj.col("_kind")
    owners = inj.pick("shared_id", kind == "cccd", SLOTS)
    if not len(owners):
        return
    borrowers = inj.pick("shared_id", np.ones(inj.n, dtype=bool), SLOTS)
    k = min(len(owners), len(borrowers))
    owners, borrowers = owners[:k], borrowers[:k]
    inj.realised["shared_id"] = k
    owner_ids = inj.col("id_number")[owners]
    true_ids = inj.col("id_number")[borrowers]
    inj.set("id_number", borrowers, owner_ids)
    rid = inj.col("record_id")
    inj.label(owners, "duplicate", "shared_id", "record_id", rid[borrowers])
    inj.label(borrowers, "duplicate", "shared_id", "record_id", rid[owners])
    inj.label(borrowers, "personal_info", "shared_id", "id_number", true_ids)
