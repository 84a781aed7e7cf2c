"""The steps of the procedure (S1–S7), each owning its folder: ``run_<step>`` reads its inputs,
checks the data contract, computes (``screen``, ``workflow``, ``passport``) and writes its folder
atomically; ``load_<step>`` reads a folder a run wrote and says clearly what is missing and what
to run. The names of every folder's files are :mod:`vaxutils.stage_files` (handed on here as
``layout``). The CLI, ``batch``, ``demo`` and the round trip all go through these functions.

>>> from vaxutils.stages import layout
>>> layout.SCREEN.records, layout.PLATFORM.merges
('records.parquet', 'gop_trung.csv')
"""

from vaxutils import stage_files as layout
from vaxutils.stages.passport import (
    load_passport,
    run_certificates,
    run_passport,
    run_passport_workbook,
    run_signed,
)
from vaxutils.stages.platform import load_platform, run_platform, run_platform_results
from vaxutils.stages.police import load_police, run_police_in, run_police_out
from vaxutils.stages.review import load_review, run_review_in, run_review_out
from vaxutils.stages.screen import (
    export_date,
    load_screen,
    read_registry,
    run_screen,
    run_screen_export,
    screen_file,
)
from vaxutils.stages.verify import load_verify, run_verify

__all__ = [
    "export_date",
    "layout",
    "load_passport",
    "load_platform",
    "load_police",
    "load_review",
    "load_screen",
    "load_verify",
    "read_registry",
    "run_certificates",
    "run_passport",
    "run_passport_workbook",
    "run_platform",
    "run_platform_results",
    "run_police_in",
    "run_police_out",
    "run_review_in",
    "run_review_out",
    "run_screen",
    "run_screen_export",
    "run_signed",
    "run_verify",
    "screen_file",
]
