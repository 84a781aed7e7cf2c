"""Data contracts between stages: Great Expectations suites in ``expectations/*.json``.

Every stage boundary has a suite an analyst can read and edit (``vaxutils contracts list``).
A stage calls :func:`require` on what it reads; a broken contract stops the stage with a short
Vietnamese summary, never a traceback:

    from vaxutils import contracts
    contracts.require(export.records, "platform_export", context="xã 01420")
    result = contracts.validate(records, "records", params={...})
    print(result.summary_vi())
    contracts.build_data_docs(all_results, out_dir)     # once, at the end of a batch

Importing this package is cheap; Great Expectations (~2.5 s) is imported on the first
validation.
"""

from vaxutils.contracts.docs import build_data_docs
from vaxutils.contracts.errors import ContractError
from vaxutils.contracts.result import ContractFailure, ContractResult
from vaxutils.contracts.runner import Suite, load_suite, require, validate
from vaxutils.contracts.suites import SuiteSpec, list_suites, read_suite

__all__ = [
    "ContractError",
    "ContractFailure",
    "ContractResult",
    "Suite",
    "SuiteSpec",
    "build_data_docs",
    "list_suites",
    "load_suite",
    "read_suite",
    "require",
    "validate",
]
