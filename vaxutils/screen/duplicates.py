"""Duplicate records (DESIGN §3.2, category ``duplicate``): one person split over several records,
and one ID number shared by different people.

How: blocking on exact normalised keys (:mod:`vaxutils.linkage.blocking`) gives a few candidate
pairs — never all pairs; each pair is compared field by field (:mod:`vaxutils.linkage.compare`,
rapidfuzz on the whole batch of pairs at once) and :func:`same_person` decides. Accepted pairs are
joined into groups (connected components). An ID number whose records fall into more than one
group is shared by different people.

Codes (catalogue ``vaxutils/screen/catalogue/duplicates.yaml``):

- ``duplicate_person`` — on every record of a group; ``related`` names the others, ``suggestion``
  the record to keep (a valid ID first, then the earliest first dose, then the first row).
- ``duplicate_id_shared`` — on every record of an ID number used by different people.
- ``duplicate_id_suggestion`` — info: a record without a valid ID whose duplicate has one; the
  suggestion fills the ``missing_id``/``id_format`` finding of that record.

Twins (same family name and birth date, different given names) and namesakes with different birth
dates are different people. When a birth date is missing (or only a year), a same name is not
enough: in communes whose names come from a small pool (Tày, Hmong, Khmer) two people share a full
name. Such a pair is one person only with the evidence a person would use (:func:`evidence`) — the
same phone, or the same village and dose histories that continue each other (one record stops
where the other starts) — and never against evidence: different phones, birth years that differ
(a birth date against the other record's ID number), dose histories that interleave in time or each
look like a full primary series, an age that rules out the other record's doses.

>>> persons = pd.DataFrame({
...     "record_id": ["A1", "A2", "B1"], "source_row": [2, 3, 4],
...     "full_name": ["Nguyễn Văn Nam", "NGUYEN VAN NAM", "Trần Thị Hoa"],
...     "name_key": ["nguyễn văn nam", "nguyen van nam", "trần thị hoa"],
...     "ascii_key": ["nguyen van nam", "nguyen van nam", "tran thi hoa"],
...     "dob": pd.to_datetime(["1980-05-12", "1980-05-12", "1990-01-02"]),
...     "dob_precision": ["day"] * 3, "sex": ["Nam", "Nam", "Nữ"],
...     "id_kind": ["cccd", "missing", "cccd"], "id_compact": ["001080012345", None, "001190054321"]})
>>> duplicate_issues(persons)[["record_id", "code", "related", "suggestion"]].values.tolist()
[['A1', 'duplicate_person', 'A2', <NA>], ['A2', 'duplicate_id_suggestion', 'A1', '001080012345'], \
['A2', 'duplicate_person', 'A1', 'A1']]
"""

import pandas as pd  # noqa: F401 (the examples above use it)

from vaxutils.screen.dedupe.evidence import DOSE_SUMMARY_COLUMNS, evidence
from vaxutils.screen.dedupe.groups import connected_components, duplicate_groups
from vaxutils.screen.dedupe.issues import ISSUE_COLUMNS, duplicate_issues
from vaxutils.screen.dedupe.pairs import (
    NAME_CLOSE,
    NAME_LOOSE_SAME_ID,
    candidate_comparisons,
    same_person,
)

__all__ = [
    "DOSE_SUMMARY_COLUMNS",
    "ISSUE_COLUMNS",
    "NAME_CLOSE",
    "NAME_LOOSE_SAME_ID",
    "candidate_comparisons",
    "connected_components",
    "duplicate_groups",
    "duplicate_issues",
    "evidence",
    "same_person",
]
