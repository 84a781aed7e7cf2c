"""Run a report notebook with papermill and export it to HTML.

papermill starts one kernel per notebook. On POSIX the kernel talks over IPC sockets in a private
temporary folder rather than TCP: parallel workers can no longer race for the same free port,
and ipykernel has no reason to warn about unencrypted TCP. The kernel's own log is turned down
to CRITICAL: a user of ``vaxutils batch`` sees our progress bar and summary, not the kernel's
"KeyboardInterrupt caught in kernel" (jupyter_client interrupts every kernel before shutting it
down). Errors inside the notebook still arrive as :class:`NotebookFailed`. A failed kernel
start is retried, and only a failure *inside* the notebook counts as the commune's failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from vaxutils.errors import VaxutilsError
from vaxutils.io.files import write_atomic
from vaxutils.report.export import notebook_to_html

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
COMMUNE_NOTEBOOK = NOTEBOOK_DIR / "commune_report.ipynb"
OVERVIEW_NOTEBOOK = NOTEBOOK_DIR / "overview.ipynb"
KERNEL_NAME = "python3"
KERNEL_START_ATTEMPTS = 3
#: Command-line options for the kernel: its log would otherwise reach the user's terminal.
KERNEL_ARGUMENTS: tuple[str, ...] = ("--IPKernelApp.log_level=CRITICAL",)
#: Unix socket paths are limited to ~107 bytes; past this, stay on TCP.
LONGEST_IPC_PATH = 90


class NotebookFailed(VaxutilsError):
    """A report notebook raised an error while running."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(
        marker in text
        for marker in ("kernel died", "address already in use", "zmqerror", "kernel didn't respond")
    )


def _kernel_manager(socket_dir: str | None):
    """A kernel manager for one run: IPC sockets in ``socket_dir`` when given, else TCP."""
    from jupyter_client.manager import AsyncKernelManager

    if socket_dir is None:
        return AsyncKernelManager(kernel_name=KERNEL_NAME)
    return AsyncKernelManager(
        kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(socket_dir, "k")
    )


def _socket_dir() -> str | None:
    """A private folder for the kernel's sockets (POSIX only), or None to use TCP."""
    if os.name != "posix":
        return None
    folder = tempfile.mkdtemp(prefix="vx-")
    if len(folder) + len("/k-99999") > LONGEST_IPC_PATH:
        os.rmdir(folder)
        return None
    return folder


def execute_notebook(
    template: str | Path, output_ipynb: str | Path, parameters: dict, timeout: int = 600
) -> Path:
    """Execute ``template`` with ``parameters`` into ``output_ipynb`` (folders created first)."""
    import papermill as pm  # heavy import, only when a notebook runs

    output_ipynb = Path(output_ipynb)
    output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        socket_dir = _socket_dir()
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
                km=_kernel_manager(socket_dir),
                extra_arguments=list(KERNEL_ARGUMENTS),
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
            if socket_dir is not None:
                shutil.rmtree(socket_dir, ignore_errors=True)
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
