"""Decide which column holds which canonical field, and load a user's ``--columns`` file.

A mapping file overrides the automatic matching when a commune's headers are unusual::

    # mapping.yml — {canonical name: "header as it appears in the file"}
    full_name: "Tên người được tiêm"
    id_number: "CCCD (mới)"
    vaccine_1: "VX lần đầu"        # wide exports: <dose field>_<dose number>

>>> from vaxutils.io.headers import HeaderSpec
>>> spec = HeaderSpec(0, 0, ["STT", "Họ tên", "NS", "CCCD"],
...                   [("ignore", None), ("full_name", None), ("dob", None), ("id_number", None)])
>>> resolve_columns(spec, {}, path="ds.xlsx", sheet="Sheet1")
{('full_name', None): 1, ('dob', None): 2, ('id_number', None): 3}
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz

from vaxutils.io.errors import IngestError
from vaxutils.io.headers import (
    IGNORED,
    REQUIRED_FIELDS,
    HeaderSpec,
    Key,
    aliases,
    key_label_vi,
    key_name,
    mapping_key,
    normalize_header,
    same_header,
)
from vaxutils.schema import CANONICAL_FIELDS


def load_column_mapping(path: str | os.PathLike) -> dict[str, str]:
    """Read a ``{canonical_name: "Header as it appears"}`` YAML file, checking the names.

    Unknown canonical names, non-text headers and one header given for two fields raise
    :class:`IngestError` naming them. Whether the headers exist is checked against the export.
    """
    p = Path(path)
    hint_vi = 'Tệp ánh xạ cột phải có dạng: full_name: "Họ và tên" (mỗi dòng một trường).'
    hint_en = 'A column mapping file looks like: full_name: "Họ và tên" (one field per line).'
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise IngestError(
            "mapping_missing",
            "không tìm thấy tệp ánh xạ cột",
            "column mapping file not found",
            path=p,
            hint_vi=hint_vi,
            hint_en=hint_en,
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise IngestError(
            "mapping_invalid",
            f"tệp ánh xạ cột không đọc được ({type(exc).__name__})",
            f"the column mapping file cannot be read ({type(exc).__name__})",
            path=p,
            hint_vi=hint_vi,
            hint_en=hint_en,
        ) from None
    if not isinstance(data, dict) or not data:
        raise IngestError(
            "mapping_invalid",
            "tệp ánh xạ cột không phải danh sách 'trường: tiêu đề cột'",
            "the column mapping file is not a list of 'field: header'",
            path=p,
            hint_vi=hint_vi,
            hint_en=hint_en,
        )
    return validate_mapping(data, path=p)


def validate_mapping(data: dict, path: str | os.PathLike | None = None) -> dict[str, str]:
    """Check a mapping given in code (same rules as :func:`load_column_mapping`); return a copy."""
    unknown = [str(k) for k in data if not isinstance(k, str) or mapping_key(k) is None]
    if unknown:
        raise IngestError(
            "mapping_unknown_field",
            f"tên trường không hợp lệ: {', '.join(unknown)}",
            f"unknown field names: {', '.join(unknown)}",
            path=path,
            hint_vi=f"Tên trường hợp lệ: {', '.join(CANONICAL_FIELDS)} (và vaccine_1, dose_date_2...).",
            hint_en=f"Valid names: {', '.join(CANONICAL_FIELDS)} (and vaccine_1, dose_date_2...).",
        )
    bad = [k for k, v in data.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise IngestError(
            "mapping_invalid",
            f"thiếu tiêu đề cột cho: {', '.join(bad)}",
            f"no header text given for: {', '.join(bad)}",
            path=path,
            hint_vi="Ghi tiêu đề cột trong ngoặc kép, đúng như trong tệp.",
            hint_en="Write the header in quotes, as it appears in the file.",
        )
    seen: dict[str, str] = {}
    for name, header in data.items():
        folded = normalize_header(header)
        if folded in seen:
            raise IngestError(
                "mapping_invalid",
                f"cột '{header}' được gán cho cả {seen[folded]} và {name}",
                f"column '{header}' is given for both {seen[folded]} and {name}",
                path=path,
            )
        seen[folded] = name
    return {str(k): str(v) for k, v in data.items()}


def _closest(labels: list[str | None], field: str, limit: int = 3) -> list[str]:
    targets = [normalize_header(a) for a in (*aliases().get(field, ()), field)]
    scored = []
    for label in {lab for lab in labels if lab}:
        norm = normalize_header(label)
        score = max(fuzz.WRatio(norm, t) for t in targets) if norm else 0
        if score >= 60:
            scored.append((score, label))
    return [label for _, label in sorted(scored, reverse=True)[:limit]]


def _column_name(labels: list[str | None], i: int) -> str:
    return f"{labels[i]} ({get_column_letter(i + 1)})"


def resolve_columns(
    header: HeaderSpec,
    overrides: dict[Key, str],
    *,
    path: str | os.PathLike | None,
    sheet: str | None,
) -> dict[Key, int]:
    """Return ``{(field, dose): column position}``; raise if a header is missing or ambiguous."""
    labels, row = header.labels, header.first_row + 1
    claimed: dict[Key, int] = {}
    for key, wanted in overrides.items():
        found = [i for i, label in enumerate(labels) if same_header(label, wanted)]
        if not found:
            close = _closest(labels, key[0]) or [lab for lab in labels if lab][:5]
            raise IngestError(
                "mapping_header_missing",
                f"không có cột '{wanted}' (ánh xạ cho {key_name(key)})",
                f"there is no column '{wanted}' (mapped to {key_name(key)})",
                path=path,
                sheet=sheet,
                row=row,
                hint_vi=f"Các tiêu đề gần giống trong tệp: {', '.join(close)}.",
                hint_en=f"Similar headers in the file: {', '.join(close)}.",
            )
        claimed[key] = found[0]
    columns: dict[Key, list[int]] = {}
    for i, key in enumerate(header.keys):
        if key is None or key[0] == IGNORED or i in claimed.values() or key in claimed:
            continue
        columns.setdefault(key, []).append(i)
    for key, positions in columns.items():
        if len(positions) > 1:
            names = ", ".join(_column_name(labels, i) for i in positions)
            raise IngestError(
                "duplicate_header",
                f"nhiều cột cùng là '{key_label_vi(key)}': {names}",
                f"several columns mean '{key_name(key)}': {names}",
                path=path,
                sheet=sheet,
                row=row,
                column=labels[positions[1]],
                hint_vi=f'Xóa cột thừa, hoặc chọn một cột bằng --columns (ví dụ {key_name(key)}: "{labels[positions[0]]}").',
                hint_en=f'Delete the extra column, or pick one with --columns ({key_name(key)}: "{labels[positions[0]]}").',
            )
    resolved = {key: positions[0] for key, positions in columns.items()} | claimed
    missing = [f for f in REQUIRED_FIELDS if (f, None) not in resolved]
    if missing:
        field = missing[0]
        close = _closest(labels, field)
        found = f"Cột gần giống: {', '.join(close)}." if close else "Không có cột nào gần giống."
        found_en = f"Closest headers: {', '.join(close)}." if close else "No similar header."
        names_vi = ", ".join(f"'{key_label_vi((f, None))}'" for f in missing)
        raise IngestError(
            "required_column_missing",
            f"thiếu cột bắt buộc {names_vi}",
            f"required column(s) missing: {', '.join(missing)}",
            path=path,
            sheet=sheet,
            row=row,
            hint_vi=f'{found} Đổi tên cột cho đúng hoặc dùng --columns (ví dụ {field}: "Tên cột").',
            hint_en=f'{found_en} Rename the column or use --columns ({field}: "Header").',
        )
    return dict(sorted(resolved.items(), key=lambda item: item[1]))


def overrides_from(columns: dict[str, str] | str | os.PathLike | None) -> dict[Key, str]:
    """``columns`` as given to ``read_export`` (a mapping, a YAML path or None) as header overrides."""
    if columns is None:
        return {}
    mapping = (
        validate_mapping(columns) if isinstance(columns, dict) else load_column_mapping(columns)
    )
    return {mapping_key(name): header for name, header in mapping.items()}
