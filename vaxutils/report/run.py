"""Run a report notebook with papermill and export it to HTML.

papermill starts one kernel per notebook. Kernels launched at the same moment by parallel
workers can race for the same free TCP port; a failed kernel start is therefore retried, and
only a failure *inside* the notebook counts as the commune's failure.
"""

from __future__ import annotations

import time
from pathlib import Path

from vaxutils.errors import VaxutilsError
from vaxutils.report.export import notebook_to_html

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
COMMUNE_NOTEBOOK = NOTEBOOK_DIR / "commune_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOK_DIR / "overview.ipynb"
KERNEL_NAME = "python3"
KERNEL_START_ATTEMPTS = 3


class NotebookFailed(VaxutilsError):
    """A report notebook raised an error while running."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(
        marker in text
        for marker in ("kernel died", "address already in use", "zmqerror", "kernel didn't respond")
    )


def execute_notebook(
    template: str | Path, output_ipynb: str | Path, parameters: dict, timeout: int = 600
) -> Path:
    """Execute ``template`` with ``parameters`` into ``output_ipynb`` (folders created first)."""
    import papermill as pm  # heavy import, only when a notebook runs

    output_ipynb = Path(output_ipynb)
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            pm.execute_notebook(
                str(template),
                str(output_ipynb),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                cwd=str(output_ipynb.parent),
            )
            return output_ipynb
        except pm.PapermillExecutionError as exc:
            raise NotebookFailed(
                f"Sổ tay {Path(template).name} lỗi ở ô {exc.cell_index}: {exc.ename}: {exc.evalue}"
                f" / notebook failed in cell {exc.cell_index}."
            ) from exc
        except (RuntimeError, TimeoutError, OSError) as exc:
            if attempt == KERNEL_START_ATTEMPTS or not _is_kernel_start_failure(exc):
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def render_report(
    template: str | Path,
    parameters: dict,
    output_ipynb: str | Path,
    output_html: str | Path,
    title: str,
) -> Path:
    """Execute the notebook, then write a self-contained HTML page of its outputs."""
    executed = execute_notebook(template, output_ipynb, parameters)
    page = notebook_to_html(executed, title)
    return write_text_atomic(output_html, page)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (temporary file, then rename)."""
    from vaxutils.io.files import write_atomic

    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
