"""Step S5: one place per record of the lists, the import in the platform's own template, and
the import file the platform sends back (AH/AI), written as the platform folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vaxutils import contracts, io
from vaxutils.io.platform_template import read_platform_template
from vaxutils.screen.engine import ScreenResult
from vaxutils.stage_files import PLATFORM, POLICE, REVIEW, StageFolderMissing
from vaxutils.stages.checks import read_problems, read_text_csv
from vaxutils.stages.police import load_police
from vaxutils.stages.review import load_review
from vaxutils.workflow.platform import (
    PlatformFiles,
    held_back_rows,
    platform_files,
    write_platform_workbooks,
)
from vaxutils.workflow.platform_results import match_results, results_summary, write_retry_list
from vaxutils.workflow.platform_template import TemplateRows, apply_template, template_rows

# the steps whose problems hold S5 back: name, folder layout
GATES = (("S2 (rà soát thôn)", REVIEW), ("S4 (đối chiếu công an xã)", POLICE))


@dataclass
class Blocked:
    """A step before S5 left errors in its list: ``errors`` (its rows), ``file``, the command
    that reads the corrected list again."""

    step: str
    file: str
    errors: pd.DataFrame
    command: str


@dataclass
class PlatformStage:
    """What S5 wrote: ``files`` (the lists), ``rows`` (the template's rows), ``written`` (the
    workbooks), ``held_back`` (rows left out by ``partial``), ``checks`` (contracts);
    ``blocked`` when an earlier step's errors stopped it before anything was written."""

    files: PlatformFiles | None = None
    rows: TemplateRows | None = None
    written: dict[str, Path] = field(default_factory=dict)
    held_back: pd.DataFrame | None = None
    checks: list[contracts.ContractResult] = field(default_factory=list)
    blocked: Blocked | None = None

    @property
    def ok(self) -> bool:
        """Written, every record in one place and the contracts kept."""
        if self.blocked is not None:
            return False
        return not len(self.files.unplaced) and all(c.success for c in self.checks)


def gates(review: Path | None, police: Path | None, partial: bool) -> Blocked | pd.DataFrame | None:
    """The first earlier step whose list still has errors (:class:`Blocked`), unless ``partial``:
    then the rows with errors, held back (None when there are none)."""
    held = []
    for (step, layout), folder in zip(GATES, (review, police), strict=True):
        found = None if folder is None else read_problems(folder, layout.problems_stem)
        if found is None:
            continue
        errors = found[found["severity"].eq("error").fillna(False)]
        if errors.empty:
            continue
        file = f"{folder / layout.problems_stem}.csv"
        if not partial:
            return Blocked(step, file, errors, layout.command)
        held.append(held_back_rows(errors, f"bước {step}", file))
    return pd.concat(held, ignore_index=True) if held else None


def run_platform(
    screened: ScreenResult,
    out: str | Path,
    review: str | Path | None = None,
    police: str | Path | None = None,
    priority_group: str | None = None,
    sites: dict[str, str] | None = None,
    commune: str | None = None,
    partial: bool = False,
    check_contracts: bool = True,
) -> PlatformStage:
    """Decide each record of the lists (screening's, the review and police folders'), write the
    platform folder ``out`` and check ``platform_import`` and ``platform_template``.

    Nothing is written while the review or police folder lists errors, unless ``partial``: then
    those records are listed in "Chưa nhập được" and the rest go on.
    """
    out = Path(out)
    review, police = (None if f is None else Path(f) for f in (review, police))
    gate = gates(review, police, partial)
    if isinstance(gate, Blocked):
        return PlatformStage(blocked=gate)
    doses = screened.doses
    files = platform_files(
        screened.records,
        screened.findings,
        None if review is None else load_review(review).review,
        None if police is None else load_police(police).verified,
        doses=doses,
        held_back=gate,
    )
    # the platform's template: what it cannot take (a required value missing) is not importable
    rows = template_rows(
        files.imports,
        screened.records,
        doses if doses is not None else pd.DataFrame({"record_id": pd.Series(dtype="string")}),
        priority_group=priority_group,
        commune=commune or screened.summary.get("commune_identity", {}).get("commune"),
        sites=sites,
    )
    files = apply_template(files, rows)
    files.imports = (
        files.imports.set_index("record_id")
        .reindex(rows.frame["record_id"])
        .reset_index()
        .assign(template_row=[str(r) for r in range(9, 9 + len(rows.frame))])
        .astype("string")
    )
    written = write_platform_workbooks(out, files, rows.frame)
    if len(rows.unresolved_sites):
        io.write_csv(out / PLATFORM.unresolved_sites, rows.unresolved_sites)
    for name, csv in PLATFORM.csv_twins.items():
        io.write_csv(out / csv, getattr(files, name))
    stage = PlatformStage(files, rows, written, gate)
    if check_contracts and len(files.imports):
        context = written["import"].name
        stage.checks = [
            contracts.validate(files.imports, "platform_import", context=context),
            contracts.validate(
                read_platform_template(written["import"]), "platform_template", context=context
            ),
        ]
    return stage


@dataclass
class PlatformResults:
    """The platform's answer per row sent (imported, failed and why, no result, unmatched), its
    counts, and the list to correct and import again."""

    results: pd.DataFrame
    summary: dict
    retry: Path


def run_platform_results(
    returned: str | Path, previous: str | Path, out: str | Path | None = None
) -> PlatformResults:
    """Match the import file the platform sent back to what ``previous`` (a platform folder)
    sent; write the results into ``out`` (default: ``previous``)."""
    returned, previous = Path(returned), Path(previous)
    sent = previous / PLATFORM.imports
    if not sent.is_file():
        raise StageFolderMissing(
            f"Thư mục '{previous}' không có {PLATFORM.imports}: chạy 'vaxutils platform <thư mục "
            f"sàng lọc> --out {previous}' trước. / No {PLATFORM.imports} in '{previous}'."
        )
    out = Path(out or previous)
    results = match_results(io.read_platform_results(returned), io.read_table(sent).reset_index())
    summary = results_summary(results, returned)
    io.write_csv(out / f"{PLATFORM.results_stem}.csv", results)
    io.write_parquet(out / f"{PLATFORM.results_stem}.parquet", results)
    io.write_json(out / PLATFORM.results_summary, summary)
    retry = write_retry_list(out / PLATFORM.retry_workbook, results)
    return PlatformResults(results, summary, retry)


def load_platform(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The lists of a platform folder written by ``vaxutils platform --out folder``, by name
    (``imports``, ``edits``, ``left_out``, ``merges``, ``removals``, ``confirmed``, ``outcome``),
    every cell as text."""
    folder = Path(folder)
    missing = [csv for csv in PLATFORM.csv_twins.values() if not (folder / csv).is_file()]
    if missing:
        raise StageFolderMissing(
            f"Thư mục '{folder}' không có {', '.join(missing)}: chạy '{PLATFORM.command} <thư mục "
            f"sàng lọc> --out {folder}' trước. / No S5 files in '{folder}': run "
            f"'{PLATFORM.command}' first."
        )
    return {name: read_text_csv(folder / csv) for name, csv in PLATFORM.csv_twins.items()}
