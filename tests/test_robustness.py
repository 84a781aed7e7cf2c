"""Junk in, a clear answer out: every public Series function that takes user data, and the screen.

Each function must accept any cell a spreadsheet or a careless caller can produce, keep the index, and
never raise. (Module-level robustness tests live beside each module's tests; this one crosses them.)
"""

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from vaxutils import dates, refdata, sex
from vaxutils.ids import series as ids
from vaxutils.io import Export
from vaxutils.schema import DOSE_FIELDS, FINDINGS_COLUMNS, PERSON_FIELDS
from vaxutils.screen import screen
from vaxutils.text import names

JUNK = [
    None,
    math.nan,
    pd.NA,
    pd.NaT,
    "",
    "   ",
    0,
    -1,
    1.5e300,
    float("inf"),
    True,
    b"\xff\xfe\x00",
    object(),
    ["list"],
    {"a": 1},
    datetime(2021, 3, 8),
    date(1999, 12, 31),
    '=HYPERLINK("http://x")',
    "\x00\x01\x02",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😷",
    "x" * 100_000,
    "0" * 40,
    "NguyÔn V¨n",
    "4.09501E+10",
]

SERIES_FUNCTIONS = {
    "ids.classify_ids": ids.classify_ids,
    "ids.issues_series": ids.issues_series,
    "ids.phone_issues_series": ids.phone_issues_series,
    "ids.bhyt_issues_series": ids.bhyt_issues_series,
    "names.normalize_series": names.normalize_series,
    "names.match_key_series": names.match_key_series,
    "names.ascii_key_series": names.ascii_key_series,
    "names.issues_series": names.issues_series,
    "dates.parse_dates": dates.parse_dates,
    "dates.issues_series": dates.issues_series,
    "sex.normalize_series": sex.normalize_series,
    "sex.issues_series": sex.issues_series,
    "refdata.vaccine_lookup": refdata.vaccine_lookup,
    "refdata.province_lookup": refdata.province_lookup,
    "refdata.facility_level_lookup": refdata.facility_level_lookup,
}


@pytest.mark.parametrize("name", sorted(SERIES_FUNCTIONS))
def test_series_functions_survive_junk_and_keep_the_index(name):
    func = SERIES_FUNCTIONS[name]
    junk = pd.Series(JUNK, index=[f"r{i}" for i in range(len(JUNK))], dtype=object)
    before = junk.copy()
    result = func(junk)
    assert junk.equals(before), "the input was mutated"
    if "issues" in name:
        assert set(result["row"]) <= set(junk.index)
    else:
        assert list(result.index) == list(junk.index)


@pytest.mark.parametrize("name", sorted(SERIES_FUNCTIONS))
def test_series_functions_accept_empty_input(name):
    result = SERIES_FUNCTIONS[name](pd.Series([], dtype=object))
    assert len(result) == 0


def test_screen_survives_a_junk_export():
    rows = len(JUNK)
    cells = np.array([str(v)[:200] if v is not None else None for v in JUNK], dtype=object)
    records = pd.DataFrame({f: cells for f in PERSON_FIELDS})
    records["record_id"] = [f"R{i}" for i in range(rows)]
    records["source_row"] = range(2, rows + 2)
    doses = pd.DataFrame({f: cells for f in DOSE_FIELDS})
    doses["record_id"] = records["record_id"]
    doses["source_row"] = records["source_row"]
    result = screen(Export(records=records, doses=doses), export_date=date(2022, 5, 15))
    assert list(result.findings.columns) == list(FINDINGS_COLUMNS)
    assert len(result.records) == rows
    # every junk record is on at least one list, with a Vietnamese message
    flagged = set(result.findings.loc[result.findings["severity"] == "error", "record_id"])
    assert flagged == set(records["record_id"])
    assert result.findings["message"].notna().all()
