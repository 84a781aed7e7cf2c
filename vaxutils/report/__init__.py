"""Reports: tables, charts and PII masking for the notebooks; HTML export for sharing.

Compute, then present (splink style): ``*_table`` functions return DataFrames, ``*_chart``
functions only draw them, :func:`show` labels them in Vietnamese for a notebook cell, and
:func:`render_report` runs a notebook with papermill and writes a self-contained HTML page.
ID and phone numbers are masked by default (:func:`mask_id`: ``004*******45``; re-exported
from :mod:`vaxutils.masking`, the one implementation).

>>> mask_id("004095012345")
'004*******45'
"""

from vaxutils.masking import mask_frame, mask_id, mask_phone, mask_series, mask_text
from vaxutils.report.charts import (
    Chart,
    commune_ranking_chart,
    dose_sequence_chart,
    findings_by_category_chart,
    monthly_doses_chart,
    progress_chart,
    village_chart,
)
from vaxutils.report.checks import check_screen_output
from vaxutils.report.display import COLUMN_LABELS_VI, label_frame, show, show_cards
from vaxutils.report.explore import filter_findings, person_history
from vaxutils.report.inputs import (
    ScreenOutput,
    ScreenOutputMissing,
    load_screen_output,
    prepare_output,
    restrict_to_commune,
)
from vaxutils.report.overview import (
    commune_ranking_table,
    deadline_note,
    has_progress,
    latest_runs,
    progress_table,
    runs_row,
    totals_table,
)
from vaxutils.report.pages import assert_self_contained, html_page, index_page
from vaxutils.report.quality import completeness_table, dose_sequence_table, monthly_doses_table
from vaxutils.report.run import (
    COMMUNE_NOTEBOOK,
    OVERVIEW_NOTEBOOK,
    NotebookFailed,
    execute_notebook,
    render_report,
)
from vaxutils.report.tables import (
    dose_problems_table,
    duplicates_table,
    estimated_persons,
    findings_by_category_table,
    findings_by_code_table,
    findings_by_village_table,
    headline_table,
    worklist_table,
)
from vaxutils.report.titles import commune_title

__all__ = [
    "Chart",
    "COLUMN_LABELS_VI",
    "COMMUNE_NOTEBOOK",
    "NotebookFailed",
    "OVERVIEW_NOTEBOOK",
    "ScreenOutput",
    "ScreenOutputMissing",
    "assert_self_contained",
    "check_screen_output",
    "commune_ranking_chart",
    "commune_ranking_table",
    "commune_title",
    "completeness_table",
    "deadline_note",
    "dose_problems_table",
    "dose_sequence_chart",
    "dose_sequence_table",
    "duplicates_table",
    "estimated_persons",
    "execute_notebook",
    "filter_findings",
    "findings_by_category_chart",
    "findings_by_category_table",
    "findings_by_code_table",
    "findings_by_village_table",
    "has_progress",
    "headline_table",
    "html_page",
    "index_page",
    "label_frame",
    "latest_runs",
    "load_screen_output",
    "mask_frame",
    "mask_id",
    "mask_phone",
    "mask_series",
    "mask_text",
    "monthly_doses_chart",
    "monthly_doses_table",
    "person_history",
    "prepare_output",
    "progress_chart",
    "progress_table",
    "render_report",
    "restrict_to_commune",
    "runs_row",
    "show",
    "show_cards",
    "totals_table",
    "village_chart",
    "worklist_table",
]
