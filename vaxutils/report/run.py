"""Run a report notebook and export it to HTML.

By default papermill starts one kernel per notebook (``vaxutils report``: one commune). A batch
worker runs its communes inside :func:`using_engine` instead: one kernel kept across notebooks and
reset between them (:mod:`vaxutils.report.engine`), the same cells, parameters and outputs.
 On POSIX the kernel talks over IPC sockets in a private
temporary folder rather than TCP: parallel workers can no longer race for the same free port,
and ipykernel has no reason to warn about unencrypted TCP. The kernel's own log is turned down
to CRITICAL: a user of ``vaxutils batch`` sees our progress bar and summary, not the kernel's
"KeyboardInterrupt caught in kernel" (jupyter_client interrupts every kernel before shutting it
down). Errors inside the notebook still arrive as :class:`NotebookFailed`. A failed kernel
start is retried, and only a failure *inside* the notebook counts as the commune's failure.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from vaxutils.io.files import write_atomic
from vaxutils.report.engine import (
    KERNEL_ARGUMENTS,
    KERNEL_NAME,
    KERNEL_START_ATTEMPTS,
    NotebookEngine,
    NotebookFailed,
    _is_kernel_start_failure,
    kernel_manager,
    socket_dir,
)
from vaxutils.report.export import notebook_to_html
from vaxutils.resources import shipped

NOTEBOOK_DIR = shipped("notebooks")
COMMUNE_NOTEBOOK = NOTEBOOK_DIR / "commune_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOK_DIR / "overview.ipynb"

__all__ = [
    "COMMUNE_NOTEBOOK",
    "KERNEL_ARGUMENTS",
    "KERNEL_NAME",
    "NotebookFailed",
    "OVERVIEW_NOTEBOOK",
    "execute_notebook",
    "render_report",
    "using_engine",
    "write_text_atomic",
]

_current = threading.local()


@contextlib.contextmanager
def using_engine(engine: NotebookEngine | None) -> Iterator[NotebookEngine | None]:
    """Inside this block, this thread's notebooks run on ``engine`` (a kernel kept across
    notebooks, :mod:`vaxutils.report.engine`) instead of a fresh kernel each; None: fresh kernels."""
    previous = getattr(_current, "engine", None)
    _current.engine = engine
    try:
        yield engine
    finally:
        _current.engine = previous


def execute_notebook(
    template: str | Path, output_ipynb: str | Path, parameters: dict, timeout: int = 600
) -> Path:
    """Execute ``template`` with ``parameters`` into ``output_ipynb`` (folders created first), on
    the engine of :func:`using_engine` when there is one, else with papermill on a new kernel."""
    engine = getattr(_current, "engine", None)
    if engine is not None:
        engine.timeout = timeout
        engine.run(template, output_ipynb, parameters)
        return Path(output_ipynb)
    import papermill as pm  # heavy import, only when a notebook runs

    output_ipynb = Path(output_ipynb)
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        sockets = socket_dir()
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
                km=kernel_manager(sockets),
                extra_arguments=list(KERNEL_ARGUMENTS[:1]),
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
        finally:
            if sockets is not None:
                shutil.rmtree(sockets, ignore_errors=True)
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
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
