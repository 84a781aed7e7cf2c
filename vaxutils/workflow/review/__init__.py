"""Step S2: the village review round trip.

The commune health station sends each village team the records screening flagged (no ID, malformed
ID, wrong basic information, duplicates), one sheet per village; the team writes its decision and
the corrected values; the workbook comes back and is checked before anything goes further:
corrected values must themselves pass screening, and every problem is named by sheet, row and
column.

>>> from vaxutils.workflow.review import DECISIONS
>>> DECISIONS[:2]
('Đúng', 'Sửa')
"""

from vaxutils.workflow.review.columns import DECISIONS
from vaxutils.workflow.review.read_back import ReviewResult, read_review_workbook
from vaxutils.workflow.review.workbook import review_sheets, write_review_workbook

__all__ = [
    "DECISIONS",
    "ReviewResult",
    "read_review_workbook",
    "review_sheets",
    "write_review_workbook",
]
