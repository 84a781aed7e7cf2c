"""Step S5: what the health station does on the vaccination platform, one decision per record.

Every record on a list (the village review, the police check, the Ministry's lists of no ID and
malformed ID) ends this step in exactly one place, so nothing is lost silently:

=====================  ==========================================================================
``nhập Excel``         no ID or a malformed one: the platform's Excel **import** (ID, name, birth
                       date, sex) once the ID is valid (and verified, when the police list came back)
``sửa trực tiếp``      the ID is well formed but the basic information is wrong: **direct edits**,
                       field by field, old value (as the platform holds it) → new value
``gộp hồ sơ``          one person on two records ("Trùng" of the village, or the police found both
                       to be the same citizen): the **merge list**, record to keep and doses to move
``loại khỏi danh sách``  died, moved away, not a resident: the **removal list** with the platform
                       action
``chưa nhập được``     cannot be done yet: the **not-importable list**, with the reason and what to do
``đã đúng``            the village or the police confirmed the record as it is: nothing to change
=====================  ==========================================================================

Values come from screening's proposal (a legacy-font name decoded, a date written dd/mm/yyyy) once
the village accepted it ("Đúng") or corrected it ("Sửa"), and, over them, from the police check.
A record whose row failed the checks at S2 or S4 is never given those values: it is held back
(``held_back``) with the place of its problem.

>>> OUTCOMES[:3]
('nhập Excel', 'sửa trực tiếp', 'gộp hồ sơ')
"""

from vaxutils.workflow.platform.decide import held_back_rows, platform_files
from vaxutils.workflow.platform.outcomes import (
    NOT_IMPORTABLE,
    NOT_IN_DATABASE,
    OUTCOMES,
    PlatformFiles,
)
from vaxutils.workflow.platform.workbooks import write_import_workbook, write_platform_workbooks

__all__ = [
    "NOT_IMPORTABLE",
    "NOT_IN_DATABASE",
    "OUTCOMES",
    "PlatformFiles",
    "held_back_rows",
    "platform_files",
    "write_import_workbook",
    "write_platform_workbooks",
]
