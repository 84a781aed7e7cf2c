"""Blocking moved to :mod:`vaxutils.linkage.blocking` (shared by duplicates and the registry); this
name is kept for code written before the move."""

from vaxutils.linkage.blocking import (
    DEDUPE_RULES,
    MAX_BLOCK_SIZE,
    UNKNOWN_YEAR_RULE,
    Rule,
    blocking_keys,
    dedupe_pairs,
    link_pairs,
)

__all__ = [
    "DEDUPE_RULES",
    "MAX_BLOCK_SIZE",
    "UNKNOWN_YEAR_RULE",
    "Rule",
    "blocking_keys",
    "dedupe_pairs",
    "link_pairs",
]
