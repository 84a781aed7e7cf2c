"""Spreadsheet damage to contact numbers (phone, health-insurance card), shared by
:mod:`~vaxutils.ids.phone` and :mod:`~vaxutils.ids.bhyt`: each passes its own compact, validate
and lost-zero functions, scalar or over Arrow arrays.

A contact number is optional: empty cells and placeholders are no problem here. Codes:
``<prefix>_normalized`` (valid after removing separators etc.; suggestion = compact),
``<prefix>_leading_zero_lost``, ``<prefix>_scientific_notation`` and the validator's reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.ids import _arrow, _cells
from vaxutils.ids.exceptions import UnrecoverableDamage, ValidationError


class Issue(NamedTuple):
    """One problem with a cell: reason code and suggested value (None when none)."""

    code: str
    suggestion: str | None


def diagnose_number(
    value: object,
    prefix: str,
    compact: Callable[[str], str],
    validate: Callable[[str], str],
    lost_zero_repair: Callable[[str], str | None],
) -> Issue | None:
    """The shared diagnosis of a contact number (phone, insurance); None when fine or empty.

    Empty cells and placeholders are not problems here: a phone or insurance number is optional.
    Codes: ``<prefix>_normalized`` (valid after removing separators etc.; suggestion = compact),
    ``<prefix>_leading_zero_lost``, ``<prefix>_scientific_notation`` and the validator's reasons.
    """
    text = _cells.to_text(value)
    stripped = _cells.strip(text) if text is not None else ""
    if not stripped or _cells.is_placeholder(stripped):
        return None
    if _cells.fullmatch(_cells.SCIENTIFIC, stripped):
        return Issue(UnrecoverableDamage.code(prefix), None)
    if _cells.fullmatch(_cells.FLOAT_SUFFIX, stripped):
        stripped = stripped[: stripped.index(".")]
    number = compact(stripped)
    try:
        validate(number)
    except ValidationError as exc:
        restored = lost_zero_repair(number)
        if restored is not None:
            return Issue(f"{prefix}_leading_zero_lost", restored)
        return Issue(exc.code(prefix), None)
    return None if number == text else Issue(f"{prefix}_normalized", number)


def number_issues(
    s: pd.Series,
    prefix: str,
    compact: Callable[[pa.Array], pa.Array],
    failure: Callable[[pa.Array], np.ndarray],
    lost_zero: Callable[[pa.Array], pa.Array],
) -> pd.DataFrame:
    """:func:`diagnose_number` over a Series, in long form (``row``, ``code``, ``suggestion``).

    ``compact``, ``failure`` (the reason a compact number is invalid, ``""`` when valid) and
    ``lost_zero`` are the number's own array functions (:mod:`~vaxutils.ids.phone`, :mod:`~vaxutils.ids.bhyt`).
    """
    s = _arrow.series_of(s)
    if s.empty:
        return _arrow.no_issues(s.index)
    arr = _arrow.text_array(s)
    stripped = _arrow.strip(arr)
    empty = _arrow.as_numpy(pc.equal(pc.binary_length(stripped), 0), True)
    present = np.flatnonzero(~empty & ~_arrow.is_placeholder(stripped, ~empty))
    text, stripped = _arrow.take(arr, present), _arrow.take(stripped, present)
    floats = _arrow.match(stripped, _cells.FLOAT_SUFFIX)
    number = compact(_arrow.replace_where(stripped, floats, _arrow.remove_float_suffix))
    reason = failure(number)
    invalid = reason != ""
    restored = lost_zero(number)
    has_restored = _arrow.as_numpy(pc.is_valid(restored)) & invalid
    normalized = ~invalid & ~_arrow.as_numpy(pc.equal(number, text))
    scientific = _arrow.match(stripped, _cells.SCIENTIFIC)
    suggestion = pc.if_else(pa.array(normalized), number, _arrow.NULL)
    suggestion = pc.if_else(pa.array(has_restored & ~scientific), restored, suggestion)
    # the codes of the few numbers with a problem only (text per element is costly)
    keep = invalid | normalized | scientific
    code = np.char.add(f"{prefix}_", reason[keep].astype(str))
    code = np.where(has_restored[keep], f"{prefix}_leading_zero_lost", code)
    code = np.where(normalized[keep], f"{prefix}_normalized", code)
    code = np.where(scientific[keep], UnrecoverableDamage.code(prefix), code)
    return _arrow.long_form(s.index[present[keep]], code, suggestion.filter(pa.array(keep)))
