"""Read back a workbook people filled in (village review, police list) and check what they wrote.

What every returned list shares: find each sheet's header by its labels (title rows above, any
sheet order), keep the rows with their sheet and Excel row number, accept a record id only if it
was sent and only once, put corrected values in the form screening writes them, screen the
corrected records again, and keep every change in the change log of DESIGN §3.3. Problems name
the sheet, the row and the column a person must look at.

- :mod:`.rows`: the returned rows and the problems found in them;
- :mod:`.values`: person values as typed, as screened, as the platform holds them;
- :mod:`.changes`: changed fields, the re-screening, the change log;
- :mod:`.routine`: :func:`read_back`, the routine every list runs, parameterised by its
  :class:`ListSpec`.
"""

from vaxutils.workflow.returned.changes import (
    CHANGE_COLUMNS,
    change_log,
    changed_fields,
    rescreen,
)
from vaxutils.workflow.returned.routine import ListSpec, ReadBack, read_back
from vaxutils.workflow.returned.rows import (
    HEADER_ROWS,
    PROBLEM_COLUMNS,
    Problems,
    cell_text,
    choice,
    returned_rows,
    usable_rows,
)
from vaxutils.workflow.returned.values import (
    CORRECTABLE_FIELDS,
    date_cells,
    person_values,
    platform_values,
    screened_values,
    typed_person_values,
)

__all__ = [
    "CHANGE_COLUMNS",
    "CORRECTABLE_FIELDS",
    "HEADER_ROWS",
    "PROBLEM_COLUMNS",
    "ListSpec",
    "Problems",
    "ReadBack",
    "cell_text",
    "change_log",
    "changed_fields",
    "choice",
    "date_cells",
    "person_values",
    "platform_values",
    "read_back",
    "rescreen",
    "returned_rows",
    "screened_values",
    "typed_person_values",
    "usable_rows",
]
