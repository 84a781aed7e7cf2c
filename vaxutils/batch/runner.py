"""Fan commune jobs out to a local process pool or a dask.distributed cluster, then index them.

Each commune is isolated: a failure is a row in the index, the others finish, and the caller
gets a non-zero exit code. Communes whose inputs and parameters did not change are skipped.

The state of a batch is each commune's own manifest (``<out>/<code>/manifest.json``, written
atomically when the commune finishes, with its history row). ``runs.csv`` and ``index.html`` are
merged from every manifest in ``--out`` (and the previous ``runs.csv``), refreshed while the batch
runs and at its end: a batch that is killed loses no finished commune, and a batch over a few
communes still lists every commune ever finished in that folder. Local workers watch their
parent and end when it is gone (a SIGKILL gives the pool no chance to stop them).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vaxutils.batch.job import check_fresh, run_commune
from vaxutils.batch.manifest import read_manifest
from vaxutils.batch.plan import CommuneJob
from vaxutils.io.paths import is_commune_code

INDEX_NAME = "index.html"
RUNS_NAME = "runs.csv"
OVERVIEW_NAME = "overview.html"
#: runs.csv and index.html are rewritten at most this often while a batch runs (each rewrite
#: reads every manifest in --out: not after every commune of a province)
REFRESH_SECONDS = 10.0
#: how often a worker checks that the batch that started it is still there
PARENT_POLL_SECONDS = 1.0
#: index status of a commune finished by an earlier batch in the same folder
EARLIER = "earlier"

Progress = Callable[[dict], None]


@dataclass
class BatchResult:
    """Per-commune result rows (status ok / skipped / failed) and the files written."""

    rows: list[dict]
    index_html: Path
    extra: dict[str, Path] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def run_in_worker(job: CommuneJob, out: Path) -> dict:
    """:func:`run_commune` in a batch worker: its notebook runs on the worker's kernel, started
    with the worker's first commune and kept for the next (:mod:`vaxutils.report.engine`)."""
    from vaxutils.report.engine import worker_engine
    from vaxutils.report.run import using_engine

    with using_engine(worker_engine()):
        return run_commune(job, out)


def _local(jobs: list[CommuneJob], out: Path, workers: int, on_done: Progress) -> list[dict]:
    if workers <= 1 or len(jobs) == 1:
        from vaxutils.report.engine import NotebookEngine
        from vaxutils.report.run import using_engine

        rows = []
        # one kernel for the whole loop, closed with it (the caller's process goes on)
        with NotebookEngine() as engine, using_engine(engine):
            for job in jobs:
                rows.append(run_commune(job, out))
                on_done(rows[-1])
        return rows
    # spawn, not fork: the parent may hold threads (progress bar) and fork would copy their locks
    context = multiprocessing.get_context("spawn")
    rows = []
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = {pool.submit(run_in_worker, job, out): job for job in jobs}
        for future in as_completed(futures):
            rows.append(_result_or_failure(future, futures[future]))
            on_done(rows[-1])
    return rows


def watch_parent(parent_pid: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """In a worker: end this process as soon as its parent is gone.

    A worker waiting on the pool's queue never sees the parent die (it holds the queue's write end
    itself), and one busy with a commune would finish it for nobody. Its notebook kernel watches
    the worker the same way (ipykernel's parent poller), so nothing outlives the batch.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="vaxutils-watch-parent", daemon=True).start()


def dask_jobs(
    jobs: list[CommuneJob],
    out: Path,
    scheduler: object,
    on_done: Progress,
    task: Callable[[CommuneJob, Path], dict] = run_in_worker,
) -> list[dict]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {
            client.submit(task, job, out, pure=False, key=f"commune-{job.commune_code}"): job
            for job in jobs
        }
        rows = []
        for future in dask_completed(list(futures)):
            rows.append(_result_or_failure(future, futures[future]))
            on_done(rows[-1])
        return rows
    finally:
        if client is not scheduler:
            client.close()


def _result_or_failure(future, job: CommuneJob) -> dict:
    """A worker that died (not a commune that failed) is still one commune's failure."""
    try:
        return future.result()
    except Exception as exc:
        return {
            "commune_code": job.commune_code,
            "commune_name": job.commune_name,
            "status": "failed",
            "error": f"Tiến trình chạy xã bị dừng / worker failed: {type(exc).__name__}: {exc}",
        }


def run_batch(
    jobs: Iterable[CommuneJob],
    out: str | Path,
    workers: int | None = None,
    scheduler: object = None,
    on_done: Progress | None = None,
    overview: bool = True,
    data_docs: bool = True,
) -> BatchResult:
    """Run every job (skipping unchanged communes), then write ``index.html`` and ``runs.csv``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    caller_done = on_done or (lambda row: None)
    jobs = list(jobs)
    rows, to_run = [], []
    last_refresh = time.monotonic()

    def on_done(row: dict) -> None:
        nonlocal last_refresh
        caller_done(row)
        if time.monotonic() - last_refresh >= REFRESH_SECONDS:
            update_runs(out, [])
            write_index(out, [*rows, row], {})
            last_refresh = time.monotonic()

    for job in jobs:
        previous = check_fresh(job, out)
        if previous:
            rows.append(previous)
            caller_done(previous)
        else:
            to_run.append(job)
    if to_run:
        if scheduler is not None:
            rows += dask_jobs(to_run, out, scheduler, on_done)
        else:
            rows += _local(to_run, out, workers or os.cpu_count() or 1, on_done)
    return finish_batch(out, rows, overview=overview, data_docs=data_docs)


def finish_batch(
    out: Path, rows: list[dict], overview: bool = True, data_docs: bool = True
) -> BatchResult:
    """After the communes: ``runs.csv``, the overview, the Data Docs and ``index.html``."""
    rows.sort(key=lambda r: r["commune_code"])
    extra = {}
    runs = update_runs(out, rows)
    if overview and len(runs):
        extra.update(_overview(out))
    if data_docs:
        extra.update(_data_docs(out, rows))
    index = write_index(
        out, rows, {_LINK_LABELS[k]: v.relative_to(out).as_posix() for k, v in extra.items()}
    )
    return BatchResult(rows=rows, index_html=index, extra=extra)


def finished_communes(out: Path) -> list[dict]:
    """The manifest of every commune that finished in ``out`` (any batch), in code order."""
    found = []
    for folder in sorted(Path(out).iterdir()) if Path(out).is_dir() else []:
        if not (is_commune_code(folder.name) and folder.is_dir()):
            continue
        manifest = read_manifest(folder)
        if (
            manifest
            and manifest.get("status") == "ok"
            and manifest.get("commune_code") == folder.name
        ):
            found.append(manifest)
    return found


_LINK_LABELS = {
    "overview": "Báo cáo tổng hợp các xã",
    "data_docs": "Kết quả kiểm tra hợp đồng dữ liệu (Great Expectations Data Docs)",
}


def update_runs(out: Path, rows: list[dict]) -> pd.DataFrame:
    """Merge into ``runs.csv`` (one row per commune and run date) the history row of every commune
    finished in ``out`` (their manifests) and this batch's successful communes."""
    from vaxutils.io.writers import write_csv
    from vaxutils.report.overview import RUN_COLUMNS, runs_row

    path = out / RUNS_NAME
    finished = [
        m["runs_row"] for m in finished_communes(out) if isinstance(m.get("runs_row"), dict)
    ]
    now = [
        runs_row(r["commune_code"], r["summary"], r["commune_name"])
        for r in rows
        if r.get("summary")
    ]
    new = pd.DataFrame(finished + now, columns=list(RUN_COLUMNS))
    old = (
        pd.read_csv(path, dtype={"commune_code": str, "commune_name": str, "run": str})
        if path.is_file()
        else pd.DataFrame(columns=list(RUN_COLUMNS))
    )
    frames = [f for f in (old, new) if len(f)]
    runs = pd.concat(frames, ignore_index=True) if frames else new
    runs = runs.drop_duplicates(["run", "commune_code"], keep="last")
    if len(new):
        write_csv(path, runs, escape=True)
    return runs


def _overview(out: Path) -> dict[str, Path]:
    from vaxutils.report.run import OVERVIEW_NOTEBOOK, render_report

    try:
        path = render_report(
            OVERVIEW_NOTEBOOK,
            {"batch_dir": str(out.resolve()), "title": "Tổng hợp các xã"},
            out / "overview.ipynb",
            out / OVERVIEW_NAME,
            "Tổng hợp làm sạch dữ liệu tiêm chủng theo xã",
        )
    except Exception:  # the overview is a bonus; the index and the commune reports still stand
        return {}
    return {"overview": path}


def _data_docs(out: Path, rows: list[dict]) -> dict[str, Path]:
    results = [r["contract"] for r in rows if r.get("contract") is not None]
    if not results:
        return {}
    try:
        from vaxutils import contracts

        return {"data_docs": Path(contracts.build_data_docs(results, out))}
    except Exception:  # Data Docs are optional; never fail a batch over them
        return {}


def write_index(out: Path, rows: list[dict], links: dict[str, str]) -> Path:
    """The self-contained index page linking every commune's report: this batch's rows, then
    every other commune finished in ``out`` by an earlier batch."""
    from vaxutils.report.pages import index_page
    from vaxutils.report.run import write_text_atomic

    listed = {r["commune_code"] for r in rows}
    earlier = [
        {**m, "status": EARLIER} for m in finished_communes(out) if m["commune_code"] not in listed
    ]
    every = sorted([*rows, *earlier], key=lambda r: str(r["commune_code"]))
    return write_text_atomic(out / INDEX_NAME, index_page(every, links=links))
