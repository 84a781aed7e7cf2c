"""Pair comparison moved to :mod:`vaxutils.linkage.compare` (shared by duplicates and the registry);
this name is kept for code written before the move."""

from vaxutils.linkage.compare import (
    COMPATIBLE,
    DIFFERENT,
    SAME,
    UNKNOWN,
    as_dates,
    as_text,
    compare_pairs,
    comparison_features,
    dob_agreement,
    name_similarity,
    pair_score,
    value_agreement,
)

__all__ = [
    "COMPATIBLE",
    "DIFFERENT",
    "SAME",
    "UNKNOWN",
    "as_dates",
    "as_text",
    "compare_pairs",
    "comparison_features",
    "dob_agreement",
    "name_similarity",
    "pair_score",
    "value_agreement",
]
