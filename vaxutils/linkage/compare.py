"""Compare candidate pairs of person records field by field, all pairs of a batch at once.

Both duplicate detection (records against records) and registry reconciliation (records against
the population database) ask the same questions of a pair: how alike are the names, do the birth
dates agree at the precision they were recorded with, does the sex agree, do the ID numbers agree.
:func:`compare_pairs` answers them for aligned ``left``/``right`` frames (row *i* of one against row
*i* of the other) and :func:`pair_score` folds the answers into one number in [0, 1].

The frames are prepared persons frames (docs/ARCHITECTURE.md): ``name_key`` (lower case, tone
placement folded, diacritics kept), ``ascii_key`` (no diacritics), ``dob`` + ``dob_precision``,
``sex``, ``id_kind``/``id_compact``; missing columns count as unknown.

>>> left = pd.DataFrame({"name_key": ["nguyễn văn nam"], "ascii_key": ["nguyen van nam"],
...                      "dob": pd.to_datetime(["1980-05-12"]), "dob_precision": ["day"], "sex": ["Nam"]})
>>> right = pd.DataFrame({"name_key": ["nguyen van nam"], "ascii_key": ["nguyen van nam"],
...                       "dob": pd.to_datetime(["1980-01-01"]), "dob_precision": ["year"], "sex": ["Nam"]})
>>> compare_pairs(left, right).loc[0, ["name_score", "given_agrees", "dob", "sex"]].astype(str).tolist()
['100.0', 'True', 'compatible', 'same']
>>> round(float(pair_score(compare_pairs(left, right))[0]), 3)
0.97
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from vaxutils.kernel.cells import as_dates, as_text, column_or_na

# Agreement levels, as plain strings so that tests and reports read them directly.
SAME, COMPATIBLE, DIFFERENT, UNKNOWN = "same", "compatible", "different", "unknown"

# Weights of pair_score: the name carries most evidence, then the birth date, then sex (only two
# values, so agreement by chance is common). A pair with an identical name, birth date and sex scores 1.
NAME_WEIGHT, DOB_WEIGHT, SEX_WEIGHT = 0.55, 0.30, 0.15
# Credit for each agreement level of the birth date; a different date within the same year is
# usually a typo in day or month, so it keeps half the credit.
DOB_CREDIT = {SAME: 1.0, COMPATIBLE: 0.9, UNKNOWN: 0.5, DIFFERENT: 0.0}
DOB_SAME_YEAR_CREDIT = 0.5
SEX_CREDIT = {SAME: 1.0, UNKNOWN: 0.5, DIFFERENT: 0.0}
# Names whose given names disagree (twins: Nguyễn Văn Minh / Nguyễn Văn Mạnh) keep only this part of
# their string similarity: most of the string is the shared family and middle names.
GIVEN_DISAGREES_FACTOR = 0.7

_PRECISION_RANK = ["day", "month", "year"]


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as Arrow text by position (junk and empty text are missing)."""
    return as_text(column_or_na(frame, column)).reset_index(drop=True)


def _dates(frame: pd.DataFrame) -> pd.Series:
    if "dob" not in frame.columns:
        return pd.Series(pd.NaT, index=range(len(frame)), dtype="datetime64[ns]")
    return as_dates(frame["dob"].reset_index(drop=True))


def _given(keys: pd.Series) -> pd.Series:
    """The given name: the last word of a name key (Vietnamese order is Family Middle Given)."""
    return keys.str.replace(r"^.* ", "", regex=True)


def _codes(*columns: pd.Series) -> list[np.ndarray]:
    """Integer codes of text columns in one shared code space (-1 = missing): equality of codes is
    equality of values, and comparing integers over many pairs is cheap. Arrow text is hashed by
    Arrow (no Python string per cell)."""
    joined = pd.concat([pd.Series(c, dtype="string") for c in columns], ignore_index=True)
    codes, _ = pd.factorize(joined)
    bounds = np.cumsum([len(c) for c in columns])[:-1]
    return np.split(codes.astype("int64"), bounds)


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise equality of two code arrays; False where either side is missing."""
    return (a >= 0) & (a == b)


def _agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    known = (a >= 0) & (b >= 0)
    return np.where(known, np.where(a == b, SAME, DIFFERENT), UNKNOWN).astype(object)


# The persons-frame columns a comparison reads.
COMPARED_COLUMNS = (
    "name_key",
    "ascii_key",
    "dob",
    "dob_precision",
    "sex",
    "village",
    "phone",
    "id_kind",
    "id_compact",
    "id_suggestion",
)


def comparison_features(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per record (by position), the normalised values pairs are compared on — computed once per
    frame, then taken by pair position (a record is in many pairs). Text becomes integer codes
    (hashed by Arrow) except ``ascii_key``, kept as Arrow text for the string similarity of the
    pairs alone."""
    name_key = _text(frame, "name_key")
    ascii_key = _text(frame, "ascii_key")
    dob = _dates(frame)
    village = _text(frame, "village").str.strip().str.lower()
    text = {
        "name_key": name_key,
        "given_key": _given(name_key),
        "given_ascii": _given(ascii_key),
        "sex": _text(frame, "sex"),
        "village": village.mask(village.eq("")),
        "phone": _text(frame, "phone"),
        "id_kind": _text(frame, "id_kind"),
    }
    features = {name: _codes(values)[0] for name, values in text.items()}
    id_valid, id_suggestion = _codes(_text(frame, "id_compact"), _text(frame, "id_suggestion"))
    features.update(
        {
            "ascii_key": ascii_key.array,
            # "Typed without diacritics" is a property of the whole name: Nguyễn Thị Hoa has a plain
            # given name but was typed with diacritics, so its Hoa is not Hòa.
            "plain": name_key.eq(ascii_key).fillna(False).to_numpy(bool),
            "year": dob.dt.year.to_numpy("float64", na_value=np.nan),
            "month": dob.dt.month.to_numpy("float64", na_value=np.nan),
            "day": dob.dt.day.to_numpy("float64", na_value=np.nan),
            "precision": _precision_rank(column_or_na(frame, "dob_precision")),
            "id_valid": id_valid,
            "id_any": np.where(id_valid >= 0, id_valid, id_suggestion),
        }
    )
    return features


def _precision_rank(precision: pd.Series) -> np.ndarray:
    """0 day, 1 month, 2 year; a missing or unknown precision counts as a full date (0)."""
    ranks = pd.Categorical(as_text(precision.reset_index(drop=True)), categories=_PRECISION_RANK)
    return np.maximum(ranks.codes, 0).astype("int64")


def name_similarity(left, right) -> np.ndarray:
    """Similarity 0..100 of aligned name keys; 0 where either is missing.

    The better of the plain edit ratio (names keep their order, and a dropped letter in a short middle
    name — "vu th thao" — must stay close) and the word-order-insensitive ratio (a name typed given
    name first).

    >>> name_similarity(pd.Series(["nguyen van nam", "vu th thao"]),
    ...                 pd.Series(["nam nguyen van", "vu thu thao"])).round().tolist()
    [100.0, 95.0]
    """
    a = as_text(pd.Series(left).reset_index(drop=True))
    b = as_text(pd.Series(right).reset_index(drop=True))
    both = (a.notna() & b.notna()).to_numpy(bool)
    scores = np.zeros(len(a), dtype="float64")
    if both.any():
        queries, choices = a[both].tolist(), b[both].tolist()
        in_order = process.cpdist(queries, choices, scorer=fuzz.ratio, workers=1)
        any_order = process.cpdist(queries, choices, scorer=fuzz.token_sort_ratio, workers=1)
        scores[both] = np.maximum(in_order, any_order)
    return scores


def _dob_agreement(left: dict, right: dict) -> np.ndarray:
    coarsest = np.maximum(left["precision"], right["precision"])
    same_year = left["year"] == right["year"]
    same_month = same_year & (left["month"] == right["month"])
    same_day = same_month & (left["day"] == right["day"])
    agree = np.select([coarsest == 2, coarsest == 1], [same_year, same_month], same_day)
    known = ~(np.isnan(left["year"]) | np.isnan(right["year"]))
    out = np.where(agree, np.where(coarsest == 0, SAME, COMPATIBLE), DIFFERENT)
    return np.where(known, out, UNKNOWN).astype(object)


def dob_agreement(
    left_dob: pd.Series, left_precision: pd.Series, right_dob: pd.Series, right_precision: pd.Series
) -> np.ndarray:
    """same / compatible / different / unknown for aligned birth dates, respecting their precision.

    A year-only date (1950) agrees with any full date in 1950 — *compatible*, not *same*, because the
    full date is more precise. A missing precision next to a date counts as a full date.

    >>> d = pd.to_datetime(pd.Series(["1950-01-01", "1950-03-04", None]))
    >>> dob_agreement(d, pd.Series(["year", "day", None]), pd.to_datetime(pd.Series(["1950-07-08"] * 3)),
    ...               pd.Series(["day"] * 3)).tolist()
    ['compatible', 'different', 'unknown']
    """
    left = comparison_features(pd.DataFrame({"dob": left_dob, "dob_precision": left_precision}))
    right = comparison_features(pd.DataFrame({"dob": right_dob, "dob_precision": right_precision}))
    return _dob_agreement(left, right)


def value_agreement(left: pd.Series, right: pd.Series) -> np.ndarray:
    """same / different / unknown for aligned categorical values (sex, phone).

    >>> value_agreement(pd.Series(["Nam", "Nam", None]), pd.Series(["Nam", "Nữ", "Nữ"])).tolist()
    ['same', 'different', 'unknown']
    """
    return _agreement(*_codes(as_text(left), as_text(right)))


def _id_agreement(left: dict, right: dict) -> np.ndarray:
    """*same*: equal numbers, a repaired suggestion counting as the number (001090012345 typed as
    1090012345). *different*: two well-formed numbers of the same kind that differ — that is two
    people. A CMND on one side and a CCCD on the other is *unknown*: one person can have both."""
    same = _equal(left["id_any"], right["id_any"])
    same_kind = _equal(left["id_kind"], right["id_kind"])
    both_valid = (left["id_valid"] >= 0) & (right["id_valid"] >= 0)
    different = both_valid & same_kind & ~same
    return np.select([same, different], [SAME, DIFFERENT], UNKNOWN).astype(object)


def _at(values, positions: np.ndarray):
    """``values`` at ``positions``: a numpy array indexed, an Arrow array taken."""
    if isinstance(values, np.ndarray):
        return values[positions]
    return values.take(positions)


def compare_pairs(
    left: pd.DataFrame,
    right: pd.DataFrame,
    left_pos: np.ndarray | None = None,
    right_pos: np.ndarray | None = None,
) -> pd.DataFrame:
    """Field agreements of candidate pairs, one row per pair (index 0..n-1).

    Pair *i* is record ``left_pos[i]`` of ``left`` (by position) with ``right_pos[i]`` of ``right``;
    without positions the frames are aligned row by row. ``right`` may be ``left`` (deduplication).

    Columns: name_score (0..100 on the diacritic-free keys), name_key_same, given_agrees, dob,
    dob_same_year, sex, id, village, phone — dob, sex, id, village and phone as
    same/compatible/different/unknown.
    """
    if left_pos is None or right_pos is None:
        if len(left) != len(right):
            raise ValueError("compare_pairs needs positions or aligned frames of equal length")
        left_pos = right_pos = np.arange(len(left))
    left_pos = np.asarray(left_pos, dtype="int64")
    right_pos = np.asarray(right_pos, dtype="int64")
    if right is not left:
        # One frame, so that both sides' values get codes from one code space.
        used = [c for c in COMPARED_COLUMNS if c in left.columns or c in right.columns]
        left = pd.concat(
            [left.reindex(columns=used), right.reindex(columns=used)], ignore_index=True
        )
        right_pos = right_pos + (len(left) - len(right))
    features = comparison_features(left)
    lf = {name: _at(values, left_pos) for name, values in features.items()}
    rf = {name: _at(values, right_pos) for name, values in features.items()}
    col = {name: (lf[name], rf[name]) for name in lf}
    same_key = _equal(*col["given_key"])
    same_letters = _equal(*col["given_ascii"])
    plain = col["plain"][0] | col["plain"][1]
    return pd.DataFrame(
        {
            "name_score": name_similarity(*col["ascii_key"]),
            "name_key_same": _equal(*col["name_key"]),
            # Given names agree with diacritics (tone placement and case folded in the keys), or by
            # letters when one whole name was typed plain: "Nguyen Thi Hoa" may be Hòa.
            "given_agrees": same_key | (same_letters & plain),
            "dob": _dob_agreement(lf, rf),
            "dob_same_year": col["year"][0] == col["year"][1],
            "sex": _agreement(*col["sex"]),
            "id": _id_agreement(lf, rf),
            "village": _agreement(*col["village"]),
            "phone": _agreement(*col["phone"]),
        }
    )


def pair_score(comparison: pd.DataFrame) -> np.ndarray:
    """One number in [0, 1] per compared pair: weighted agreement of name, birth date and sex.

    Used to rank candidates (the best registry person for a record) and as the ``match_score`` shown
    to people. Birth dates that differ but share the year keep some credit (typo in day or month).
    """
    name = comparison["name_score"].to_numpy("float64") / 100.0
    name = np.where(comparison["given_agrees"].to_numpy(bool), name, name * GIVEN_DISAGREES_FACTOR)
    dob = comparison["dob"].map(DOB_CREDIT).to_numpy("float64")
    typo_in_year = (comparison["dob"].to_numpy() == DIFFERENT) & comparison[
        "dob_same_year"
    ].to_numpy(bool)
    dob = np.where(typo_in_year, DOB_SAME_YEAR_CREDIT, dob)
    sex = comparison["sex"].map(SEX_CREDIT).to_numpy("float64")
    return NAME_WEIGHT * name + DOB_WEIGHT * dob + SEX_WEIGHT * sex
