"""Dose-history checks: is each person's COVID-19 vaccination history possible and within the rules?

Rules (DESIGN §2.4; data and sources in ``vaxutils/refdata/data/vaccines.yaml``): no dose before
8 March 2021 or after the export date; dose numbers 1–9, each once, without a hole between two given
doses, in date order; primary doses at least the product's minimum interval apart (between the
minimum and the recommended gap is normal) and only mixed as allowed (AZ → Pfizer/Moderna,
Pfizer ↔ Moderna); boosters at least 3 months after the primary series (6 months before March 2022),
later doses at least 4 months after the previous one; no dose before the age of eligibility on its
date; no never-approved product (Nanocovax, Covivac).

Everything is vectorised: the doses are sorted once by record and dose number and each dose is
compared with the previous one of the same record (no loop over records), so a province's millions
of doses check in seconds. Doses from exempt facilities are checked too: the exemption only matters
for passport gating.

Two steps, as in the screening engine: :func:`prepare_doses` (typed doses, the ``doses.parquet``
columns) then :func:`dose_issues` (long-form issues: record_id, source_row, code, field, value,
suggestion; codes in ``vaxutils/screen/catalogue/doses.yaml``).

>>> doses = pd.DataFrame({
...     "record_id": ["A", "A"], "source_row": [2, 3], "dose_number": ["1", "2"],
...     "dose_date": pd.to_datetime(["2021-08-02", "2021-08-16"]), "dose_date_precision": "day",
...     "vaccine": "AstraZeneca", "product": "AstraZeneca"})
>>> persons = pd.DataFrame({"record_id": ["A"], "dob": pd.to_datetime(["1980-05-04"]),
...                         "dob_precision": ["day"]})
>>> dose_issues(doses, persons, "2022-05-20")[["record_id", "code", "value"]]
  record_id                     code       value
0         A  dose_interval_too_short  2021-08-16
"""

import pandas as pd  # noqa: F401 (the examples above use it)

from vaxutils.screen.dose_checks.history import DoseCodes
from vaxutils.screen.dose_checks.issues import CODES, ISSUE_COLUMNS
from vaxutils.screen.dose_checks.prepare import MAX_DOSE_NUMBER, PREPARED_COLUMNS, prepare_doses
from vaxutils.screen.dose_checks.rules import DoseChecks, dose_issues, per_dose_checks

__all__ = [
    "CODES",
    "DoseChecks",
    "DoseCodes",
    "ISSUE_COLUMNS",
    "MAX_DOSE_NUMBER",
    "PREPARED_COLUMNS",
    "dose_issues",
    "per_dose_checks",
    "prepare_doses",
]
