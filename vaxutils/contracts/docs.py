"""Great Expectations Data Docs for a batch of contract results, built once.

GX's site builder re-renders every stored validation on each build, so building after every
commune grows quadratically. Build once at the end of a batch, from a fresh context holding
only these results, and keep their number bounded (failures first).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from vaxutils.contracts.errors import ContractError
from vaxutils.contracts.result import ContractResult

#: At most this many validation pages per build (failed results are kept first).
MAX_RESULTS = 500


def build_data_docs(
    results: Iterable[ContractResult], out_dir: str | os.PathLike, max_results: int = MAX_RESULTS
) -> Path:
    """Write Data Docs for ``results`` into ``out_dir/data_docs/``; return its ``index.html``.

    When there are more than ``max_results`` results, failed ones are kept first, then the
    most recent passing ones.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    kept = _bounded([r for r in results if isinstance(r, ContractResult)], max_results)
    if not kept or any(r.gx_result is None for r in kept):
        raise ContractError(
            "Không có kết quả kiểm tra nào (từ vaxutils.contracts.validate) để dựng Data Docs. "
            "/ No validation results to build Data Docs from."
        )
    site_dir = Path(out_dir) / "data_docs"
    site_dir.mkdir(parents=True, exist_ok=True)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.add_data_docs_site(
        "vaxutils",
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for i, result in enumerate(kept):
        # The run name becomes a folder name: no path separators.
        run = (result.context or result.suite).replace("/", "-").replace("\\", "-")
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite),
            run_id=RunIdentifier(run_name=run),
            batch_identifier=f"{i:05d}",
        )
        context.validation_results_store.set(key, result.gx_result)
    context.build_data_docs(site_names=["vaxutils"])
    return site_dir / "index.html"


def _bounded(results: list[ContractResult], limit: int) -> list[ContractResult]:
    if len(results) <= limit:
        return results
    failed = [r for r in results if not r.success]
    passed = [r for r in results if r.success]
    return (failed + passed[::-1])[:limit]
