"""Fan commune jobs out to a local process pool or a dask.distributed cluster, then index them.

Each commune is isolated: a failure is a row in the index, the others finish, and the caller
gets a non-zero exit code. Communes whose inputs and parameters did not change are skipped.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vaxutils.batch.job import check_fresh, run_commune
from vaxutils.batch.plan import CommuneJob

INDEX_NAME = "index.html"
RUNS_NAME = "runs.csv"
OVERVIEW_NAME = "overview.html"

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


def _local(jobs: list[CommuneJob], out: Path, workers: int, on_done: Progress) -> list[dict]:
    if workers <= 1 or len(jobs) == 1:
        rows = []
        for job in jobs:
            rows.append(run_commune(job, out))
            on_done(rows[-1])
        return rows
    # spawn, not fork: the parent may hold threads (progress bar) and fork would copy their locks
    context = multiprocessing.get_context("spawn")
    rows = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_commune, job, out): job for job in jobs}
        for future in as_completed(futures):
            rows.append(_result_or_failure(future, futures[future]))
            on_done(rows[-1])
    return rows


def _dask(jobs: list[CommuneJob], out: Path, scheduler: object, on_done: Progress) -> list[dict]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = {
            client.submit(run_commune, job, out, pure=False, key=f"commune-{job.commune_code}"): job
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
    on_done = on_done or (lambda row: None)
    jobs = list(jobs)
    rows, to_run = [], []
    for job in jobs:
        previous = check_fresh(job, out)
        if previous:
            rows.append(previous)
            on_done(previous)
        else:
            to_run.append(job)
    if to_run:
        if scheduler is not None:
            rows += _dask(to_run, out, scheduler, on_done)
        else:
            rows += _local(to_run, out, workers or os.cpu_count() or 1, on_done)
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


_LINK_LABELS = {
    "overview": "Báo cáo tổng hợp các xã",
    "data_docs": "Kết quả kiểm tra hợp đồng dữ liệu (Great Expectations Data Docs)",
}


def update_runs(out: Path, rows: list[dict]) -> pd.DataFrame:
    """Append this batch's successful communes to ``runs.csv`` (one row per commune and run date)."""
    from vaxutils.io.writers import write_csv
    from vaxutils.report.overview import RUN_COLUMNS, runs_row

    path = out / RUNS_NAME
    new = pd.DataFrame(
        [
            runs_row(r["commune_code"], r["summary"], r["commune_name"])
            for r in rows
            if r.get("summary")
        ],
        columns=list(RUN_COLUMNS),
    )
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
    """The self-contained index page linking every commune's report."""
    from vaxutils.report.pages import index_page
    from vaxutils.report.run import write_text_atomic

    return write_text_atomic(out / INDEX_NAME, index_page(rows, links=links))
