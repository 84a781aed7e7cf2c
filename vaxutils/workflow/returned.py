"""Read back a workbook people filled in (village review, police list) and check what they wrote.

What every returned list shares: find each sheet's header by its labels (title rows above, any
sheet order), keep the rows with their sheet and Excel row number, accept a record id only if it
was sent and only once, put corrected values in the form screening writes them, screen the
corrected records again, and keep every change in the change log of DESIGN §3.3. Problems name
the sheet, the row and the column a person must look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.io import Export, normalize_header
from vaxutils.io.readers import iter_grids
from vaxutils.kernel.cells import column_or_na, stripped_text
from vaxutils.screen import screen
from vaxutils.text import names
from vaxutils.workflow.fields import column, dob_text

PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "record_id", "value", "message")
CHANGE_COLUMNS = (
    "record_id",
    "field",
    "old_value",
    "new_value",
    "source",
    "who",
    "when",
    "sheet",
    "sheet_row",
)
PERSON_FIELDS = ("full_name", "dob", "sex", "id_number")
HEADER_ROWS = 15  # the header is looked for in the first rows of a sheet


class Problems:
    """Problems as they are found; a frame at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, severity, where, column, record_id, value, message) -> None:
        sheet, row = where
        self.rows.append((severity, sheet, row, column, record_id, value, message))

    def add_rows(self, rows: pd.DataFrame, mask, severity, column, values, message) -> None:
        """One problem per row of ``rows`` where ``mask`` holds (problem rows only are visited)."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            text = message(values.iat[i]) if callable(message) else message
            where = (rows["sheet"].iat[i], rows["sheet_row"].iat[i])
            self.add(severity, where, column, rows["record_id"].iat[i], values.iat[i], text)

    def frame(self) -> pd.DataFrame:
        table = pd.DataFrame(self.rows, columns=list(PROBLEM_COLUMNS))
        return table.astype({c: "Int64" if c == "row" else "string" for c in PROBLEM_COLUMNS})


def cell_text(rows: pd.DataFrame, name: str) -> pd.Series:
    """A returned column as stripped text, ``<NA>`` when blank or absent."""
    return stripped_text(column_or_na(rows, name))


def choice(raw: pd.Series, allowed: Iterable[str]) -> pd.Series:
    """Typed choices folded to the allowed spelling ("dung", "ĐÚNG" → "Đúng"); NA when not one."""
    spelled = {normalize_header(a): a for a in allowed}
    return raw.map(normalize_header, na_action="ignore").map(spelled).astype("string")


def returned_rows(
    path: Path,
    columns: dict[str, str],
    required: Iterable[str],
    problems: Problems,
    *,
    what: str,
    skip_sheets: Iterable[str] = (),
) -> pd.DataFrame:
    """The data rows of every sheet of ``path`` whose header holds the ``required`` labels.

    ``columns`` maps a header label to the name of its column in the result; the result also has
    ``sheet``, ``sheet_row`` (the row number Excel shows) and ``record_id`` (from the column named
    ``record_id``). ``what`` names the list in messages ("sổ rà soát", "danh sách đối chiếu").
    """
    folded = {normalize_header(label): name for label, name in columns.items()}
    wanted = {normalize_header(label) for label in required}
    parts = []
    for grid in iter_grids(path):
        cells = grid.cells
        header = next(
            (
                i
                for i in range(min(HEADER_ROWS, len(cells)))
                if wanted <= {normalize_header(v) for v in cells.iloc[i].dropna()}
            ),
            None,
        )
        if header is None:
            if grid.sheet not in set(skip_sheets) and cells.notna().to_numpy().any():
                listed = ", ".join(f"'{label}'" for label in required)
                problems.add(
                    "warning", (grid.sheet, None), None, None, None,
                    f"Bỏ qua trang tính không có dòng tiêu đề của {what} (cần cột {listed}). Nếu đây là "
                    "một phần của danh sách, đừng đổi tên hay xóa các cột.",
                )  # fmt: skip
            continue
        names_ = [folded.get(normalize_header(v)) for v in cells.iloc[header]]
        keep = [i for i, n in enumerate(names_) if n is not None]
        body = cells.iloc[header + 1 :]
        body = body[body.notna().any(axis=1)]
        rows = body.iloc[:, keep].set_axis([names_[i] for i in keep], axis=1)
        rows = rows.loc[:, ~rows.columns.duplicated()].reset_index(drop=True)
        rows["sheet"] = grid.sheet
        rows["sheet_row"] = body.index.to_numpy() + 1
        parts.append(rows)
    if not parts:
        problems.add(
            "error", (None, None), None, None, None,
            f"Tệp '{path.name}' không có trang tính nào của {what}: hãy gửi lại đúng tệp đã nhận.",
        )  # fmt: skip
        return pd.DataFrame({"record_id": pd.Series(dtype="string"), "sheet": [], "sheet_row": []})
    rows = pd.concat(parts, ignore_index=True)
    rows["record_id"] = cell_text(rows, "record_id")
    return rows


def usable_rows(rows: pd.DataFrame, sent: pd.Index, problems: Problems, label: str) -> np.ndarray:
    """Rows with a record id that was sent, the first time it appears (``label``: its column)."""
    rid = rows["record_id"]
    blank, unknown = rid.isna(), rid.notna() & ~rid.isin(sent)
    repeated = rid.notna() & rid.duplicated(keep="first")
    problems.add_rows(
        rows, blank, "error", label, rid,
        "Dòng không có mã đối tượng: điền lại đúng mã như trong tệp đã gửi, không thêm dòng mới.",
    )  # fmt: skip
    problems.add_rows(
        rows, unknown, "error", label, rid,
        "Mã đối tượng không có trong danh sách đã gửi: kiểm tra lại mã (không sửa cột này).",
    )  # fmt: skip
    problems.add_rows(
        rows,
        repeated,
        "error",
        label,
        rid,
        "Mã đối tượng xuất hiện nhiều lần: giữ một dòng cho mỗi người.",
    )
    return (~blank & ~unknown & ~repeated).to_numpy(dtype=bool)


def person_values(typed: pd.DataFrame) -> pd.DataFrame:
    """Typed person fields (full_name, dob, sex, id_number) in the form screening writes them when
    they can be read (title-case name, dd/mm/yyyy, Nam/Nữ, an ID without separators); a value that
    cannot be read is kept as typed, and screening says why. Blank stays blank."""
    parsed = dates.parse_dates(typed["dob"])
    dob = dob_text(parsed["date"], parsed["precision"])
    id_info = ids.classify_ids(typed["id_number"])
    id_ok = id_info["id_kind"].isin(["cccd", "cmnd", "passport"]).to_numpy()
    return pd.DataFrame(
        {
            "full_name": names.normalize_series(typed["full_name"]).astype("string"),
            "dob": dob.fillna(typed["dob"]),
            "sex": sex.normalize_series(typed["sex"]).astype("string").fillna(typed["sex"]),
            "id_number": id_info["id_compact"].astype("string").where(id_ok, typed["id_number"]),
        },
        index=typed.index,
    ).where(typed.notna())


_DATE_CELL = r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00)?$"


def date_cells(typed: pd.Series, original: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Birth dates typed where text was asked, but stored by Excel as a date cell (read as ISO).

    Excel may have read "05/03/1990" month-first, so such a cell is taken only when it cannot be
    read both ways (day > 12) or when it is the date the list already held; otherwise the value is
    dropped and the returned mask says which rows must be confirmed. Nothing is swapped silently.

    >>> typed = pd.Series(["1990-03-15", "1990-03-05", "1990-03-05", "05/03/1990"], dtype="string")
    >>> original = pd.Series(["15/03/1990", "01/01/1990", "05/03/1990", None], dtype="string")
    >>> kept, unsure = date_cells(typed, original)
    >>> kept.tolist(), unsure.tolist()
    (['15/03/1990', <NA>, '05/03/1990', '05/03/1990'], [False, True, False, False])
    """
    parts = typed.astype("string").str.extract(_DATE_CELL)
    is_cell = parts[0].notna().to_numpy()
    as_text = (parts[2] + "/" + parts[1] + "/" + parts[0]).astype("string")
    day = pd.to_numeric(parts[2], errors="coerce")
    same = as_text.eq(original.astype("string")).fillna(False).to_numpy(dtype=bool)
    sure = is_cell & ((day > 12).fillna(False).to_numpy(dtype=bool) | same)
    unsure = is_cell & ~sure
    kept = typed.astype("string").copy()
    kept[sure] = as_text[sure]
    kept[unsure] = pd.NA
    return kept, unsure


def typed_person_values(
    rows: pd.DataFrame, before_dob: pd.Series, problems: Problems, dob_label: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The person values typed in a returned list's fill-in columns (``filled_<field>``), with a
    birth date typed as an Excel date cell kept only when it is sure (:func:`date_cells`); the
    others are reported on their row (column ``dob_label``) for the person to confirm."""
    typed = pd.DataFrame({f: cell_text(rows, f"filled_{f}") for f in PERSON_FIELDS})
    typed["dob"], unsure = date_cells(typed["dob"], before_dob)
    problems.add_rows(
        rows, unsure, "error", dob_label, cell_text(rows, "filled_dob"),
        lambda v: f"Ngày sinh '{v}' là ô ngày của Excel, có thể đã bị đảo ngày và tháng: ghi lại dạng "
        "văn bản ngày/tháng/năm (ví dụ 05/03/1990) để xác nhận.",
    )  # fmt: skip
    return typed, unsure


def platform_values(rows: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The person fields of each row's record exactly as the export (the platform) holds them.

    Screening keeps these cells as ``*_raw``; an older screening without them gives its
    normalised values instead.
    """
    base = records.set_index("record_id").reindex(rows["record_id"].to_numpy())
    shown = screened_values(rows, records)
    raw = {"full_name": "full_name_raw", "dob": "dob_raw", "sex": "sex_raw", "id_number": "id_raw"}
    return pd.DataFrame(
        {
            f: (column(base, name).to_numpy() if name in base.columns else shown[f].to_numpy())
            for f, name in raw.items()
        },
        index=rows.index,
    ).astype("string")


def screened_values(rows: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The person fields (and village) screening holds for each returned row's record."""
    base = records.set_index("record_id").reindex(rows["record_id"].to_numpy())
    return pd.DataFrame(
        {
            "full_name": column(base, "full_name").to_numpy(),
            "dob": dob_text(column(base, "dob"), column(base, "dob_precision", "day")).to_numpy(),
            "sex": column(base, "sex").to_numpy(),
            "id_number": column(base, "id_raw").fillna(column(base, "id_compact")).to_numpy(),
            "village": column(base, "village").to_numpy(),
        },
        index=rows.index,
    ).astype("string")


def changed_fields(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Which person field of each row changed (a value where there was none counts)."""
    return pd.DataFrame(
        {
            f: after[f].ne(before[f]).fillna(after[f].notna()).to_numpy(dtype=bool)
            for f in PERSON_FIELDS
        },
        index=after.index,
    )


def rescreen(
    rows: pd.DataFrame,
    after: pd.DataFrame,
    changed: pd.DataFrame,
    export_date: date | None,
    problems: Problems,
    label_of: dict[str, str],
    strict: np.ndarray | None = None,
) -> None:
    """Screen every changed record again; what is still wrong goes back to whoever changed it.

    ``label_of`` gives the column where each person field was corrected. A problem on a changed
    field keeps screening's severity; one on a field nobody touched is a warning, except on the
    ``strict`` rows (screened even when unchanged): whoever answered "fix" vouches for the whole
    record, so its errors stay errors (what the step's data contract requires).
    """
    strict = np.zeros(len(rows), dtype=bool) if strict is None else np.asarray(strict, dtype=bool)
    fixed = changed.any(axis=1).to_numpy() | strict
    if not fixed.any():
        return
    records = after.loc[fixed, list(PERSON_FIELDS)].assign(
        record_id=rows.loc[fixed, "record_id"].to_numpy(),
        source_row=np.flatnonzero(fixed),  # position in ``rows``, to find the row again
    )
    found = screen(Export(records=records, doses=pd.DataFrame()), export_date=export_date).findings
    found = found[
        found["severity"].isin(["error", "warning"])
        & found["field"].isin(PERSON_FIELDS)
        & found["category"].isin(["missing_id", "id_format", "personal_info"])
    ]
    at = found["source_row"].to_numpy(dtype=np.int64)
    touched = changed.to_numpy()[at, [list(PERSON_FIELDS).index(f) for f in found["field"]]]
    for i, row in enumerate(found.itertuples(index=False)):  # a handful per commune
        where = (rows["sheet"].iat[at[i]], rows["sheet_row"].iat[at[i]])
        if touched[i]:
            text, severity = f"Thông tin sửa chưa đúng: {row.message}", row.severity
        elif strict[at[i]] and row.severity == "error":
            text, severity = f"Hồ sơ ghi 'Sửa' vẫn còn lỗi: {row.message}", "error"
        else:
            text, severity = f"Hồ sơ đã sửa vẫn còn lỗi chưa sửa: {row.message}", "warning"
        problems.add(severity, where, label_of[row.field], row.record_id, row.value, text)


def change_log(
    rows: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    changed: pd.DataFrame,
    *,
    source: str,
    who: pd.Series,
) -> pd.DataFrame:
    """Every changed cell: record, field, old and new value, source, who, when, sheet and row."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    parts = [
        pd.DataFrame(
            {
                "record_id": rows["record_id"],
                "field": field,
                "old_value": before[field],
                "new_value": after[field],
                "source": source,
                "who": who,
                "when": when,
                "sheet": rows["sheet"],
                "sheet_row": rows["sheet_row"],
            }
        )[changed[field].to_numpy()]
        for field in PERSON_FIELDS
    ]
    table = pd.concat(parts, ignore_index=True).sort_values(["sheet", "sheet_row"], kind="stable")
    types = {c: "Int64" if c == "sheet_row" else "string" for c in CHANGE_COLUMNS}
    return table.reset_index(drop=True).astype(types)
