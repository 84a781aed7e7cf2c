"""Vectorised identifier checks over a pandas Series, giving the scalar modules' answers.

The data path of ``vaxutils.ids``: Series in, Series/DataFrame out, index kept, input never
mutated. Each identifier module owns its vectorised functions beside its scalar ones, as
python-stdnum owns one module per number; this module hands them on under the names the rest of
vaxutils uses, and :func:`issues_series` picks the module by ``kind``:

===============================  ==============================  ===================================
here                             owner                           scalar twin (property-tested equal)
===============================  ==============================  ===================================
``classify_ids``                 ``damage.classify_ids``         ``damage.diagnose`` + ``cccd`` getters
``cccd_consistency``             ``cccd.consistency_series``     ``cccd.check_consistency``
``phone_numbers``                ``phone.valid_series``          ``phone.validate``
``issues_series(kind="id")``     ``damage.issues_series``        ``damage.diagnose``
``issues_series(kind="phone")``  ``phone.issues_series``         ``phone.diagnose``
``issues_series(kind="bhyt")``   ``bhyt.issues_series``          ``bhyt.diagnose``
===============================  ==============================  ===================================

They run on pyarrow arrays (:mod:`vaxutils.ids._arrow`): the common case (an already clean 12- or
9-digit number) costs a handful of kernels over the column, the 12-byte values read as a digit
matrix straight from the Arrow buffer; the damage diagnosis (regular expressions, the slow kernels)
runs only on the few values that are not clean, and each repair only on the values that need it.

>>> import pandas as pd
>>> s = pd.Series(["001090012345", " 079305000123", "1090012345", "Không có", None], index=list("abcde"))
>>> classify_ids(s)[["id_kind", "id_code", "id_suggestion", "id_sex", "id_birth_year"]]
   id_kind               id_code id_suggestion id_sex  id_birth_year
a     cccd                  <NA>          <NA>    Nam           1990
b     cccd         id_whitespace          <NA>     Nữ           2005
c  invalid  id_leading_zero_lost  001090012345   <NA>           <NA>
d  missing        id_placeholder          <NA>   <NA>           <NA>
e  missing            id_missing          <NA>   <NA>           <NA>
>>> issues_series(pd.Series(["0912 345 678", "12345"]), kind="phone")
   row                  code  suggestion
0    0      phone_normalized  0912345678
1    1  phone_invalid_length        <NA>
"""

from __future__ import annotations

import pandas as pd

from vaxutils.ids import bhyt, cccd, damage, phone
from vaxutils.ids._arrow import ISSUE_COLUMNS
from vaxutils.ids.damage import CLASSIFY_COLUMNS, classify_ids, issues_of_classified

cccd_consistency = cccd.consistency_series
phone_numbers = phone.valid_series
phone_issues_series = phone.issues_series
bhyt_issues_series = bhyt.issues_series

_ISSUES = {"id": damage.issues_series, "phone": phone.issues_series, "bhyt": bhyt.issues_series}
KINDS_OF_ISSUES = tuple(_ISSUES)

__all__ = [
    "CLASSIFY_COLUMNS",
    "ISSUE_COLUMNS",
    "KINDS_OF_ISSUES",
    "bhyt_issues_series",
    "cccd_consistency",
    "classify_ids",
    "issues_of_classified",
    "issues_series",
    "phone_issues_series",
    "phone_numbers",
]


def issues_series(s: pd.Series, kind: str = "id") -> pd.DataFrame:
    """Problems of a column in long form: ``row`` (index label), ``code``, ``suggestion``.

    ``kind`` is ``"id"`` (CMND/CCCD/passport: ``damage.ID_CODES``), ``"phone"`` or ``"bhyt"``
    (``<kind>_normalized``, ``<kind>_leading_zero_lost``, ``<kind>_invalid_length`` …; empty
    cells are not problems for these optional fields). One row per problem; valid values have none.
    """
    if kind not in _ISSUES:
        raise ValueError(f"kind phải là một trong {KINDS_OF_ISSUES} / kind must be one of them")
    return _ISSUES[kind](s)
