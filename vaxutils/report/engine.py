"""One Jupyter kernel that runs report after report: a batch worker pays the kernel start and the
imports (pandas, matplotlib, vaxutils) once, not once per commune.

:class:`NotebookEngine` starts a kernel, then for each notebook: parameterises it as papermill does
(:func:`papermill.parameterize.parameterize_notebook`, the same injected cell and metadata), resets
the kernel to the state it had just after starting, and executes the cells with papermill's own
``nbclient`` client on the running kernel (papermill's path with the kernel manager and client kept).

The reset between notebooks (:data:`RESET_CODE`) clears everything a notebook can leave behind
that would change the next one's output: the user namespace and output history
(``InteractiveShell.reset(new_session=True)``, which also restarts the execution count), open
figures, matplotlib's ``rcParams``, the warning filters (and, through ``_filters_mutated``, every
module's record of warnings already shown), pandas options and the working folder. Imported
modules stay: that is the point. A notebook that fails, times out or kills its kernel gets the
kernel restarted before the error is raised, so whatever it broke cannot reach the next commune.

The kernel is the engine's child process: it watches its parent (``JPY_PARENT_PID``, ipykernel's
parent poller) and ends when the worker ends, however the worker ends; :func:`worker_engine`'s
engines are also shut down at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from vaxutils.errors import VaxutilsError

KERNEL_NAME = "python3"
#: Command-line options for the kernel: its log would otherwise reach the user's terminal; its
#: history in memory (parallel kernels would otherwise queue on one SQLite file).
KERNEL_ARGUMENTS: tuple[str, ...] = (
    "--IPKernelApp.log_level=CRITICAL",
    "--HistoryManager.hist_file=:memory:",
)
KERNEL_START_ATTEMPTS = 3
START_TIMEOUT = 60
#: Unix socket paths are limited to ~107 bytes; past this, stay on TCP.
LONGEST_IPC_PATH = 90

#: Run once in a new kernel: the pristine state every notebook starts from.
SETUP_CODE = """
import sys as _sys, types as _types, warnings as _warnings
import matplotlib as _mpl, matplotlib.pyplot as _plt, pandas as _pd
_state = _types.ModuleType("_vaxutils_engine_state")
_state.rc = _mpl.rcParams.copy()
_state.filters = list(_warnings.filters)
with _warnings.catch_warnings():  # reading a deprecated option warns
    _warnings.simplefilter("ignore")
    _state.pandas = {k: _pd.get_option(k) for k in _pd._config.config._registered_options}
_sys.modules["_vaxutils_engine_state"] = _state
get_ipython().reset(new_session=True)
"""

#: Run before every notebook (``{cwd!r}`` filled in): back to the state :data:`SETUP_CODE` kept.
RESET_CODE = """
get_ipython().reset(new_session=True)
import os as _os, sys as _sys, warnings as _warnings
import matplotlib as _mpl, matplotlib.pyplot as _plt, pandas as _pd
_state = _sys.modules["_vaxutils_engine_state"]
_plt.close("all")
_mpl.rcParams.clear()
_mpl.rcParams.update(_state.rc)
_warnings.filters[:] = _state.filters
_warnings._filters_mutated()
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    for _k, _v in _state.pandas.items():
        if _pd.get_option(_k) != _v:
            _pd.set_option(_k, _v)
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
"""

log = logging.getLogger(__name__)


class NotebookFailed(VaxutilsError):
    """A report notebook raised an error while running."""


class KernelFailed(VaxutilsError):
    """The engine's kernel could not be started or reset."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(
        marker in text
        for marker in ("kernel died", "address already in use", "zmqerror", "kernel didn't respond")
    )


def socket_dir() -> str | None:
    """A private folder for a kernel's sockets (POSIX only), or None to use TCP.

    On POSIX the kernel talks over IPC sockets in this folder rather than TCP: parallel workers
    cannot race for the same free port, and ipykernel has no reason to warn about unencrypted TCP.
    """
    if os.name != "posix":
        return None
    folder = tempfile.mkdtemp(prefix="vx-")
    if len(folder) + len("/k-99999") > LONGEST_IPC_PATH:
        os.rmdir(folder)
        return None
    return folder


def kernel_manager(sockets: str | None):
    """A kernel manager: IPC sockets in ``sockets`` when given, else TCP."""
    from jupyter_client.manager import AsyncKernelManager

    if sockets is None:
        return AsyncKernelManager(kernel_name=KERNEL_NAME)
    return AsyncKernelManager(
        kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(sockets, "k")
    )


def _sync(coroutine_function):
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)


class NotebookEngine:
    """A kernel started once; :meth:`run` executes one parameterised notebook on it.

    Use it from one thread (the kernel client lives on that thread's event loop); a worker with
    several threads gets one engine per thread from :func:`worker_engine`.
    """

    def __init__(self, timeout: int = 600) -> None:
        self.timeout = timeout
        self.km = None
        self.kc = None
        self.runs = 0  # notebooks run on the current kernel
        self.starts = 0  # kernels started (the first, plus one after each failure)
        self._sockets: str | None = None
        self._thread = threading.get_ident()

    # -- kernel life ---------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The kernel's process id, when it runs."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def start(self) -> NotebookEngine:
        """Start the kernel (retried when the start itself fails) and record its pristine state."""
        if self.kc is not None:
            return self
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            self._sockets = socket_dir()
            self.km = kernel_manager(self._sockets)
            try:
                _sync(self.km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
                self.kc = self.km.client()
                self.kc.start_channels()
                _sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
                self.kc.allow_stdin = False
                self._run_code(SETUP_CODE)
                self.starts += 1
                self.runs = 0
                return self
            except Exception as exc:
                self.close()
                if attempt == KERNEL_START_ATTEMPTS or not (
                    _is_kernel_start_failure(exc) or isinstance(exc, (TimeoutError, RuntimeError))
                ):
                    raise KernelFailed(
                        f"Không khởi động được kernel Jupyter: {type(exc).__name__}: {exc}"
                        " / the Jupyter kernel did not start."
                    ) from exc
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the kernel and its channels; the engine can :meth:`start` again."""
        kc, km, sockets, pid = self.kc, self.km, self._sockets, self.pid
        self.kc = self.km = self._sockets = None
        if threading.get_ident() != self._thread:
            # at exit, from another thread: the client's event loop is not ours to drive
            with contextlib.suppress(OSError, TypeError):
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            if sockets is not None:
                shutil.rmtree(sockets, ignore_errors=True)
            return
        try:
            if kc is not None:
                kc.stop_channels()
            if km is not None and km.has_kernel:
                _sync(km.shutdown_kernel)(now=True)
        except Exception as exc:  # a kernel already gone is what we wanted
            log.debug("kernel shutdown: %s", exc)
        finally:
            if km is not None:
                with contextlib.suppress(Exception):
                    _sync(km.cleanup_resources)()
            if sockets is not None:
                shutil.rmtree(sockets, ignore_errors=True)

    def restart(self) -> None:
        """A fresh kernel (after a failure: nothing the failed notebook did survives)."""
        self.close()
        self.start()

    def __enter__(self) -> NotebookEngine:
        return self  # the kernel starts with the first notebook: a loop with none starts none

    def __exit__(self, *exc) -> None:
        self.close()

    def _run_code(self, code: str) -> None:
        """Run code silently on the kernel; raise :class:`KernelFailed` unless it succeeded."""

        async def run() -> dict:
            return await self.kc.execute_interactive(
                code,
                silent=True,
                store_history=False,
                timeout=START_TIMEOUT,
                output_hook=lambda msg: None,  # the reset prints nothing worth showing
            )

        reply = _sync(run)()
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelFailed(
                f"Không đặt lại được kernel: {content.get('ename')}: {content.get('evalue')}"
                " / the kernel could not be reset."
            )

    # -- notebooks -----------------------------------------------------------------------------
    def run(
        self, template: str | Path, output_ipynb: str | Path, parameters: dict
    ) -> nbformat.NotebookNode:
        """Execute ``template`` with ``parameters`` into ``output_ipynb``, the kernel's working
        folder being the output's folder (as :func:`vaxutils.report.run.execute_notebook`)."""
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import (
            prepare_notebook_metadata,
            raise_for_execution_errors,
            remove_error_markers,
        )
        from papermill.iorw import load_notebook_node, write_ipynb
        from papermill.parameterize import parameterize_notebook

        if threading.get_ident() != self._thread:
            raise RuntimeError("a NotebookEngine is used from the thread that made it")
        output_ipynb = Path(output_ipynb)
        output_ipynb.parent.mkdir(parents=True, exist_ok=True)
        nb = load_notebook_node(str(template))
        if parameters:
            nb = parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME)
        nb = prepare_notebook_metadata(nb, str(template), str(output_ipynb))
        nb = remove_error_markers(nb)
        self.start()
        try:
            self._run_code(RESET_CODE.format(cwd=str(output_ipynb.parent.resolve())))
        except Exception:
            self.restart()
            self._run_code(RESET_CODE.format(cwd=str(output_ipynb.parent.resolve())))
        manager = NotebookExecutionManager(nb, progress_bar=False, log_output=False)
        manager.notebook_start()
        client = PapermillNotebookClient(
            manager,
            km=self.km,
            timeout=self.timeout,
            startup_timeout=START_TIMEOUT,
            kernel_name=KERNEL_NAME,
            log=logging.getLogger("papermill"),
            log_output=False,
        )
        client.kc = self.kc  # the running kernel's channels: nothing to start, nothing to stop
        self.runs += 1
        try:
            client.execute()
        except Exception as exc:  # timeout, dead kernel: the kernel is in no state to go on
            manager.notebook_complete()
            write_ipynb(manager.nb, str(output_ipynb))
            self.restart()
            raise NotebookFailed(
                f"Sổ tay {Path(template).name} dừng giữa chừng: {type(exc).__name__}: {exc}"
                " / the notebook stopped."
            ) from exc
        manager.notebook_complete()
        nb = manager.nb
        try:
            raise_for_execution_errors(nb, str(output_ipynb))
        except PapermillExecutionError as exc:
            self.restart()
            raise NotebookFailed(
                f"Sổ tay {Path(template).name} lỗi ở ô {exc.cell_index}: {exc.ename}: {exc.evalue}"
                f" / notebook failed in cell {exc.cell_index}."
            ) from exc
        write_ipynb(nb, str(output_ipynb))
        return nb


_engines = threading.local()
_all_engines: list[NotebookEngine] = []


def worker_engine() -> NotebookEngine:
    """This thread's engine (its kernel starts with its first notebook), kept until the process
    ends."""
    engine = getattr(_engines, "engine", None)
    if engine is None:
        engine = _engines.engine = NotebookEngine()
        _all_engines.append(engine)
    return engine


@atexit.register
def _close_engines() -> None:
    for engine in _all_engines:
        engine.close()
