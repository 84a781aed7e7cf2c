"""The tables of the passport section of the commune report (step S7): per facility, doses ready to sign, blocked
doses by reason, and doses signed over time (from the signing ledger, when there is one).

Compute only; the notebook shows the tables. A dose blocked for several reasons counts under each.

>>> wl = pd.DataFrame({"facility": ["TYT", "TYT", "TYT"], "record_id": ["A", "B", "C"],
...     "dose_number": [1, 1, 2], "status": ["sẵn sàng ký", "bị chặn", "bị chặn"],
...     "reason": [None, "Hồ sơ người tiêm chưa làm sạch: Không có số CMND/CCCD",
...                "Vắc xin Nanocovax không thuộc danh mục cấp hộ chiếu vắc xin"]})
>>> passport_status_table(wl).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
{'facility': 'TYT', 'n_doses': 3, 'n_ready': 1, 'n_blocked': 2, 'blocked_record': 1,
 'blocked_product': 1, 'blocked_dose': 0}
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from vaxutils.io.files import read_parquet
from vaxutils.passport.ledger import LEDGER_FILE, empty_ledger
from vaxutils.passport.worklist import READY, passport_worklist
from vaxutils.screen import catalogue

_RECORD = "Hồ sơ người tiêm chưa làm sạch"
_PRODUCT = ("không thuộc danh mục cấp hộ chiếu", "Không nhận ra tên vắc xin")


def worklist_of(records, findings, doses, work_date: date | str | None = None) -> pd.DataFrame:
    """The passport worklist of the commune on ``work_date`` (a date or ISO text; default: the
    last dose date)."""
    if isinstance(work_date, str):
        work_date = date.fromisoformat(work_date) if work_date else None
    if work_date is None:
        last = pd.to_datetime(doses.get("dose_date"), errors="coerce").max()
        work_date = last.date() if pd.notna(last) else date.today()
    return passport_worklist(doses, records, findings, work_date=work_date)


def passport_status_table(worklist: pd.DataFrame) -> pd.DataFrame:
    """Per facility: doses, ready, blocked, and blocked because of the person's record, the product
    (outside the 8 passport products or unrecognised), or the dose itself (date, interval, age)."""
    reason = worklist["reason"].astype("string").fillna("")
    blocked = worklist["status"].ne(READY)
    record = reason.str.contains(_RECORD, regex=False)
    product = reason.str.contains(_PRODUCT[0], regex=False) | reason.str.contains(
        _PRODUCT[1], regex=False
    )
    # the dose's own errors are the catalogue's messages the worklist wrote
    # (the vaccine codes — unknown, unapproved — are about the product)
    cat = catalogue.load()
    errors = cat[cat["severity"].eq("error") & cat["category"].eq("dose")]
    about_product = errors.index.str.startswith("vaccine_")
    dose = pd.Series(False, index=worklist.index)
    for message in errors.loc[~about_product, "message_vi"].dropna().unique():  # a few dozen
        dose |= reason.str.contains(message, regex=False)
    for message in errors.loc[about_product, "message_vi"].dropna().unique():
        product |= reason.str.contains(message, regex=False)
    dose &= blocked
    table = pd.DataFrame(
        {
            "facility": worklist["facility"],
            "n_doses": 1,
            "n_ready": (~blocked).astype(int),
            "n_blocked": blocked.astype(int),
            "blocked_record": (blocked & record).astype(int),
            "blocked_product": (blocked & product).astype(int),
            "blocked_dose": dose.astype(int),
        }
    )
    return (
        table.groupby("facility", as_index=False).sum().sort_values("facility", ignore_index=True)
    )


def read_signing_ledger(passport_dir: str | Path | None) -> pd.DataFrame:
    """The signing ledger of a ``vaxutils passport`` folder; empty when none is given or kept."""
    if not passport_dir:
        return empty_ledger()
    path = Path(passport_dir) / LEDGER_FILE
    return read_parquet(path) if path.is_file() else empty_ledger()


def signed_over_time_table(worklist: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Doses signed per facility and signing day (the dose's facility from the worklist), with the
    share of the facility's doses signed so far: facility, signed_on, n_signed, n_signed_total,
    share_signed (%)."""
    columns = ["facility", "signed_on", "n_signed", "n_signed_total", "share_signed"]
    if ledger is None or ledger.empty:
        return pd.DataFrame({c: [] for c in columns})
    key = ["record_id", "dose_number"]
    doses = worklist[["facility", *key]].astype({"record_id": "string", "dose_number": "Int64"})
    signed = ledger[[*key, "signed_on"]].astype({"record_id": "string", "dose_number": "Int64"})
    joined = signed.merge(doses, on=key, how="inner")
    if joined.empty:
        return pd.DataFrame({c: [] for c in columns})
    joined["signed_on"] = pd.to_datetime(joined["signed_on"]).dt.normalize()
    table = joined.groupby(["facility", "signed_on"], as_index=False).size()
    table = table.rename(columns={"size": "n_signed"}).sort_values(["facility", "signed_on"])
    table["n_signed_total"] = table.groupby("facility")["n_signed"].cumsum()
    per_facility = worklist.groupby("facility").size()
    table["share_signed"] = (
        100 * table["n_signed_total"] / table["facility"].map(per_facility)
    ).round(1)
    return table[columns].reset_index(drop=True)
