"""Lay a synthetic commune out the way platform and commune exports look.

Two layouts (DESIGN §3.1): **wide**, one row per person with "Mũi 1 - Tên vắc xin",
"Mũi 1 - Ngày tiêm", … column groups; **long**, one row per dose with a "Mũi" column. Headers are
drawn per commune from the usual Vietnamese wordings ("Họ và tên"/"Họ tên", "Số CMND/CCCD"/"Số
định danh"…), some communes add an "STT" column or leave out optional ones, and 2–4 title rows
sit above the header. Every cell is text (or empty); dates are ``dd/mm/yyyy``.

>>> style = HeaderStyle.draw(np.random.default_rng(0))
>>> style.labels["full_name"] in ("Họ và tên", "Họ tên")
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaxutils.synth.inject import format_dates

PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "record_id": ("Mã đối tượng", "Mã ĐT", "ID"),
    "full_name": ("Họ và tên", "Họ tên"),
    "dob": ("Ngày sinh", "Ngày tháng năm sinh"),
    "sex": ("Giới tính",),
    "id_number": ("Số CMND/CCCD", "CMND/CCCD", "Số CCCD", "Số định danh", "Số giấy tờ tùy thân"),
    "phone": ("Số điện thoại", "SĐT"),
    "insurance_no": ("Số thẻ BHYT", "Mã số BHXH"),
    "province": ("Tỉnh/Thành phố",),
    "district": ("Quận/Huyện",),
    "commune": ("Xã/Phường/Thị trấn",),
    "village": ("Thôn/Ấp/Tổ/Bản", "Thôn/Ấp", "Thôn/Tổ dân phố"),
    "commune_code": ("Mã xã",),
}
DOSE_HEADERS: dict[str, tuple[str, ...]] = {
    "dose_number": ("Mũi", "Mũi tiêm"),
    "vaccine": ("Tên vắc xin", "Loại vắc xin"),
    "lot": ("Số lô",),
    "dose_date": ("Ngày tiêm",),
    "facility": ("Cơ sở tiêm", "Cơ sở tiêm chủng"),
    "facility_level": ("Tuyến",),
}
_OPTIONAL = ("phone", "insurance_no", "province", "district", "commune_code")
_WIDE_PATTERNS = ("Mũi {k} - {label}", "{label} mũi {k}")


@dataclass(frozen=True)
class HeaderStyle:
    """The header wording, optional columns and title rows of one commune's export."""

    labels: dict[str, str]
    dose_labels: dict[str, str]
    person_fields: tuple[str, ...]
    with_stt: bool
    wide_pattern: str
    n_title_rows: int

    @classmethod
    def draw(cls, rng: np.random.Generator) -> HeaderStyle:
        labels = {f: str(rng.choice(options)) for f, options in PERSON_HEADERS.items()}
        dose_labels = {f: str(rng.choice(options)) for f, options in DOSE_HEADERS.items()}
        dropped = {f for f in _OPTIONAL if rng.random() < 0.3}
        fields = tuple(f for f in PERSON_HEADERS if f not in dropped)
        return cls(
            labels=labels,
            dose_labels=dose_labels,
            person_fields=fields,
            with_stt=bool(rng.random() < 0.5),
            wide_pattern=str(rng.choice(_WIDE_PATTERNS, p=[0.8, 0.2])),
            n_title_rows=int(rng.integers(2, 5)),
        )


def title_rows(style: HeaderStyle, commune: dict, export_date) -> list[str]:
    """The lines above the header ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "DANH SÁCH …")."""
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM VẮC XIN PHÒNG COVID-19",
        f"{commune['name']}, {commune['district_name']}, {commune['province_name']} — "
        f"dữ liệu xuất ngày {export_date:%d/%m/%Y}",
    ]
    if style.n_title_rows == 2:
        return [lines[2], lines[3]]
    if style.n_title_rows == 3:
        return [lines[0], lines[2], lines[3]]
    return lines


def _person_block(
    records: pd.DataFrame, style: HeaderStyle, commune: dict
) -> dict[str, np.ndarray]:
    values = {
        "province": commune["province_name"],
        "district": commune["district_name"],
        "commune": commune["name"],
        "commune_code": commune["commune_code"],
    }
    n = len(records)
    out = {}
    for field in style.person_fields:
        if field in records:
            column = records[field].to_numpy(dtype=object, copy=True)
            column[pd.isna(column)] = None  # NaN/NA from pandas columns: an empty cell
            out[style.labels[field]] = column
        else:
            out[style.labels[field]] = np.full(n, values[field], dtype=object)
    return out


def _dose_text(doses: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {
        f: doses[f].to_numpy(dtype=object) for f in ("vaccine", "lot", "facility", "facility_level")
    }
    out["dose_date"] = format_dates(doses["dose_date"].to_numpy())
    out["dose_number"] = doses["dose_number"].astype(int).astype(str).to_numpy(dtype=object)
    return out


DOSE_FIELDS = ("dose_number", "vaccine", "lot", "dose_date", "facility", "facility_level")


def render(
    records: pd.DataFrame, doses: pd.DataFrame, layout: str, style: HeaderStyle, commune: dict
) -> pd.DataFrame:
    """The export frame exactly as it is written: header labels, text cells, empty = None."""
    if layout not in ("wide", "long"):
        raise ValueError(
            f"layout phải là 'wide' hoặc 'long' (layout must be wide or long): {layout!r}"
        )
    columns = _person_block(records, style, commune)
    dose_text = _dose_text(doses)
    # row of each dose's record (positional: no string reindexing on millions of rows)
    row = pd.Index(records["record_id"]).get_indexer(doses["record_id"])
    number = doses["dose_number"].to_numpy().astype(int)
    n = len(records)
    if layout == "wide":
        for k in sorted(set(number.tolist())):
            at = number == k
            for field in DOSE_FIELDS[1:]:
                label = style.wide_pattern.format(k=k, label=style.dose_labels[field])
                column = np.full(n, None, dtype=object)
                column[row[at]] = dose_text[field][at]
                columns[label] = column
    else:
        order = np.lexsort((number, row))
        take = row[order]
        columns = {label: values[take] for label, values in columns.items()}
        for field in DOSE_FIELDS:
            columns[style.dose_labels[field]] = dose_text[field][order]
    frame = pd.DataFrame(columns, dtype=object)
    if style.with_stt:
        frame.insert(0, "STT", pd.Series((np.arange(len(frame)) + 1).astype(str), dtype=object))
    return frame
