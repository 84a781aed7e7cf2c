"""Vietnamese identifiers in the style of python-stdnum, each with its vectorised Series versions.

One module per identifier with the same verbs (``compact``, ``validate``, ``is_valid``,
``format``), extractors where the number carries data, and below them the same answers over a
whole column (``issues_series`` …, property-tested equal to the scalar functions):

- :mod:`~vaxutils.ids.cccd` — 12-digit personal identification number (CCCD, số định danh)
- :mod:`~vaxutils.ids.cmnd` — 9-digit old identity card number
- :mod:`~vaxutils.ids.passport` — passport number (letter + 7 digits)
- :mod:`~vaxutils.ids.bhyt` — health insurance card code / social-insurance number
- :mod:`~vaxutils.ids.phone` — mobile phone number
- :mod:`~vaxutils.ids.damage` — spreadsheet damage (lost zeros, ``E+10``, separators…) as suggestions
- :mod:`~vaxutils.ids.numbers` — the same damage to phone and insurance numbers (shared by both)
- :mod:`~vaxutils.ids.exceptions` — why a number is invalid (the class is the reason code)
- :mod:`~vaxutils.ids.series` — the vectorised functions under the names screening uses
  (``classify_ids``, ``cccd_consistency``, ``issues_series(kind=…)`` …)

>>> from vaxutils import ids
>>> ids.cccd.is_valid("001090012345"), ids.damage.diagnose("1090012345").suggestion
(True, '001090012345')
"""

from vaxutils.ids import bhyt, cccd, cmnd, damage, exceptions, passport, phone, series
from vaxutils.ids.series import cccd_consistency, classify_ids, issues_series

__all__ = [
    "bhyt",
    "cccd",
    "cccd_consistency",
    "classify_ids",
    "cmnd",
    "damage",
    "exceptions",
    "issues_series",
    "passport",
    "phone",
    "series",
]
