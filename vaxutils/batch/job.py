"""One commune, start to finish, inside a worker: screen, check, run the notebook, write HTML.

Screening runs here (in the worker process, whose imports are paid once) rather than in the
notebook, so each notebook only loads Parquet and renders. Any exception becomes a ``failed``
result with a Vietnamese message: one commune's failure never stops the others.
"""

from __future__ import annotations

import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from vaxutils.batch.manifest import fingerprint, is_fresh, write_manifest
from vaxutils.batch.plan import REJECTED_ROWS_NAME, CommuneJob, commune_code_of
from vaxutils.io.paths import commune_code, inside, is_commune_code
from vaxutils.stage_files import BATCH, PASSPORT

REPORT_NAME = BATCH.report


def job_inputs(job: CommuneJob, commune_dir: Path | None = None) -> dict[str, str | None]:
    """SHA-256 of everything the commune's result depends on: the export, the registry, the
    notebook, and the signing ledger of the commune's passport folder (``commune_dir/passport``,
    kept by ``vaxutils passport signed``): the report's section 9 shows the signed doses, so a
    ledger signed since the last run makes that run out of date."""
    from vaxutils.io.files import file_sha256
    from vaxutils.report.run import COMMUNE_NOTEBOOK

    export = job.export_fingerprint or (file_sha256(job.input_path) if job.input_path else None)
    inputs = {
        "export": export,
        "registry": file_sha256(job.registry_path) if job.registry_path else None,
        "notebook": file_sha256(COMMUNE_NOTEBOOK),
    }
    ledger = commune_dir / BATCH.passport / PASSPORT.ledger if commune_dir else None
    if ledger is not None and ledger.is_file():  # absent: the fingerprints of before stay valid
        inputs["ledger"] = file_sha256(ledger)
    return inputs


def job_settings(job: CommuneJob) -> dict:
    """Everything besides the input files that changes a commune's result: fingerprinted."""
    day = job.export_date.isoformat() if job.export_date else None
    return {**job.params, "export_date": day}


def check_fresh(job: CommuneJob, out_root: Path) -> dict | None:
    """The previous result when nothing changed since the last successful run, else None."""
    if job.problem or not is_commune_code(job.commune_code):
        return None
    try:
        commune_dir = inside(out_root, job.commune_code)
        expected = fingerprint(job_inputs(job, commune_dir), job_settings(job))
    except OSError:
        return None
    manifest = is_fresh(commune_dir, expected)
    return {**manifest, "status": "skipped"} if manifest else None


def _numbers(summary: dict) -> dict:
    from vaxutils.report.overview import runs_row

    row = runs_row("", summary)
    return {
        k: row[k] for k in ("run", "n_records", "n_needs_fix", "n_needs_review", "problem_rate")
    }


def _screen(job: CommuneJob, screen_dir: Path):
    from vaxutils import stages

    if job.screened is not None:  # screened with the whole dataset (batch over a dataset)
        from vaxutils.batch.dataset import load_screened

        return load_screened(job.screened, screen_dir)
    if job.export is not None:
        provenance = {
            "role": "export",
            "path": str(job.input_path),
            "partition": job.commune_code,
            "sha256_partition": job.export_fingerprint,
        }
        registry = stages.read_registry(job.registry_path) if job.registry_path else None
        return stages.run_screen_export(
            job.export, screen_dir, registry, job.export_date, [provenance]
        )
    # a file may hold other communes' people too: keep this commune's only
    return stages.screen_file(
        job.input_path,
        screen_dir,
        registry=job.registry_path,
        export_date=job.export_date,
        commune=job.commune_code,
        # only in export_<code>, the commune's own file, is a row naming no commune this commune's
        own_file=commune_code_of(Path(job.input_path)) == job.commune_code,
    )


def _validate_findings(findings, code: str):
    """Check the findings contract (for Data Docs); None when contracts are unavailable."""
    try:
        from vaxutils import contracts
    except ImportError:
        return None
    return contracts.validate(findings, "findings", context=f"xã {code}")


def _picklable(obj: object) -> bool:
    import pickle

    try:
        pickle.dumps(obj)
    except Exception:  # a result that cannot travel back from the worker is simply left out
        return False
    return True


def _this_commune(job: CommuneJob, result):
    """The commune's own people (and their findings and doses), like its report: an export
    that mixes communes must not put another commune's people in this commune's workbooks."""
    from vaxutils.report.inputs import ScreenOutput, restrict_to_commune

    return restrict_to_commune(
        ScreenOutput(result.findings, result.records, result.doses), job.commune_code
    )


def _review_workbook(job: CommuneJob, commune_dir: Path, result) -> Path:
    """Step S2's workbook for the village teams, beside the report."""
    from vaxutils.stages import run_review_out

    written = run_review_out(
        _this_commune(job, result),
        commune_dir / BATCH.review_workbook(job.commune_code),
        commune=f"{job.commune_name} ({job.commune_code})",
        made_on=job.export_date,
    )
    return written.path


def _passport_workbook(job: CommuneJob, commune_dir: Path, result) -> Path:
    """Step S7's lists to sign, per facility, for the export day."""
    from vaxutils.stages import run_passport_workbook

    return run_passport_workbook(_this_commune(job, result), commune_dir, job.export_date)


def _passport_dir(commune_dir: Path) -> dict:
    """The report's ``passport_dir`` when the commune has a passport folder (``<code>/passport``,
    where ``vaxutils passport signed`` keeps the signing ledger): section 9's signed doses."""
    folder = commune_dir / BATCH.passport
    return {"passport_dir": str(folder.resolve())} if folder.is_dir() else {}


def _rejected(job: CommuneJob, out_root: Path) -> dict:
    """Write the full list of rows no commune could take; the row links it (else nothing)."""
    if job.rejected_rows is None:
        return {}
    from vaxutils.io.writers import write_csv

    out_root.mkdir(parents=True, exist_ok=True)
    rows = job.rejected_rows.assign(file=Path(job.input_path).name if job.input_path else "")
    write_csv(inside(out_root, REJECTED_ROWS_NAME), rows)
    return {"rejected_rows": REJECTED_ROWS_NAME}


class _Phases:
    """Seconds spent in each step of a commune (its manifest's ``phases``: where a batch's time
    goes, read by benchmarks/bench_batch.py)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = round(now - self._last, 3)
        self._last = now


def run_commune(job: CommuneJob, out_root: str | Path, validate: bool = True) -> dict:
    """Run one commune into ``out_root/<code>/``; returns a result row (never raises)."""
    out_root = Path(out_root)
    started = time.perf_counter()
    row = {"commune_code": job.commune_code, "commune_name": job.commune_name}
    if job.problem:
        return {**row, "status": "failed", "error": job.problem, **_rejected(job, out_root)}
    try:
        from vaxutils.report.overview import runs_row
        from vaxutils.report.run import COMMUNE_NOTEBOOK, render_report

        # the only path made from the job: five digits, and inside out_root whatever links say
        commune_dir = inside(out_root, commune_code(job.commune_code))
        clock = _Phases()
        inputs = job_inputs(job, commune_dir)
        result = _screen(job, commune_dir / BATCH.screen)
        clock.lap("screen")
        checked = validate and job.validate
        contract = _validate_findings(result.findings, job.commune_code) if checked else None
        clock.lap("contracts")
        workbook = _review_workbook(job, commune_dir, result)
        clock.lap("review_workbook")
        passport = _passport_workbook(job, commune_dir, result)
        clock.lap("passport_workbook")
        parameters = {
            "commune_code": job.commune_code,
            "screen_dir": str((commune_dir / BATCH.screen).resolve()),
            **_passport_dir(commune_dir),
            **job.params,
        }
        render_report(
            COMMUNE_NOTEBOOK,
            parameters,
            commune_dir / BATCH.notebook,
            commune_dir / REPORT_NAME,
            f"Báo cáo làm sạch dữ liệu tiêm chủng — {job.commune_name} ({job.commune_code})",
        )
        clock.lap("report")  # the notebook run and its HTML
        row.update(
            status="ok",
            report=f"{job.commune_code}/{REPORT_NAME}",
            review_workbook=f"{job.commune_code}/{workbook.name}",
            passport_workbook=f"{job.commune_code}/{passport.name}",
            fingerprint=fingerprint(inputs, job_settings(job)),
            inputs={**inputs, "export_path": str(job.input_path)},
            params=job.params,
            export_date=job_settings(job)["export_date"],
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            seconds=round(time.perf_counter() - started, 2),
            phases=clock.seconds,
            summary=result.summary,
            **_numbers(result.summary),
        )
        if contract is not None:
            row["contract_ok"] = bool(getattr(contract, "success", True))
        # the batch history row travels with the commune: a batch killed before it wrote runs.csv
        # loses nothing, the next one merges it from here
        row["runs_row"] = runs_row(job.commune_code, result.summary, job.commune_name)
        write_manifest(commune_dir, {k: v for k, v in row.items() if k != "summary"})
        row["contract"] = contract if _picklable(contract) else None
        return row
    except Exception as exc:  # isolate the commune: report, don't stop the batch
        message = str(exc).strip() or type(exc).__name__
        return {
            **row,
            "status": "failed",
            "error": f"{type(exc).__name__}: {message}",
            "traceback": traceback.format_exc(limit=5),
            "seconds": round(time.perf_counter() - started, 2),
        }
