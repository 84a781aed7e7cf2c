"""One commune's people out of screening results that may hold several, for its workbooks.

``vaxutils screen`` run on a district's or a province's shared export without ``--commune`` leaves
a folder holding every commune. A review workbook or a passport list made from it by hand
(``vaxutils review out``, ``vaxutils passport``) goes to one commune's teams, so it must hold that
commune's people only, as its report does (``batch`` already cuts per commune).
:func:`one_commune` keeps the records of the commune asked for (by code, or by name as written in
the export) with their findings and doses; records with no commune code stay, as in the report (a
commune's own export often leaves it blank). When the results hold several communes and none was
asked for, it stops with a message listing them and asking for ``--commune``.

>>> import pandas as pd
>>> records = pd.DataFrame({"record_id": ["a", "b", "c"], "commune_code": ["01363", "01366", None],
...                         "commune": ["Xã Tân Lập", "Xã Quang Minh", None]})
>>> findings = pd.DataFrame({"record_id": ["a", "b"], "code": ["x", "y"]})
>>> mine = one_commune(records, findings, commune="Tân Lập")
>>> mine.records["record_id"].tolist(), mine.findings["record_id"].tolist()
(['a', 'c'], ['a'])
>>> one_commune(records, findings)
Traceback (most recent call last):
...
vaxutils.errors.VaxutilsError: Kết quả sàng lọc có 2 xã (01363 Xã Tân Lập, 01366 Xã Quang Minh): ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from vaxutils.errors import VaxutilsError
from vaxutils.io.headers import normalize_header

_CODE = re.compile(r"\d{5}")
_PREFIX = re.compile(r"^(?:xa|phuong|thi tran) ")


@dataclass
class OneCommune:
    """The records, findings and doses (``None`` when not given) of one commune."""

    records: pd.DataFrame
    findings: pd.DataFrame
    doses: pd.DataFrame | None
    code: str | None


def _fold(name: object) -> str:
    return _PREFIX.sub("", normalize_header(name))


def _codes(records: pd.DataFrame) -> pd.Series:
    if "commune_code" not in records.columns:
        return pd.Series(pd.NA, index=records.index, dtype="string")
    codes = records["commune_code"].astype("string").str.strip()
    return codes.mask(codes == "")


def _listed(records: pd.DataFrame, codes: pd.Series) -> str:
    names = records["commune"] if "commune" in records.columns else pd.Series(None, records.index)
    first = pd.DataFrame({"code": codes, "name": names}).dropna(subset=["code"])
    first = first.drop_duplicates("code").sort_values("code")
    return ", ".join(
        f"{c} {n}" if isinstance(n, str) and n.strip() else str(c)
        for c, n in zip(first["code"], first["name"], strict=True)
    )


def one_commune(
    records: pd.DataFrame,
    findings: pd.DataFrame,
    doses: pd.DataFrame | None = None,
    commune: str | None = None,
) -> OneCommune:
    """The part of screening results that belongs to ``commune`` (a 5-digit code or its name).

    Results of one commune come back whole. Raises :class:`~vaxutils.errors.VaxutilsError` when
    they hold several communes and ``commune`` is not given or names none of them.
    """
    codes = _codes(records)
    present = codes.dropna().unique()
    if len(present) <= 1:
        return OneCommune(records, findings, doses, present[0] if len(present) else None)
    wanted = (commune or "").strip()
    chosen: set[str] = set()
    if _CODE.fullmatch(wanted):
        chosen = {wanted} & set(present)
    elif wanted and "commune" in records.columns:
        named = records["commune"].map(_fold) == _fold(wanted)
        chosen = set(codes[named.to_numpy()].dropna().unique())
    if len(chosen) != 1:
        listed = _listed(records, codes)
        asked_vi = f"không có xã '{wanted}' trong đó; " if wanted else ""
        asked_en = f"'{wanted}' is none of them; " if wanted else ""
        raise VaxutilsError(
            f"Kết quả sàng lọc có {len(present)} xã ({listed}): {asked_vi}sổ rà soát và danh sách "
            "ký chỉ dành cho một xã. Thêm --commune <mã xã> (ví dụ --commune "
            f"{sorted(present)[0]}), hoặc chạy 'vaxutils screen ... --commune <mã xã>'. / The "
            f"screening results hold {len(present)} communes; {asked_en}add --commune CODE."
        )
    (code,) = chosen
    keep = (codes.isna() | (codes == code)).to_numpy()
    if keep.all():
        return OneCommune(records, findings, doses, code)
    ids = records.loc[keep, "record_id"]
    return OneCommune(
        records[keep],
        findings[findings["record_id"].isin(ids)],
        None if doses is None else doses[doses["record_id"].isin(ids)],
        code,
    )
