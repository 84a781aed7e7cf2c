"""A batch killed mid-run (SIGKILL to its whole process group) and run again (issue 13).

After the rerun every commune is listed once in ``runs.csv`` and ``index.html``, each commune's
outputs are identical to those of an uninterrupted run, and no process of the killed batch (its
workers, their notebook kernels) is left running. Three tiny communes, two workers; the last one
is fully clean (nothing blocked: its passport list, report and batch entry must still work).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from vaxutils.batch.synthetic import EXPORT_DATE, write_small_commune
from vaxutils.synth import ErrorRates, generate_commune, write_commune

CODES = ("01363", "01366", "01367")
MARK = "VAXUTILS_KILL_TEST"
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find processes")


def _batch(
    inputs: Path, out: Path, env: dict, workers: int = 2, communes: list[str] | None = None
) -> subprocess.Popen:
    only = ["--communes", ",".join(communes)] if communes else []
    command = [
        sys.executable,
        "-c",
        "from vaxutils.cli import main; main()",
        "batch",
        "--input",
        str(inputs),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--no-overview",
        "--no-contracts",
        "--export-date",
        "15/05/2022",
        *only,
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal would give it
    )


def _marked(mark: str) -> list[int]:
    """Processes whose environment carries ``mark`` (the batch and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"{MARK}={mark}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _finished(out: Path) -> int:
    return sum((out / code / "manifest.json").is_file() for code in CODES)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("communes")
    for seed, code in enumerate(CODES[:-1], start=1):
        write_small_commune(code, folder, persons=25, seed=seed)
    clean = generate_commune(
        CODES[-1], n_persons=25, seed=3, rates=ErrorRates.none(), export_date=EXPORT_DATE
    )
    write_commune(clean, folder, fmt="csv")
    return folder


OUTPUTS = ("screen/findings.csv", "screen/records.parquet", "report.html")


def test_killed_batch_resumes_with_every_commune_once_and_the_same_outputs(inputs, tmp_path):
    """Killed as soon as one commune is finished (the others are mid-run), then run again.

    A commune finished before the kill is an uninterrupted run already: the rerun must leave it
    byte for byte as it was and list it. The communes the kill interrupted are compared with an
    uninterrupted batch of just those, run beside the rerun (the 2-core machine runs both at
    once; one reference batch of every commune first cost a minute more) with one worker.
    """
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK: mark, "PYTHONPATH": os.pathsep.join(sys.path)}
    full, killed = tmp_path / "full", tmp_path / "killed"

    batch = _batch(inputs, killed, env)
    deadline = time.monotonic() + 600
    while _finished(killed) == 0 and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert batch.poll() is None, "the batch ended before it could be killed"
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    done = [code for code in CODES if (killed / code / "manifest.json").is_file()]
    assert 0 < len(done) < len(CODES)
    interrupted = [code for code in CODES if code not in done]
    # workers watch their parent, kernels watch their worker (each polls once a second)
    deadline = time.monotonic() + 30
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marked(mark) == [], "processes of the killed batch are still running"
    before = {
        (code, name): (killed / code / name).read_bytes() for code in done for name in OUTPUTS
    }
    manifests = {
        code: json.loads((killed / code / "manifest.json").read_text("utf-8")) for code in done
    }

    rerun = _batch(inputs, killed, env)
    # the reference runs in the batch's own process (one kernel, no worker to start): its
    # outputs must not depend on how many workers made them either
    reference = _batch(inputs, full, {**env, MARK: "reference"}, workers=1, communes=interrupted)
    assert rerun.wait(timeout=600) == 0 and reference.wait(timeout=600) == 0
    runs = pd.read_csv(killed / "runs.csv", dtype=str).set_index("commune_code").sort_index()
    assert sorted(runs.index) == list(CODES)  # every commune, once
    expected = pd.read_csv(full / "runs.csv", dtype=str).set_index("commune_code").sort_index()
    pd.testing.assert_frame_equal(runs.loc[interrupted], expected.loc[interrupted])
    for code in done:  # the row the killed batch made for it, kept as it was
        kept = {k: v for k, v in runs.loc[code].items() if isinstance(v, str)}
        made = {k: str(v) for k, v in manifests[code]["runs_row"].items() if k != "commune_code"}
        assert {k: made[k] for k in kept} == kept, code
    clean = runs.loc[CODES[-1]]
    assert clean["n_needs_fix"] == "0" and clean["n_needs_review"] == "0"
    assert (killed / CODES[-1] / "ky_ho_chieu_20220515.xlsx").is_file()
    index = (killed / "index.html").read_text("utf-8")
    for code in CODES:
        assert index.count(f'href="{code}/report.html"') == 1
        for name in OUTPUTS:
            now = (killed / code / name).read_bytes()
            then = before[code, name] if code in done else (full / code / name).read_bytes()
            assert now == then, (code, name)
