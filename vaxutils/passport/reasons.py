"""Why a dose cannot be signed yet: its vaccine, its own errors, its person's record, a merge,
what its certificate itself needs.

Each part returns (``dose_row``, ``reason``) pairs; a dose is blocked with every reason that
applies, joined per dose by :func:`joined_per_key` (Arrow ``group_by``: a pandas
``groupby().agg("; ".join)`` calls Python once per dose).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import arrow_text, as_series, join, positions_of, take
from vaxutils.refdata import vaccines
from vaxutils.schema import CATEGORY_LABELS_VI
from vaxutils.screen import catalogue

# Record problems that keep a person's doses from being signed (severity error).
BLOCKING_CATEGORIES = ("missing_id", "id_format", "personal_info", "duplicate")


def joined_per_key(frame: pd.DataFrame, key: str, column: str, sep: str = "; ") -> pd.Series:
    """``column`` joined with ``sep`` per ``key`` (in order of appearance), in Arrow.

    >>> joined_per_key(pd.DataFrame({"k": [2, 1, 2], "v": ["a", "b", "c"]}), "k", "v").to_dict()
    {2: 'a; c', 1: 'b'}
    """
    if frame.empty:
        return pd.Series([], dtype="string", index=pd.Index([], name=key))
    keys = frame[key]
    keys = arrow_text(keys) if not pd.api.types.is_numeric_dtype(keys) else keys.to_numpy()
    table = pa.table({"k": keys, "v": arrow_text(frame[column].astype(str))})
    grouped = table.group_by("k", use_threads=False).aggregate([("v", "list")])
    text = pc.binary_join(grouped["v_list"], pa.scalar(sep, pa.large_string()))
    index = pd.Index(grouped["k"].to_numpy(zero_copy_only=False), name=key)
    return pd.Series(as_series(text).array, index=index)


def pending_merges(findings: pd.DataFrame, merges: pd.DataFrame | None = None) -> pd.Series:
    """``{record merged away: record kept}``: S5's merge list (``gop_trung.csv``) when given, else
    screening's duplicate groups (one person on several records; the smallest record id stays)."""
    if merges is not None:
        pairs = merges.dropna(subset=["record_id", "keep_record_id"])
        return pd.Series(
            pairs["keep_record_id"].astype("string").to_numpy(),
            index=pairs["record_id"].astype("string").to_numpy(),
            dtype="string",
        )
    if not {"code", "related"} <= set(findings.columns):
        return pd.Series(dtype="string")
    same = findings[findings["code"].eq("duplicate_person") & findings["related"].notna()]
    if same.empty:
        return pd.Series(dtype="string")
    related = same["related"].astype("string").str.split(r"[,;]\s*")
    pairs = pd.DataFrame(
        {"record_id": same["record_id"].astype("string"), "other": related}
    ).explode("other")
    pairs["other"] = pairs["other"].str.strip()
    keep = (
        pairs.assign(
            keep=np.minimum(
                pairs["record_id"].to_numpy(dtype=object), pairs["other"].to_numpy(dtype=object)
            )
        )
        .groupby("record_id")["keep"]
        .min()
    )
    return keep[keep.index != keep.to_numpy()].astype("string")


def product_reasons(d: pd.DataFrame) -> pd.DataFrame:
    """A vaccine that cannot be recognised, or is not one of the passport's products."""
    passport = set(vaccines().query("passport")["product"])
    product = text_column(d, "product")
    unknown = product.isna()
    other = product.notna() & ~product.isin(passport)
    vaccine = text_column(d, "vaccine").fillna("")
    return pd.concat(
        [
            pd.DataFrame(
                {"dose_row": np.flatnonzero(unknown), "reason": "Không nhận ra tên vắc xin: '"
                 + vaccine[unknown] + "'"}
            ),
            pd.DataFrame(
                {"dose_row": np.flatnonzero(other), "reason": "Vắc xin " + product[other]
                 + " không thuộc danh mục cấp hộ chiếu vắc xin"}
            ),
        ]
    )  # fmt: skip


def dose_reasons(found: pd.DataFrame) -> pd.DataFrame:
    """The dose's own errors (screening's dose checks, run for the work day)."""
    cat = catalogue.load()
    severity = cat["severity"]
    errors = found[found["code"].map(severity).eq("error").to_numpy()]
    messages = cat["message_vi"]
    return pd.DataFrame(
        {
            "dose_row": errors["dose_row"].to_numpy(dtype=np.int64),
            "reason": errors["code"].map(messages).to_numpy(dtype=object),
        }
    )


def record_reasons(
    keys: tuple[pa.Array, np.ndarray],
    findings: pd.DataFrame,
    exempt: np.ndarray,
    merged: pd.Series,
) -> pd.DataFrame:
    """The person's record not clean yet (unless the site is exempt), or waiting to be merged.
    ``keys`` are the doses' record ids as :func:`~vaxutils.passport.arrow_text.encode` makes them."""
    wrong = findings[
        findings["category"].isin(BLOCKING_CATEGORIES) & findings["severity"].eq("error")
    ]
    labelled = wrong.assign(label=wrong["category"].map(CATEGORY_LABELS_VI))
    labels = joined_per_key(labelled.drop_duplicates(["record_id", "label"]), "record_id", "label")
    # a duplicate waiting to be merged is its kept record's business: its own "duplicate" finding
    # does not block the kept record, the merge does (below)
    why_at = positions_of(keys, labels.index.to_series())
    blocked = np.flatnonzero((why_at >= 0) & ~exempt)
    into_at = positions_of(keys, merged.index.to_series())
    waiting = np.flatnonzero(into_at >= 0)
    why = take(arrow_text(labels), why_at[blocked])
    into = take(arrow_text(merged), into_at[waiting])
    return pd.concat(
        [
            pd.DataFrame(
                {"dose_row": blocked,
                 "reason": as_series(join("Hồ sơ người tiêm chưa làm sạch: ", why)).to_numpy()}
            ),
            pd.DataFrame(
                {"dose_row": waiting,
                 "reason": as_series(join("Hồ sơ trùng, chờ gộp vào hồ sơ ", into,
                                          ": ký trên hồ sơ giữ lại sau khi gộp")).to_numpy()}
            ),
        ]
    )  # fmt: skip


# The DCC's ``dob``: empty, or a year 1900-2099 (ISO 8601, "(19|20)\d\d(-\d\d){0,2}").
DCC_BIRTH_YEARS = (1900, 2099)


def certificate_reasons(
    person_at: np.ndarray, records: pd.DataFrame, dose_date: pd.Series
) -> pd.DataFrame:
    """What the certificate itself needs, at every site — exempt ones too: signing without the
    cleaning steps does not make a certificate with no name, or a birth date after the dose (a
    typed year such as 2106), valid. ``person_at``: each dose's row in ``records`` (-1: none)."""
    known = person_at >= 0
    at = np.maximum(person_at, 0)
    name = text_column(records, "full_name").str.strip().to_numpy(dtype=object, na_value=None)
    no_name = known & pd.isna(name[at] if len(records) else np.full(len(at), None))
    if "dob" in records.columns and len(records):
        dob = pd.to_datetime(records["dob"], errors="coerce").to_numpy()[at]
    else:
        dob = np.full(len(at), np.datetime64("NaT"), dtype="datetime64[ns]")
    day = pd.to_datetime(dose_date, errors="coerce").to_numpy()
    after_dose = known & (dob > day)  # NaT compares False
    year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    low, high = DCC_BIRTH_YEARS
    out_of_range = known & ~np.isnat(dob) & ((year < low) | (year > high)) & ~after_dose
    parts = [
        (
            ~known,
            "Không tìm thấy hồ sơ người tiêm của mũi này: chứng nhận không có họ tên, ngày sinh",
        ),
        (no_name, "Hồ sơ không có họ tên: chứng nhận cần họ tên"),
        (after_dose, "Ngày sinh sau ngày tiêm mũi này: sửa ngày sinh trước khi ký chứng nhận"),
        (
            out_of_range,
            f"Năm sinh ngoài khoảng {low}–{high} mà chứng nhận chấp nhận: sửa ngày sinh",
        ),
    ]
    return pd.concat(
        [pd.DataFrame({"dose_row": np.flatnonzero(mask), "reason": why}) for mask, why in parts],
        ignore_index=True,
    )
