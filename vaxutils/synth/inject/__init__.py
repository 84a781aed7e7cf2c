"""Inject labelled errors and normalisation noise into a clean synthetic export.

Input: a *draft* — one record per person (text cells as the platform would show them, plus
helper columns starting with ``_``) and one row per dose. Output: the damaged draft and a
``labels`` frame (record_id, category, error_type, field, true_value) naming **every** category a
damaged record belongs to under DESIGN §3.2 — e.g. a duplicate whose second record has an empty ID
is ``duplicate`` on both records and ``missing_id`` on the second; a record that borrowed another
person's ID is ``duplicate`` and ``personal_info``.

Conservative by design (the screening engine is measured against these labels):

- each record gets at most one injection per field group (ID, name, date of birth, sex, phone,
  insurance, doses) and duplicates take a record whole, so injections never hide each other;
- errors detectable only against the registry (swapped ID digits, a day/month swap, a name typo)
  go only to records whose ID and other fields are intact, so the registry match still works;
- sex and birth-year errors go only to records with an intact 12-digit ID (they are detected
  against the ID digits), birth-date errors only to adults far from any age threshold;
- no injection that changes nothing detectable (a swap of two equal digits, a year typo that
  gives the same year, a day/month swap of 05/05, a 12–17 year-old "too young" by one day);
- foreigners (passport records) get no ID, registry-only or duplicate injection: they are not in
  the registry, so nothing about them could be checked or linked there;
- phone and insurance damage only where the export has that column (``fields``).

Cells that Excel would store as numbers — an ID, phone or insurance number that lost its leading
zero — are written as Python ``int`` (a numeric cell in xlsx, plain digits in CSV).
"""

from vaxutils.synth.inject.injector import Injector
from vaxutils.synth.inject.slots import LABEL_COLUMNS
from vaxutils.synth.inject.values import ascii_fold, format_dates

__all__ = ["LABEL_COLUMNS", "Injector", "ascii_fold", "format_dates"]
