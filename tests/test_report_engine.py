"""One kernel reused across notebooks (vaxutils.report.engine): the same outputs as papermill's
fresh kernel (the nbval goldens), nothing leaking from one notebook to the next, a failure never
reaching the next notebook, and the kernel gone with its worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from vaxutils.report.engine import NotebookEngine, NotebookFailed
from vaxutils.report.run import COMMUNE_NOTEBOOK, execute_notebook, using_engine

GOLDENS = Path(__file__).parent / "notebooks"
SANITIZE = [
    (r"\d{4}-\d{2}-\d{2}(T[\d:.+]+)?", "DATE"),
    (r"\d{2}/\d{2}/\d{4}", "DD/MM/YYYY"),
    (r"(/[\w.\-]+)+/?", "PATH"),
    (r"\d+(\.\d+)? ?(s|giây)\b", "SECONDS"),
]

PROBE = """\
import os, sys, warnings
import matplotlib as mpl
import pandas as pd
print(sorted(k for k in globals() if k.startswith("seen_")), hasattr(sys, "vx_poison"))
print(mpl.rcParams["figure.dpi"], pd.get_option("display.max_rows"), len(warnings.filters))
print(os.getcwd() == here, get_ipython().execution_count)
"""

POLLUTE = """\
exec(f"seen_{name} = 1")
mpl.rcParams["figure.dpi"] = 7
pd.set_option("display.max_rows", 3)
warnings.simplefilter("ignore")
os.chdir("/")
"""


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell('name = "x"\nhere = "."')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


def _outputs(nb: nbformat.NotebookNode) -> list[list]:
    """Each code cell's outputs as nbval compares them (sanitised, no stderr, no images)."""

    def clean(text: str) -> str:
        for pattern, replace in SANITIZE:
            text = re.sub(pattern, replace, text)
        return text

    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            if out.get("name") == "stderr":
                continue
            if "text" in out:
                kept.append(clean(out["text"]))
            kept += [
                (k, clean(str(v)))
                for k, v in sorted(out.get("data", {}).items())
                if k != "image/png"
            ]
        found.append(kept)
    return found


def _stdout(nb) -> list[str]:
    return [
        o["text"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("name") == "stdout"
    ]


def test_one_kernel_many_notebooks_as_if_each_had_its_own(tmp_path):
    probe = _notebook(tmp_path / "probe.ipynb", PROBE)
    pollute = _notebook(tmp_path / "pollute.ipynb", PROBE, POLLUTE)
    fail = _notebook(
        tmp_path / "fail.ipynb", "import sys\nsys.vx_poison = 1\nraise ValueError('hỏng')"
    )
    die = _notebook(tmp_path / "die.ipynb", "import os\nos._exit(3)")
    here = {"here": str((tmp_path / "runs").resolve())}
    with NotebookEngine(timeout=60) as engine:
        fresh = _stdout(engine.run(probe, tmp_path / "runs" / "p0.ipynb", here))
        assert fresh[0].startswith("[] False\n") and fresh[0].endswith("True 4\n")
        # commune A sets a variable, rcParams, a pandas option, a warning filter, the folder
        engine.run(pollute, tmp_path / "runs" / "a.ipynb", {"name": "a", **here})
        assert _stdout(engine.run(probe, tmp_path / "runs" / "p1.ipynb", here)) == fresh
        # a failing notebook: its error is the commune's, its kernel is replaced
        with pytest.raises(NotebookFailed, match="ValueError: hỏng"):
            engine.run(fail, tmp_path / "runs" / "f.ipynb", here)
        assert _stdout(engine.run(probe, tmp_path / "runs" / "p2.ipynb", here)) == fresh
        # a notebook that kills its kernel
        with pytest.raises(NotebookFailed):
            engine.run(die, tmp_path / "runs" / "d.ipynb", here)
        assert _stdout(engine.run(probe, tmp_path / "runs" / "p3.ipynb", here)) == fresh
        assert engine.starts == 3 and engine.runs == 1  # a kernel per failure, not per notebook
        # the real report after a polluter: the golden papermill wrote with a fresh kernel
        engine.run(pollute, tmp_path / "runs" / "b.ipynb", {"name": "b", **here})
        golden = nbformat.read(GOLDENS / "commune_report_01366.ipynb", as_version=4)
        with using_engine(engine):
            executed = execute_notebook(
                COMMUNE_NOTEBOOK,
                GOLDENS / "_engine_01366.ipynb",
                {"commune_code": "01366", "screen_dir": "commune_01366/screen"},
            )
        try:
            assert _outputs(nbformat.read(executed, as_version=4)) == _outputs(golden)
        finally:
            executed.unlink()
        assert engine.starts == 3


def test_the_kernel_dies_with_its_worker(tmp_path):
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from vaxutils.report.engine import worker_engine\n"
            "print(worker_engine().start().pid, flush=True)\n"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    kernel = int(worker.stdout.readline())
    os.kill(kernel, 0)  # alive
    started = time.monotonic()
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            print("gone after", time.monotonic() - started)
            return
        try:  # a zombie kernel (reaped by nobody yet) counts as gone
            if Path(f"/proc/{kernel}/stat").read_text().split()[2] == "Z":
                return
        except OSError:
            return
        time.sleep(0.2)
    os.kill(kernel, signal.SIGKILL)
    pytest.fail("the kernel outlived its worker")
