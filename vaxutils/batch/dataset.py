"""``vaxutils batch`` over a national dataset (``vaxutils ingest``): every commune's report, on the
dask cluster that screens it.

Two steps on one ``distributed.Client`` (``--scheduler ADDRESS`` or a LocalCluster):

1. :func:`vaxutils.screen.distributed.screen_dataset` screens the dataset where it lies (each task
   reads its own communes' partitions; duplicates across communes found) into ``OUT/_sang_loc/``;
2. one task per commune (:func:`report_screened`) reads only that commune's screened files, writes
   its ``screen/`` folder, workbooks and report like a file batch does (:func:`~vaxutils.batch.job.
   run_commune`), the notebook running on the worker's kernel kept across communes
   (:mod:`vaxutils.report.engine`). A commune whose screened files did not change since its last
   report is skipped.

The driving process holds the communes' summaries and result rows, never their records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vaxutils.batch.job import check_fresh
from vaxutils.batch.plan import NO_COMMUNE, CommuneJob
from vaxutils.batch.runner import BatchResult, Progress, dask_jobs, finish_batch, run_in_worker
from vaxutils.io.paths import is_commune_code

#: Where the dataset's screening goes inside ``--out`` (the communes' folders sit beside it).
SCREEN_DIR = "_sang_loc"


@dataclass(frozen=True)
class ScreenedCommune:
    """One commune's outputs in a dataset screening folder (what its report task reads)."""

    root: str
    province: str
    commune: str


def screened_fingerprint(screened: ScreenedCommune) -> str:
    """SHA-256 over the commune's screened files: its report reruns when they change (its own
    records, or a cross-commune finding brought by another commune's)."""
    from vaxutils.io.files import file_sha256
    from vaxutils.screen.distributed import OUT_TABLES, commune_folder, output_file

    digest = hashlib.sha256()
    for table in OUT_TABLES:
        digest.update(
            file_sha256(
                output_file(screened.root, table, screened.province, screened.commune)
            ).encode()
        )
    digest.update(
        file_sha256(commune_folder(screened.root, screened.commune) / "summary.json").encode()
    )
    return digest.hexdigest()


def load_screened(screened: ScreenedCommune, screen_dir: Path):
    """The commune's screening result, written to ``screen_dir`` as ``vaxutils screen`` writes one
    (what its notebook and the later steps read)."""
    import json

    import pandas as pd

    from vaxutils.screen import ScreenResult
    from vaxutils.screen.distributed import commune_folder, output_file
    from vaxutils.stages.screen import write_screen

    tables = {
        name: pd.read_parquet(output_file(screened.root, name, screened.province, screened.commune))
        for name in ("findings", "records", "doses")
    }
    summary = json.loads(
        (commune_folder(screened.root, screened.commune) / "summary.json").read_text("utf-8")
    )
    summary["inputs"] = [
        {
            "role": "dataset",
            "path": screened.root,
            "partition": f"{screened.province}/{screened.commune}",
        }
    ]
    result = ScreenResult(tables["findings"], tables["records"], tables["doses"], summary)
    write_screen(result, screen_dir)
    return result


def report_screened(job: CommuneJob, out: Path) -> dict:
    """Task of step 2: one commune's report from its screened files (skipped when unchanged)."""
    job.export_fingerprint = screened_fingerprint(job.screened)
    previous = check_fresh(job, out)
    if previous:
        return previous
    return run_in_worker(job, out)


def _failed(code: str, name: str, error: str) -> dict:
    return {"commune_code": code, "commune_name": name, "status": "failed", "error": error}


def _unknown(summary: dict, screen_root: Path) -> dict:
    """The row of the records whose commune is unknown (partition ``commune=unknown``)."""
    n = int(summary.get("n_records", 0))
    return _failed(
        NO_COMMUNE,
        "Hồ sơ không có mã xã hợp lệ",
        (
            f"{n} hồ sơ trong bộ dữ liệu không có mã xã hợp lệ (phân vùng commune=unknown): đã sàng "
            f"lọc nhưng không thuộc báo cáo xã nào; kết quả trong {screen_root}/communes/unknown. Hãy "
            f"sửa cột Mã xã trong tệp gốc rồi chạy lại 'vaxutils ingest'. — {n} records of the dataset "
            "have no valid commune code: screened, but in no commune's report."
        ),
    )


def run_dataset_batch(
    dataset: str | Path,
    out: str | Path,
    scheduler: object = None,
    workers: int = 2,
    wanted: list[str] | None = None,
    export_date: date | None = None,
    params: dict | None = None,
    validate: bool = True,
    registry: str | Path | None = None,
    on_done: Progress | None = None,
    overview: bool = True,
    data_docs: bool = True,
) -> BatchResult:
    """Screen the dataset at ``dataset`` on the cluster, then report every commune (or the
    ``wanted`` ones: only they are screened, and duplicates across communes are looked for among
    them) into ``out``."""
    from vaxutils.report.titles import commune_name
    from vaxutils.screen.distributed import dask_client, screen_dataset

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    screen_root = out / SCREEN_DIR
    day = export_date or date.today()
    caller_done = on_done or (lambda row: None)
    with dask_client(scheduler, workers) as client:
        run = screen_dataset(
            dataset,
            screen_root,
            scheduler=client,
            export_date=day,
            workers=workers,
            communes=wanted,
            registry=registry,
        )
        jobs, rows = [], []
        for code, summary in sorted(run.communes.items()):
            if not is_commune_code(code):
                rows.append(_unknown(summary, screen_root))
                caller_done(rows[-1])
                continue
            jobs.append(
                CommuneJob(
                    code,
                    commune_name(code) or f"Xã {code}",
                    input_path=Path(dataset),
                    export_date=day,
                    params=dict(params or {}),
                    validate=validate,
                    screened=ScreenedCommune(str(screen_root), summary["province"], code),
                )
            )
        missing = sorted(set(wanted or ()) - set(run.communes))
        for code in missing:
            rows.append(
                _failed(
                    code,
                    commune_name(code) or f"Xã {code}",
                    f"Không có dữ liệu của xã {code} trong {dataset}. / No records for commune {code}.",
                )
            )
            caller_done(rows[-1])
        rows += dask_jobs(jobs, out, client, caller_done, task=report_screened)
    return finish_batch(out, rows, overview=overview, data_docs=data_docs)
