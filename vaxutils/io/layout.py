"""Turn the rows under the header into one table of records and one of doses.

Exports come in two layouts. **Wide**: one row per person, with a group of columns per dose
("Mũi 1 - Tên vắc xin", "Mũi 1 - Ngày tiêm", ..., "Mũi 4 - Tuyến"); the groups are unpivoted to
one row per dose and empty groups dropped. **Long**: one row per dose with a "Mũi" column; rows
are grouped into records by record id, each person field taken from the record's first row that
fills it. A row whose person field says something else is kept in ``Split.conflicts`` (record id,
row, field, its value, the value used), so that screening lists it instead of losing it.

>>> body = pd.DataFrame([["R1", "An", "1990", "Pfizer", "2021-09-01", None, None]],
...                     index=[4], dtype="string")
>>> columns = {("record_id", None): 0, ("full_name", None): 1, ("dob", None): 2,
...            ("vaccine", 1): 3, ("dose_date", 1): 4, ("vaccine", 2): 5, ("dose_date", 2): 6}
>>> split = split_records(body, columns)
>>> split.layout, split.records[["record_id", "full_name", "source_row"]].to_dict("records")
('wide', [{'record_id': 'R1', 'full_name': 'An', 'source_row': 5}])
>>> split.doses[["record_id", "dose_number", "vaccine", "dose_date"]].to_dict("records")
[{'record_id': 'R1', 'dose_number': '1', 'vaccine': 'Pfizer', 'dose_date': '2021-09-01'}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from vaxutils.io.cells import TEXT_DTYPE
from vaxutils.io.errors import IngestWarning
from vaxutils.io.headers import Key
from vaxutils.schema import DOSE_FIELDS, PERSON_FIELDS

DOSE_COLUMNS: tuple[str, ...] = ("record_id", "source_row", *DOSE_FIELDS)
RECORD_COLUMNS: tuple[str, ...] = (*PERSON_FIELDS, "source_row")
CONFLICT_COLUMNS: tuple[str, ...] = ("record_id", "source_row", "field", "value", "used")
# A dose exists when one of these is filled; a bare dose number or level is not a dose.
_DOSE_EVIDENCE = ("vaccine", "lot", "dose_date", "facility")
_SHOW = 10  # how many record ids a warning names before "..."


@dataclass
class Split:
    records: pd.DataFrame
    doses: pd.DataFrame
    layout: str  # "wide" | "long" | "none" (no dose columns at all)
    warnings: list[IngestWarning] = field(default_factory=list)
    conflicts: pd.DataFrame = field(default_factory=lambda: empty_conflicts())  # defined below


def empty_conflicts() -> pd.DataFrame:
    """No conflicting rows: the ``conflicts`` table with its columns and types."""
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c == "source_row" else TEXT_DTYPE) for c in CONFLICT_COLUMNS}
    )


def _column(body: pd.DataFrame, columns: dict[Key, int], key: Key) -> pd.Series:
    if key in columns and columns[key] < body.shape[1]:
        return body.iloc[:, columns[key]].astype(TEXT_DTYPE)
    return pd.Series(pd.NA, index=body.index, dtype=TEXT_DTYPE)


def _empty_doses() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=TEXT_DTYPE) for c in DOSE_COLUMNS})
    return frame.astype({"source_row": "int64"})


def _names(ids: pd.Series) -> str:
    shown = ", ".join(ids.astype(str).head(_SHOW))
    return shown + (", ..." if len(ids) > _SHOW else "")


def _generated_ids(source_row: pd.Series) -> pd.Series:
    return ("dong-" + source_row.astype(str)).astype(TEXT_DTYPE)


def _person_frame(body: pd.DataFrame, columns: dict[Key, int]) -> pd.DataFrame:
    frame = pd.DataFrame({f: _column(body, columns, (f, None)) for f in PERSON_FIELDS})
    frame["source_row"] = (body.index.to_numpy() + 1).astype("int64")
    return frame


def _finish_doses(doses: pd.DataFrame, *, by_number: bool) -> pd.DataFrame:
    doses = doses[doses[list(_DOSE_EVIDENCE)].notna().any(axis=1)]
    if by_number:  # long layout: rows of a record may come in any order
        order = pd.to_numeric(doses["dose_number"], errors="coerce")
        doses = doses.assign(_order=order).sort_values(["source_row", "_order"], kind="stable")
        doses = doses.drop(columns="_order")
    else:  # wide layout: groups were stacked in dose order, a stable sort keeps it
        doses = doses.sort_values("source_row", kind="stable")
    return doses.reset_index(drop=True)[list(DOSE_COLUMNS)]


def _wide(persons: pd.DataFrame, body: pd.DataFrame, columns: dict[Key, int]) -> pd.DataFrame:
    numbers = sorted({k[1] for k in columns if k[1] is not None})
    ids = persons[["record_id", "source_row"]].reset_index(drop=True)
    parts = []
    for n in numbers:  # one pass per dose group (at most a handful)
        fields = {
            f: _column(body, columns, (f, n)).reset_index(drop=True)
            for f in DOSE_FIELDS
            if f != "dose_number"
        }
        number = pd.Series(str(n), index=ids.index, dtype=TEXT_DTYPE)
        parts.append(ids.assign(dose_number=number, **fields))
    if not parts:
        return _empty_doses()
    return _finish_doses(pd.concat(parts, ignore_index=True), by_number=False)


def _long(persons: pd.DataFrame, body: pd.DataFrame, columns: dict[Key, int]) -> pd.DataFrame:
    fields = {f: _column(body, columns, (f, None)).reset_index(drop=True) for f in DOSE_FIELDS}
    doses = persons[["record_id", "source_row"]].reset_index(drop=True).assign(**fields)
    return _finish_doses(doses, by_number=True)


def _merge_rows(persons: pd.DataFrame, fields: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One record per record id (each field from the first row filling it) and the rows that differ."""
    grouped = persons.groupby("record_id", sort=False)
    records = grouped[["source_row", *fields]].first().reset_index()  # rows are in sheet order
    used = records.set_index("record_id")[fields].reindex(persons["record_id"].to_numpy())
    parts = []
    for name in fields:
        mine = persons[name].str.strip().to_numpy()
        kept = used[name].str.strip().to_numpy()
        differs = pd.notna(mine) & pd.notna(kept)
        differs[differs] = mine[differs] != kept[differs]
        if differs.any():
            rows = persons.loc[differs]
            parts.append(
                pd.DataFrame(
                    {
                        "record_id": rows["record_id"].to_numpy(),
                        "source_row": rows["source_row"].to_numpy(),
                        "field": name,
                        "value": rows[name].to_numpy(),
                        "used": used[name].to_numpy()[differs],
                    }
                )
            )
    if not parts:
        return records, empty_conflicts()
    conflicts = pd.concat(parts, ignore_index=True).sort_values(["source_row", "field"])
    return records, conflicts.astype(empty_conflicts().dtypes.to_dict()).reset_index(drop=True)


def _conflict_warning(conflicts: pd.DataFrame) -> IngestWarning:
    ids = pd.Series(conflicts["record_id"].unique())
    which = ", ".join(sorted(conflicts["field"].unique()))
    return IngestWarning(
        "person_fields_disagree",
        f"{len(ids)} mã đối tượng có thông tin cá nhân khác nhau giữa các dòng ({which}): "
        f"{_names(ids)}. Đã lấy giá trị ở dòng đầu tiên có điền; các dòng khác được liệt kê trong kết quả "
        f"sàng lọc. — {len(ids)} record ids have different person fields on different rows; the first "
        "filled value was used and the other rows are listed by screening.",
    )


def split_records(body: pd.DataFrame, columns: dict[Key, int]) -> Split:
    """Split the data rows (text, indexed by 0-based sheet row) into records and doses."""
    persons = _person_frame(body, columns)
    warnings: list[IngestWarning] = []
    numbered = any(k[1] is not None for k in columns)
    unnumbered = [k[0] for k in columns if k[0] in DOSE_FIELDS and k[1] is None]
    layout = "wide" if numbered else "long" if unnumbered else "none"
    missing_id = persons["record_id"].isna()
    if ("record_id", None) not in columns:
        if layout == "long":
            # Without ids, rows of one person are recognised by their identical person fields.
            keys = ["full_name", "dob", "id_number"]
            group = persons.groupby(keys, dropna=False, sort=False)["source_row"].transform("first")
            persons["record_id"] = _generated_ids(group)
        else:
            persons["record_id"] = _generated_ids(persons["source_row"])
        warnings.append(
            IngestWarning(
                "record_id_generated",
                "Tệp không có cột mã đối tượng: mã được tạo từ số dòng (dong-<số dòng>). — No record "
                "id column: ids were made from row numbers (dong-<row>).",
            )
        )
    elif missing_id.any():
        rows = persons.loc[missing_id, "source_row"]
        persons.loc[missing_id, "record_id"] = _generated_ids(rows)
        warnings.append(
            IngestWarning(
                "record_id_blank",
                f"{len(rows)} dòng không có mã đối tượng, đã tạo mã từ số dòng (dòng {_names(rows)}). "
                f"— {len(rows)} rows had no record id; ids were made from row numbers.",
            )
        )
    if layout == "wide":
        doses = _wide(persons, body, columns)
        if unnumbered:
            warnings.append(
                IngestWarning(
                    "dose_columns_unnumbered",
                    f"Bỏ qua cột mũi tiêm không ghi số mũi ({', '.join(unnumbered)}) vì tệp có các nhóm "
                    "cột Mũi 1, Mũi 2... — Ignored dose columns without a dose number in a wide export.",
                )
            )
    elif layout == "long":
        doses = _long(persons, body, columns)
    else:
        doses = _empty_doses()
    records, conflicts = persons, empty_conflicts()
    if layout == "long":
        person_fields = [f for f in PERSON_FIELDS if f != "record_id"]
        records, conflicts = _merge_rows(persons, person_fields)
        warnings += [_conflict_warning(conflicts)] if len(conflicts) else []
    else:
        repeated = persons["record_id"][persons["record_id"].duplicated(keep="first")].unique()
        if len(repeated):
            warnings.append(
                IngestWarning(
                    "record_id_repeated",
                    f"{len(repeated)} mã đối tượng xuất hiện trên nhiều dòng: {_names(pd.Series(repeated))}. "
                    f"— {len(repeated)} record ids appear on several rows.",
                )
            )
    records = records.reset_index(drop=True)[list(RECORD_COLUMNS)]
    return Split(records, doses, layout, warnings, conflicts)
