"""The other shapes real files come in, made from synthetic communes.

- :func:`district_export`: several communes in one file that **names** each person's commune,
  district and province (no ``Mã xã``), typed the way people type them (with or without ``Xã``/
  ``Huyện``/``Tỉnh``, upper or lower case, the other tone placement, decomposed Unicode, without
  diacritics), plus a few rows whose commune cannot be told (blank, or a name that exists nowhere).
- :func:`registry_extract`: a population-registry extract as the commune police hand it over
  (title rows, Vietnamese headers, no person id, some 9-digit CMNDs, a few malformed values).
- :func:`template_export`: a commune's list kept in the platform's import template (rows 1–8 of
  the template, data from row 9, sex 0/1, codes, PL5 vaccine names, PL4 site codes).
- :func:`fill_import_results`: an import file as the platform sends it back, AH/AI filled.

Every function returns the frame (or writes the file) and the truth a test needs.

>>> from vaxutils.synth import ErrorRates, generate_commune
>>> sc = generate_commune("01420", n_persons=30, seed=1, rates=ErrorRates.none())
>>> frame, truth = district_export([sc], np.random.default_rng(0), n_unplaceable=2)
>>> {"Xã/Phường/Thị trấn", "Quận/Huyện", "Tỉnh/Thành phố"} <= set(frame.columns), "Mã xã" in frame.columns
(True, False)
>>> int(truth["placeable"].sum()), len(truth)
(28, 30)
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from vaxutils.io import write_atomic
from vaxutils.io.headers import header_key, key_name
from vaxutils.io.platform_template import FIRST_DATA_ROW, SHEET, TEMPLATE_FIELDS
from vaxutils.refdata import commune as commune_info
from vaxutils.refdata.platform import platform_commune, platform_vaccine, site_codes
from vaxutils.sex import normalize_series as normalize_sex
from vaxutils.synth.commune import SynthCommune, _write_csv_with_titles
from vaxutils.synth.inject import ascii_fold
from vaxutils.synth.names import to_new_tone_style, to_old_tone_style
from vaxutils.synth.render import DOSE_HEADERS, PERSON_HEADERS
from vaxutils.synth.workbook import write_export_xlsx

REGISTRY_HEADERS = {
    "id_number": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "village": "Thôn/Ấp",
    "commune_code": "Mã xã",
    "commune": "Xã/Phường",
}
IMPORT_FAILURES = (
    "Số CCCD/Mã định danh đã tồn tại trên hệ thống",
    "Ngày sinh không đúng định dạng dd/mm/yyyy",
    "Mã cơ sở KCB không tồn tại",
    "Số điện thoại không hợp lệ",
)
_PREFIXES = {
    "commune": ("Xã", "Phường", "Thị trấn"),
    "district": ("Huyện", "Quận", "Thị xã", "Thành phố"),
}


def canonical_export(sc: SynthCommune) -> pd.DataFrame:
    """A synthetic export (wide layout) with canonical column names (``vaccine_1``...)."""
    if sc.layout != "wide":
        raise ValueError("only wide exports (one row per person) can be reshaped")
    names = {}
    for label in sc.export.columns:
        key = header_key(label)
        if key is not None and key[0] != "ignore":
            names[label] = key_name(key)
    frame = sc.export[list(names)].rename(columns=names)
    # numbers Excel stored as numbers become their text: these shapes are about headers and places
    return frame.map(lambda v: str(v) if isinstance(v, int | np.integer) else v)


def _bare(name: str, level: str) -> str:
    for prefix in _PREFIXES.get(level, ()):
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _spellings(name: str, level: str) -> list[str]:
    """Ways people type one place name (all of them mean the same place)."""
    bare = _bare(name, level)
    return [
        name,
        bare,
        name.lower(),
        bare.upper(),
        unicodedata.normalize("NFD", name),
        to_new_tone_style(name),
        to_old_tone_style(bare),
        ascii_fold(name),
        {"commune": "X. ", "district": "H. "}.get(level, "") + bare,
    ]


def district_export(
    communes: list[SynthCommune], rng: np.random.Generator, n_unplaceable: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One file holding the people of several communes, each row naming its commune, district and
    province (no code). Returns the frame (Vietnamese headers, text) and the truth: record_id,
    commune_code (the person's real commune), placeable (False for the rows made unplaceable)."""
    parts, truths = [], []
    for sc in communes:
        frame = canonical_export(sc).drop(
            columns=["commune_code", "commune", "district", "province"], errors="ignore"
        )
        info = commune_info(sc.commune_code)
        n = len(frame)
        for level, name in (
            ("commune", info["name"]),
            ("district", info["district_name"]),
            ("province", info["province_name"]),
        ):
            options = np.array(_spellings(name, level), dtype=object)
            frame[level] = options[rng.integers(0, len(options), n)]
        parts.append(frame)
        truths.append(
            pd.DataFrame({"record_id": frame["record_id"], "commune_code": sc.commune_code})
        )
    frame = pd.concat(parts, ignore_index=True)
    truth = pd.concat(truths, ignore_index=True)
    truth["placeable"] = True
    bad = rng.choice(len(frame), size=min(n_unplaceable, len(frame)), replace=False)
    for i, row in enumerate(bad):
        if i % 2 == 0:
            frame.loc[row, ["commune", "district", "province"]] = None
        else:
            frame.loc[row, "commune"] = "Xã Không Có Thật"
    truth.loc[bad, "placeable"] = False
    order = rng.permutation(len(frame))  # a district file is not sorted by commune
    frame, truth = (
        frame.iloc[order].reset_index(drop=True),
        truth.iloc[order].reset_index(drop=True),
    )
    labels = {f: options[0] for f, options in PERSON_HEADERS.items()}
    dose = {f: options[0] for f, options in DOSE_HEADERS.items()}

    def label(name: str) -> str:
        if name in labels:
            return labels[name]
        field, _, k = name.rpartition("_")
        return f"Mũi {k} - {dose[field]}"

    return frame.rename(columns={c: label(c) for c in frame.columns}), truth


def registry_extract(
    sc: SynthCommune, rng: np.random.Generator, n_malformed: int = 3, cmnd_share: float = 0.1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The commune's registry as the police hand it over: Vietnamese headers, dd/mm/yyyy dates,
    Nam/Nữ, no person id; some people by their 9-digit CMND; ``n_malformed`` rows with a value
    that cannot be used. Returns the frame and the truth (row position, field, value) of the
    malformed values."""
    reg = sc.registry.reset_index(drop=True)
    info = commune_info(sc.commune_code)
    number = reg["id_number"].astype(object).to_numpy(copy=True)
    has_cmnd = reg["cmnd"].notna().to_numpy()
    use_cmnd = has_cmnd & (rng.random(len(reg)) < cmnd_share)
    number[use_cmnd] = reg["cmnd"].to_numpy()[use_cmnd]
    frame = pd.DataFrame(
        {
            REGISTRY_HEADERS["id_number"]: number,
            REGISTRY_HEADERS["full_name"]: reg["full_name"].to_numpy(),
            REGISTRY_HEADERS["dob"]: pd.to_datetime(reg["dob"]).dt.strftime("%d/%m/%Y").to_numpy(),
            REGISTRY_HEADERS["sex"]: reg["sex"].to_numpy(),
            REGISTRY_HEADERS["village"]: reg["village"].to_numpy(),
            REGISTRY_HEADERS["commune_code"]: reg["commune_code"].to_numpy(),
            REGISTRY_HEADERS["commune"]: info["name"],
        },
        dtype=object,
    )
    rows = rng.choice(len(frame), size=min(n_malformed, len(frame)), replace=False)
    damage = (
        ("id_number", lambda v: str(v)[:3] + "A" + str(v)[4:]),
        ("dob", lambda v: "31/02/19xx"),
        ("sex", lambda v: "X"),
    )
    truth = []
    for i, row in enumerate(rows):
        field, make = damage[i % len(damage)]
        header = REGISTRY_HEADERS[field]
        frame.loc[row, header] = make(frame.loc[row, header])
        truth.append({"position": int(row), "field": field, "value": frame.loc[row, header]})
    return frame, pd.DataFrame(truth, columns=["position", "field", "value"])


def registry_titles(sc: SynthCommune) -> list[str]:
    info = commune_info(sc.commune_code)
    return [
        "TRÍCH XUẤT CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ",
        f"Công an {info['name']}, {info['district_name']}, {info['province_name']}",
    ]


def template_export(sc: SynthCommune, priority_group: str = "15") -> pd.DataFrame:
    """A commune's list kept in the platform's import template (:data:`TEMPLATE_FIELDS`, text)."""
    frame = canonical_export(sc).reset_index(drop=True)
    place = platform_commune(sc.commune_code)
    out = pd.DataFrame(index=frame.index, columns=list(TEMPLATE_FIELDS), dtype="string")
    out["stt"] = (frame.index + 1).astype(str)
    for field in ("full_name", "dob", "id_number", "phone", "insurance_no"):
        if field in frame.columns:
            out[field] = frame[field].astype("string")
    out["sex"] = normalize_sex(frame["sex"]).map({"Nam": "0", "Nữ": "1"}).astype("string")
    out["priority_group"] = priority_group
    for field, value in place.items():
        out[field] = value
    out["address"] = frame["village"].astype("string") if "village" in frame.columns else pd.NA
    for k in range(1, 5):
        if f"vaccine_{k}" not in frame.columns:
            continue
        vaccine = frame[f"vaccine_{k}"].astype("string")
        out[f"vaccine_{k}"] = platform_vaccine(vaccine).fillna(vaccine)
        out[f"dose_date_{k}"] = frame[f"dose_date_{k}"].astype("string")
        out[f"lot_{k}"] = frame.get(f"lot_{k}", pd.Series(pd.NA, index=frame.index)).astype(
            "string"
        )
        facility = frame.get(f"facility_{k}", pd.Series(pd.NA, index=frame.index)).astype("string")
        out[f"site_{k}"] = site_codes(facility, province=place["province"])["code"].fillna(facility)
    return out


def fill_import_results(
    path: str | os.PathLike, out_path: str | os.PathLike, rng: np.random.Generator, fail_share=0.25
) -> pd.DataFrame:
    """Write ``out_path``: the import file at ``path`` with AH/AI filled as the platform does.
    Returns the truth per data row: source_row, result (imported | failed), reason."""
    book = load_workbook(path)
    sheet = book[SHEET]
    truth = []
    ah, ai = (
        TEMPLATE_FIELDS.index("import_failed") + 1,
        TEMPLATE_FIELDS.index("import_succeeded") + 1,
    )
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, 2).value is None:
            continue
        if rng.random() < fail_share:
            reason = str(rng.choice(IMPORT_FAILURES))
            sheet.cell(row, ah).value = reason
            truth.append((row, "failed", reason))
        else:
            sheet.cell(row, ai).value = "Thành công"
            truth.append((row, "imported", "Thành công"))
    write_atomic(out_path, lambda tmp: book.save(tmp))
    return pd.DataFrame(truth, columns=["source_row", "result", "reason"])


def write_registry_extract(path: str | os.PathLike, frame: pd.DataFrame, titles: list[str]) -> Path:
    """Write a registry extract as xlsx or csv (by the suffix), titles above the header."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _write_csv_with_titles(path, frame, titles)
    return write_export_xlsx(path, frame, titles)
