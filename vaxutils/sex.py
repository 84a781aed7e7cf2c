"""Sex (giới tính): ``Nam`` or ``Nữ`` (DESIGN §2.3).

Accepted spellings, case-insensitive, with or without diacritics, surrounding spaces ignored:

- **Nam**: nam, nam giới, trai, con trai, m, male, 1
- **Nữ**: nữ, nu, nư, nử, nữ giới, gái, con gái, f, female, 0

The digits follow the convention of Vietnamese platform exports, 1 = Nam and 0 = Nữ (the number
cells of an Excel export arrive as "1"/"0"; 1.0/0.0 too). A different export may code them
otherwise: check its legend before trusting ``sex_variant`` suggestions on digits. Anything else
(``"N"``, ``"Khác"``, ``"2"``) is ``sex_invalid``; empty cells and placeholders are ``sex_missing``.

>>> normalize("NỮ"), normalize(" nam "), normalize(1), normalize("F"), normalize("?")
('Nữ', 'Nam', 'Nam', 'Nữ', None)
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from vaxutils.text import (
    cell_text,
    empty_issues,
    factorize_cells,
    issues_from_uniques,
    spread_texts,
)

__all__ = ["NAM", "NU", "normalize", "normalize_series", "issues_series", "issues"]

NAM, NU = "Nam", "Nữ"
# Keys are casefolded, NFC, spaces collapsed.
_LABELS: dict[str, str] = {
    **dict.fromkeys(["nam", "nam giới", "trai", "con trai", "m", "male", "1"], NAM),
    **dict.fromkeys(
        ["nữ", "nu", "nư", "nử", "nữ giới", "nu gioi", "gái", "gai", "con gái", "con gai"], NU
    ),
    **dict.fromkeys(["f", "female", "0"], NU),
    "nam gioi": NAM,
}
_PLACEHOLDERS = frozenset(
    {"", "-", "--", ".", "x", "?", "không", "không rõ", "chưa rõ", "không có", "na", "n/a", "none"}
)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _classify(value: Any) -> tuple[str | None, str | None]:
    """(sex, problem) for one raw cell; problem is "missing", "invalid", "variant" or None."""
    text = cell_text(value)
    if text is None or _key(text) in _PLACEHOLDERS:
        return None, "missing"
    sex = _LABELS.get(_key(text))
    if sex is None:
        return None, "invalid"
    return sex, None if text == sex else "variant"


def _per_unique(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes, texts = factorize_cells(s)
    # Python loop over *unique* cells: a sex column has a handful of distinct spellings.
    answers = [_classify(text) for text in texts]
    sexes = np.array([a[0] for a in answers], dtype=object)
    problems = np.array([a[1] for a in answers], dtype=object)
    return codes, sexes, problems


def normalize_series(s: pd.Series) -> pd.Series:
    """``"Nam"`` / ``"Nữ"`` per cell, NA when missing or not a sex; index kept.

    >>> normalize_series(pd.Series(["nu", "NAM", None, "x", 0], index=[3, 4, 5, 6, 7])).tolist()
    ['Nữ', 'Nam', nan, nan, 'Nữ']
    """
    if s.empty:
        return pd.Series([], index=s.index, dtype="str")
    codes, sexes, _ = _per_unique(s)
    return spread_texts(pa.array(sexes, type=pa.large_string()), codes, s.index)


def issues_series(s: pd.Series) -> pd.DataFrame:
    """Problems in a sex column, long form: DataFrame[row, code, suggestion].

    ``sex_missing`` (empty or a placeholder), ``sex_invalid`` (not a sex), and the information-only
    ``sex_variant`` (another spelling of Nam/Nữ; suggestion = the standard spelling).

    >>> issues_series(pd.Series(["Nam", "nữ", "", "Khác"]))
       row         code  suggestion
    0    1  sex_variant          Nữ
    1    2  sex_missing         NaN
    2    3  sex_invalid         NaN
    """
    if s.empty:
        return empty_issues()
    codes, sexes, problems = _per_unique(s)
    flagged = np.flatnonzero(problems != None)  # noqa: E711 (element-wise on an object array)
    per_unique = pd.DataFrame(
        {
            "pos": np.concatenate([[-1], flagged]),
            "code": np.concatenate([["sex_missing"], "sex_" + problems[flagged].astype(str)]),
            "suggestion": np.concatenate([[None], sexes[flagged]]),
        }
    )
    return issues_from_uniques(per_unique, codes, s.index)


def normalize(value: Any) -> str | None:
    """``"Nam"``, ``"Nữ"`` or None (missing or not a sex). Never raises."""
    return _classify(value)[0]


def issues(value: Any) -> list[tuple[str, str | None]]:
    """The problems of one cell as ``[(code, suggestion)]`` (at most one). Never raises.

    >>> issues("nu"), issues("Nữ"), issues(None)
    ([('sex_variant', 'Nữ')], [], [('sex_missing', None)])
    """
    sex, problem = _classify(value)
    return [] if problem is None else [(f"sex_{problem}", sex)]
