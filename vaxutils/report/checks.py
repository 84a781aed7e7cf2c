"""A quick structural check of screen outputs before a report presents them.

The full Great Expectations contracts run when the data is screened (``stages.run_screen``); importing
GX costs seconds, too much for every notebook. Here we only make sure the report is about to show
what it thinks it shows: the findings columns of DESIGN §3.2, known categories and severities,
findings that belong to known records, and one commune only.

>>> import pandas as pd
>>> from vaxutils.report.inputs import ScreenOutput
>>> f = pd.DataFrame({c: [] for c in FINDINGS_COLUMNS})
>>> r = pd.DataFrame({"record_id": ["A"], "commune_code": ["01420"]})
>>> out = check_screen_output(ScreenOutput(f, r, pd.DataFrame({"record_id": []})), "01420")
>>> out["ok"].all()
np.True_
"""

from __future__ import annotations

import pandas as pd

from vaxutils.report.inputs import ScreenOutput
from vaxutils.schema import CATEGORIES, FINDINGS_COLUMNS, SEVERITIES


def check_screen_output(output: ScreenOutput, commune_code: str) -> pd.DataFrame:
    """One row per check: ``check`` (Vietnamese), ``ok`` (bool), ``detail``."""
    f, r, d = output.findings, output.records, output.doses
    missing_columns = [c for c in FINDINGS_COLUMNS if c not in f.columns]
    bad_category = sorted(set(f["category"].dropna()) - set(CATEGORIES)) if "category" in f else []
    bad_severity = sorted(set(f["severity"].dropna()) - set(SEVERITIES)) if "severity" in f else []
    orphan_findings = int((~f["record_id"].isin(r["record_id"])).sum()) if len(f) else 0
    orphan_doses = int((~d["record_id"].isin(r["record_id"])).sum()) if len(d) else 0
    codes = (
        r["commune_code"].dropna().astype(str).str.strip() if "commune_code" in r else pd.Series()
    )
    other_communes = sorted(set(codes[codes != ""]) - {str(commune_code)})
    rows = [
        ("Bảng phát hiện đủ cột", not missing_columns, ", ".join(missing_columns)),
        ("Danh sách hợp lệ", not bad_category, ", ".join(bad_category)),
        ("Mức độ hợp lệ", not bad_severity, ", ".join(bad_severity)),
        (
            "Mọi phát hiện thuộc một bản ghi",
            orphan_findings == 0,
            f"{orphan_findings} phát hiện lạc",
        ),
        ("Mọi mũi tiêm thuộc một bản ghi", orphan_doses == 0, f"{orphan_doses} mũi lạc"),
        ("Chỉ có người của xã này", not other_communes, ", ".join(other_communes)),
        ("Bản ghi có mã không trùng", bool(r["record_id"].is_unique), ""),
    ]
    table = pd.DataFrame(rows, columns=["check", "ok", "detail"])
    table.loc[table["ok"], "detail"] = ""
    return table
