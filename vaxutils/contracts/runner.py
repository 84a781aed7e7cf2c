"""Validate a frame against a suite with Great Expectations, and gate a stage on the result.

GX is imported on first use (~2.5 s once per process) and one ephemeral context is shared by
every validation of the process; a suite file is turned into GX objects once per version of
the file. After that, validating a commune costs a fraction of a second.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from vaxutils.contracts.errors import ContractError
from vaxutils.contracts.result import N_EXAMPLES, ContractResult, from_gx
from vaxutils.contracts.suites import SuiteSpec, read_suite

_lock = threading.Lock()  # one GX context per process; GX is not documented thread-safe


@dataclass(frozen=True)
class Suite:
    """A suite ready to validate with: the file, its GX object and its parameter values."""

    spec: SuiteSpec
    gx_suite: Any
    parameters: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def description_vi(self) -> str:
        return self.spec.description_vi


def load_suite(name: str | os.PathLike | Suite, params: dict | None = None) -> Suite:
    """Load a suite by name or JSON path; ``params`` override the file's threshold defaults.

    Raises :class:`ContractError` (in Vietnamese) for an unknown suite, a broken file or an
    unknown parameter.
    """
    if isinstance(name, Suite):
        return Suite(
            name.spec,
            name.gx_suite,
            name.spec.resolve_parameters({**name.parameters, **(params or {})}),
        )
    spec = read_suite(name)
    parameters = spec.resolve_parameters(params)
    stat = spec.path.stat()
    return Suite(spec, _gx_suite(str(spec.path), stat.st_mtime_ns, stat.st_size), parameters)


@lru_cache(maxsize=64)
def _gx_suite(path: str, _mtime_ns: int, _size: int):
    # Keyed on the file version, like read_suite: an edited file is rebuilt.
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    from vaxutils.contracts import expectations as _registers  # noqa: F401

    spec = read_suite(path)
    built = []
    for i, entry in enumerate(spec.document["expectations"], start=1):
        try:
            built.append(ExpectationConfiguration(**entry).to_domain_obj())
        except Exception as exc:  # noqa: BLE001  (GX raises many kinds; the user needs the entry)
            kind = entry.get("type") if isinstance(entry, dict) else entry
            raise ContractError(
                f"Bộ kiểm tra «{spec.name}» ({path}): điều kiện thứ {i} ({kind}) không hợp lệ: "
                f"{str(exc)[:300]}. / Invalid expectation in suite file."
            ) from exc
    meta = {k: v for k, v in (spec.document.get("meta") or {}).items()}
    return ExpectationSuite(name=spec.name, expectations=built, meta=meta)


@lru_cache(maxsize=1)
def _batch_definition():
    """The process-wide ephemeral GX context's whole-dataframe batch definition."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,  # personal data: nothing leaves the machine
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("vaxutils").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def validate(
    df: pd.DataFrame,
    suite: str | os.PathLike | Suite,
    params: dict | None = None,
    *,
    context: str | None = None,
) -> ContractResult:
    """Validate ``df`` against ``suite``; never raises for bad *data*, only for bad setup.

    ``params`` override the suite's thresholds for this call; ``context`` (e.g. "xã 01420,
    bước rà soát") is quoted in the summary and names the run in Data Docs.
    """
    if not isinstance(df, pd.DataFrame):
        raise ContractError(
            f"Dữ liệu cần kiểm tra phải là một bảng (pandas DataFrame), không phải "
            f"{type(df).__name__}. / Data to validate must be a DataFrame."
        )
    loaded = load_suite(suite, params)
    id_column = loaded.spec.id_column
    detail: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": N_EXAMPLES}
    if id_column is not None and id_column in df.columns:
        detail["unexpected_index_column_names"] = [id_column]
    # Column labels GX can address; pandas 3 copy-on-write makes the shallow copy safe.
    frame = df.rename(columns=str) if not all(isinstance(c, str) for c in df.columns) else df
    try:
        with _lock:
            gx_result = _run(frame, loaded, detail)
    except ContractError:
        raise
    except Exception as exc:  # noqa: BLE001  (show the user what GX could not do, no traceback)
        raise ContractError(
            f"Không kiểm tra được dữ liệu với bộ «{loaded.name}»: {str(exc)[:300]}. "
            "/ Validation could not run."
        ) from exc
    return from_gx(
        gx_result,
        suite=loaded.name,
        n_rows=len(df),
        id_column=id_column,
        context=context,
        parameters=dict(loaded.parameters),
    )


def _run(frame: pd.DataFrame, loaded: Suite, detail: dict):
    """Validate cheaply first; compute counts and examples only for what failed.

    GX's per-expectation overhead dominates on commune-sized frames and the SUMMARY format
    roughly doubles it, so passing expectations (the usual case) are checked in
    BOOLEAN_ONLY and only the failing ones are re-run for details.
    """
    from great_expectations.core import ExpectationSuite

    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    parameters = dict(loaded.parameters)
    quick = batch.validate(
        loaded.gx_suite,
        result_format={"result_format": "BOOLEAN_ONLY"},
        expectation_parameters=parameters,
    )
    failed = [i for i, r in enumerate(quick.results) if not r.success]
    if not failed:
        return quick
    again = ExpectationSuite(
        name=loaded.name,
        expectations=[quick.results[i].expectation_config.to_domain_obj() for i in failed],
    )
    detailed = batch.validate(again, result_format=detail, expectation_parameters=parameters)
    for i, result in zip(failed, detailed.results, strict=True):
        quick.results[i] = result
    return quick


def require(
    df: pd.DataFrame,
    suite: str | os.PathLike | Suite,
    params: dict | None = None,
    *,
    context: str | None = None,
) -> ContractResult:
    """Validate and stop the stage when the contract fails.

    Raises :class:`ContractError` whose message is the Vietnamese summary (the CLI prints it
    without a traceback); returns the passing result otherwise.
    """
    result = validate(df, suite, params, context=context)
    if not result.success:
        raise ContractError(result.summary_vi(), result=result)
    return result
