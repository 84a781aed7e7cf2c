"""The signing ledger: which doses each facility has signed, and the backlog of those it has not.

A facility signs its doses on the platform and hands back what it signed: its list for the day
(``ky_ho_chieu_<yyyymmdd>.xlsx``/``.csv``) with a column saying which rows it signed, or a plain list
of record id + dose number. :func:`read_signed` reads either (any sheet, title rows above the
header); :func:`record_signed` adds the doses to the ledger (the first signing of a dose is kept).
The next day's worklist leaves signed doses out (:func:`leave_out_signed`) and shows how old the
unsigned ready doses are (:func:`backlog_table`): the Ministry asks for a dose to be signed the
day it is entered (dispatches 1908, 1975/BYT-CNTT), so the ages are "within a day", "2–7 days"
and "older".

>>> signed = pd.DataFrame({"record_id": ["A", "A"], "dose_number": [1, 1],
...                        "signed_on": pd.to_datetime(["2022-05-16", "2022-05-17"])})
>>> record_signed(empty_ledger(), signed)[["record_id", "dose_number", "signed_on"]].values.tolist()
[['A', 1, Timestamp('2022-05-16 00:00:00')]]
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.errors import VaxutilsError
from vaxutils.io import normalize_header, read_parquet
from vaxutils.io.readers import iter_grids
from vaxutils.passport.worklist import READY

LEDGER_COLUMNS = ("record_id", "dose_number", "facility", "signed_on", "source", "recorded_at")
LEDGER_FILE = "so_ky_ho_chieu.parquet"
# A commune's passport folder beside its screening output (``out/01420/passport``, README): the
# report's section 9 reads the ledger there when ``report``/``batch`` find one.
PASSPORT_FOLDER = "passport"
HEADER_ROWS = 15
AGE_BUCKETS = ("≤ 1 ngày", "2–7 ngày", "> 7 ngày")  # age of a dose: days since it was given
AGE_BUCKETS_EN = ("within a day", "2–7 days", "older")

# Header labels (folded by normalize_header) of the columns a returned list may have.
_LABELS = {
    "record_id": ("Mã đối tượng", "Mã ĐT", "record_id", "ID", "Mã định danh đối tượng"),
    "dose_number": ("Mũi", "Mũi tiêm", "Mũi số", "dose_number", "Số mũi"),
    "facility": ("Cơ sở tiêm", "facility", "Đơn vị tiêm"),
    "signed": ("Đã ký", "Ký", "Đã ký xác nhận", "signed", "Trạng thái ký", "Ngày ký xác nhận"),
}
# What a person writes in the signed column for "yes" (folded); a date also means yes, that day.
_YES = {"x", "co", "da ky", "ky", "1", "true", "yes", "y", "v", "ok", "dong y", "✓", "✔"}
_NO = {"", "khong", "chua", "chua ky", "0", "false", "no", "n", "-"}


class SignedListError(VaxutilsError):
    """A signed list that cannot be used; the message names the file, sheet, row and column."""


def empty_ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": pd.Series(dtype="string"),
            "dose_number": pd.Series(dtype="Int64"),
            "facility": pd.Series(dtype="string"),
            "signed_on": pd.Series(dtype="datetime64[ns]"),
            "source": pd.Series(dtype="string"),
            "recorded_at": pd.Series(dtype="datetime64[ns]"),
        }
    )


def _find_header(cells: pd.DataFrame) -> tuple[int, dict[int, str]] | None:
    """The header row (first rows of a sheet) holding a record-id and a dose-number label."""
    folded = {normalize_header(label): name for name, labels in _LABELS.items() for label in labels}
    for i in range(min(HEADER_ROWS, len(cells))):
        names = {
            j: folded.get(normalize_header(v)) for j, v in enumerate(cells.iloc[i]) if pd.notna(v)
        }
        found = {j: n for j, n in names.items() if n is not None}
        if {"record_id", "dose_number"} <= set(found.values()):
            first = {}
            for j, n in found.items():
                first.setdefault(n, j)
            return i, {j: n for n, j in first.items()}
    return None


def _signed_values(raw: pd.Series, default_day: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Per cell of the signed column: signed (bool, NA when unreadable) and the signing day."""
    text = raw.astype("string").str.strip()
    folded = text.map(normalize_header, na_action="ignore").astype("string").fillna("")
    day = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    day = day.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    day = day.fillna(pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"))
    yes = folded.isin(_YES) | day.notna()
    no = folded.isin(_NO)
    signed = pd.Series(pd.NA, index=raw.index, dtype="boolean").mask(yes, True).mask(no, False)
    return signed, day.fillna(default_day)


def read_signed(
    path: str | os.PathLike,
    *,
    signed_on: date | None = None,
    facility: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The doses a returned list says were signed, and the problems of the list.

    Returns ``(signed, problems)``: ``signed`` has record_id, dose_number, facility, signed_on
    (the date in the signed cell, else ``signed_on``, else today), source (the file name);
    ``problems`` has sheet, row, column, value, message (Vietnamese). A list without a signed
    column means every row was signed. Raises :class:`SignedListError` when no sheet has the
    record id and dose number columns.
    """
    path = Path(path)
    default_day = pd.Timestamp(signed_on or date.today())
    parts, problems = [], []
    for grid in iter_grids(path):
        found = _find_header(grid.cells)
        if found is None:
            continue
        header, columns = found
        body = grid.cells.iloc[header + 1 :, list(columns)].set_axis(list(columns.values()), axis=1)
        body = body[body.notna().any(axis=1)]
        rows = pd.DataFrame(
            {
                "record_id": body["record_id"].astype("string").str.strip(),
                "dose_raw": body["dose_number"].astype("string").str.strip(),
                "facility": body["facility"].astype("string").str.strip()
                if "facility" in body
                else pd.Series(facility, index=body.index, dtype="string"),
                "signed_raw": body["signed"]
                if "signed" in body
                else pd.Series("x", index=body.index),
                "sheet": grid.sheet,
                "row": body.index.to_numpy() + 1,
            }
        )
        parts.append(rows)
    if not parts:
        raise SignedListError(
            f"Tệp '{path.name}': không trang tính nào có cột 'Mã đối tượng' và 'Mũi'. Hãy gửi lại "
            "danh sách ký đã nhận (có thêm cột 'Đã ký'), hoặc một tệp CSV có hai cột Mã đối tượng, Mũi."
        )
    rows = pd.concat(parts, ignore_index=True)
    number = rows["dose_raw"].str.extract(r"^(?:mũi\s*)?(\d{1,2})$", expand=False, flags=re.I)
    number = pd.to_numeric(number, errors="coerce")
    signed, day = _signed_values(rows["signed_raw"], default_day)
    checks = [
        (rows["record_id"].isna() & signed.fillna(True), "Mã đối tượng", rows["record_id"],
         "Thiếu mã đối tượng: không biết mũi nào đã ký."),
        (rows["record_id"].notna() & number.isna(), "Mũi", rows["dose_raw"],
         "Số mũi không đọc được (cần 1, 2, 3 ...)."),
        (signed.isna(), "Đã ký", rows["signed_raw"].astype("string"),
         "Không hiểu ô 'Đã ký': ghi 'x' hoặc ngày ký (dd/mm/yyyy) cho mũi đã ký, để trống nếu chưa ký."),
        (day > pd.Timestamp(date.today()) + pd.Timedelta(days=1), "Đã ký", rows["signed_raw"].astype("string"),
         "Ngày ký ở tương lai."),
    ]  # fmt: skip
    for mask, column, values, message in checks:
        for i in np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool)):
            problems.append(
                (rows["sheet"].iat[i], int(rows["row"].iat[i]), column, values.iat[i], message)
            )
    bad = np.zeros(len(rows), dtype=bool)
    for mask, *_ in checks:
        bad |= mask.fillna(False).to_numpy(dtype=bool)
    keep = signed.fillna(False).to_numpy(dtype=bool) & ~bad
    out = pd.DataFrame(
        {
            "record_id": rows["record_id"][keep],
            "dose_number": number[keep].astype("Int64"),
            "facility": rows["facility"][keep].astype("string"),
            "signed_on": day[keep].astype("datetime64[ns]"),
            "source": path.name,
        }
    ).drop_duplicates(["record_id", "dose_number"])
    problem_frame = pd.DataFrame(problems, columns=["sheet", "row", "column", "value", "message"])
    return out.reset_index(drop=True), problem_frame


def record_signed(ledger: pd.DataFrame, signed: pd.DataFrame) -> pd.DataFrame:
    """The ledger with ``signed`` added; a dose signed twice keeps its first (earliest) signing."""
    new = signed.assign(recorded_at=pd.Timestamp(datetime.now()).floor("s"))
    for column in LEDGER_COLUMNS:
        if column not in new.columns:
            new[column] = pd.NA
    both = pd.concat([ledger[list(LEDGER_COLUMNS)], new[list(LEDGER_COLUMNS)]], ignore_index=True)
    both = both.astype(empty_ledger().dtypes.to_dict())
    both = both.sort_values(["signed_on", "recorded_at"], kind="stable", na_position="last")
    both = both.drop_duplicates(["record_id", "dose_number"], keep="first")
    return both.sort_values(["signed_on", "record_id", "dose_number"]).reset_index(drop=True)


def _signed_mask(worklist: pd.DataFrame, ledger: pd.DataFrame) -> np.ndarray:
    if ledger is None or ledger.empty:
        return np.zeros(len(worklist), dtype=bool)
    key = pd.MultiIndex.from_arrays(
        [ledger["record_id"].astype("string"), ledger["dose_number"].astype("Int64")]
    )
    mine = pd.MultiIndex.from_arrays(
        [worklist["record_id"].astype("string"), worklist["dose_number"].astype("Int64")]
    )
    return mine.isin(key)


def leave_out_signed(worklist: pd.DataFrame, ledger: pd.DataFrame | None) -> pd.DataFrame:
    """The worklist without the doses the ledger says were signed (a list to sign shows only what
    is left to sign)."""
    return worklist[~_signed_mask(worklist, ledger)].reset_index(drop=True)


def _age_bucket(days: pd.Series) -> pd.Series:
    bucket = np.select([days <= 1, days <= 7], AGE_BUCKETS[:2], AGE_BUCKETS[2])
    return pd.Series(bucket, index=days.index, dtype="string").mask(days.isna())


def backlog_table(
    worklist: pd.DataFrame, ledger: pd.DataFrame | None, work_date: date
) -> pd.DataFrame:
    """Per facility: ready doses not yet signed by age on ``work_date`` (days since the dose),
    doses blocked, and doses signed so far by how long the signing took.

    ``worklist`` is the full list of the day (signed doses still in it). Columns: facility, then
    ``chưa ký ≤ 1 ngày`` … ``chưa ký > 7 ngày``, ``bị chặn``, ``đã ký ≤ 1 ngày`` … ``đã ký > 7 ngày``.
    """
    signed = _signed_mask(worklist, ledger)
    ready = worklist["status"].eq(READY).to_numpy() & ~signed
    age = (pd.Timestamp(work_date) - pd.to_datetime(worklist["dose_date"])).dt.days
    waiting = pd.crosstab(worklist["facility"][ready], _age_bucket(age[ready])).reindex(
        columns=list(AGE_BUCKETS), fill_value=0
    )
    waiting.columns = [f"chưa ký {b}" for b in AGE_BUCKETS]
    blocked = worklist.loc[~worklist["status"].eq(READY).to_numpy() & ~signed, "facility"]
    blocked = blocked.value_counts().rename("bị chặn")
    done = worklist[signed]
    if len(done):
        when = done[["record_id", "dose_number"]].astype({"record_id": "string", "dose_number": "Int64"}).merge(
            ledger.astype({"record_id": "string", "dose_number": "Int64"})
            .drop_duplicates(["record_id", "dose_number"])[["record_id", "dose_number", "signed_on"]],
            on=["record_id", "dose_number"], how="left",
        )  # fmt: skip
        took = when["signed_on"].to_numpy() - pd.to_datetime(done["dose_date"]).to_numpy()
        took = pd.Series(took, index=done.index).dt.days
        signed_by = pd.crosstab(done["facility"], _age_bucket(took))
    else:
        signed_by = pd.DataFrame(index=pd.Index([], name="facility"))
    signed_by = signed_by.reindex(columns=list(AGE_BUCKETS), fill_value=0)
    signed_by.columns = [f"đã ký {b}" for b in AGE_BUCKETS]
    table = pd.concat([waiting, blocked, signed_by], axis=1).fillna(0).astype("int64")
    table.index.name = "facility"
    return table.reset_index().sort_values("facility").reset_index(drop=True)


def read_ledger(folder: str | os.PathLike) -> pd.DataFrame:
    """The ledger kept in a passport output folder (empty when there is none yet)."""
    path = Path(folder) / LEDGER_FILE
    if not path.exists():
        return empty_ledger()
    table = read_parquet(path)
    return table.astype(empty_ledger().dtypes.to_dict())
