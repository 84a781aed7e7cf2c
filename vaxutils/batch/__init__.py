"""Batch runs: every commune of a district, a province or a list, one report each.

>>> from vaxutils.batch import commune_code_of
>>> from pathlib import Path
>>> commune_code_of(Path("export_01420.csv"))
'01420'
"""

from vaxutils.batch.job import run_commune
from vaxutils.batch.plan import (
    BatchInputError,
    CommuneJob,
    commune_code_of,
    plan_jobs,
    selected_communes,
    split_export,
)
from vaxutils.batch.runner import BatchResult, run_batch, update_runs, write_index

__all__ = [
    "BatchInputError",
    "BatchResult",
    "CommuneJob",
    "commune_code_of",
    "plan_jobs",
    "run_batch",
    "run_commune",
    "selected_communes",
    "split_export",
    "update_runs",
    "write_index",
]
