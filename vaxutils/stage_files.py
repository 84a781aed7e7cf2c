"""Where every step writes: the folders of steps S1–S7 and the names of their files.

One place to learn where anything is written. The steps themselves (read, check, compute, write)
are :mod:`vaxutils.stages`; this module only names, so that every layer can read a stage's folder
by the same names — the report (layer 7) reads the screened folder, ``stages`` writes it, and
neither spells a file name of its own. Names are interfaces: scripts and people open these files,
so a name here is added to, never renamed.

>>> SCREEN.findings_csv, REVIEW.problems_parquet, POLICE.signoff
('findings.csv', 'review_problems.parquet', 'signoff.json')
>>> PASSPORT.worklist("20220515", "xlsx"), BATCH.review_workbook("01420")
('ky_ho_chieu_20220515.xlsx', 'ra_soat_01420.xlsx')
>>> missing_files("/nowhere", SCREEN.required)
['records.parquet', 'findings.parquet']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vaxutils.errors import VaxutilsError


class StageFolderMissing(VaxutilsError):
    """A step's folder lacks a file another step needs: the message names the folder, the files
    and the command that writes them."""


@dataclass(frozen=True)
class ScreenFolder:
    """S1 (``vaxutils screen --out DIR``): what screening found, record by record."""

    findings_csv: str = "findings.csv"
    findings: str = "findings.parquet"
    records: str = "records.parquet"
    doses: str = "doses.parquet"
    summary: str = "summary.json"
    unplaced: str = "chua_xac_dinh_xa.csv"  # records whose commune is not certain
    registry_problems: str = "trich_xuat_dan_cu_can_sua.csv"  # unusable registry rows
    command: str = "vaxutils screen"

    @property
    def required(self) -> tuple[str, ...]:
        """What every later step reads (doses and summary are read when there)."""
        return (self.records, self.findings)

    @property
    def tables(self) -> tuple[str, ...]:
        """The three tables a report reads."""
        return (self.findings, self.records, self.doses)


@dataclass(frozen=True)
class ReturnedListFolder:
    """A list people filled in and sent back, checked (``vaxutils review in`` for S2,
    ``vaxutils police in`` for S3–S4): its table, the change log, the problems."""

    table: str
    table_csv: str
    problems_stem: str
    command: str
    changes: str = "changes.csv"

    @property
    def problems_csv(self) -> str:
        return f"{self.problems_stem}.csv"

    @property
    def problems_parquet(self) -> str:
        return f"{self.problems_stem}.parquet"


@dataclass(frozen=True)
class PoliceFolder(ReturnedListFolder):
    """S3–S4 in: the police check and its sign-off (S4), with the signed list kept."""

    signoff: str = "signoff.json"
    evidence: str = "evidence"  # a copy of the signed list, named by its SHA-256


@dataclass(frozen=True)
class PlatformFolder:
    """S5 (``vaxutils platform SCREEN_DIR --out DIR``): one place per record, and the platform's
    own import template; ``vaxutils platform results`` adds the import results."""

    import_workbook: str = "nhap_nen_tang.xlsx"
    edits_workbook: str = "sua_truc_tiep.xlsx"
    merges_workbook: str = "gop_trung.xlsx"
    removals_workbook: str = "loai_khoi_danh_sach.xlsx"
    imports: str = "nhap_nen_tang.csv"
    edits: str = "sua_truc_tiep.csv"
    left_out: str = "chua_nhap_duoc.csv"
    merges: str = "gop_trung.csv"
    removals: str = "loai_khoi_danh_sach.csv"
    confirmed: str = "da_xac_nhan.csv"
    outcome: str = "ket_qua_s5.csv"
    unresolved_sites: str = "co_so_chua_co_ma.csv"
    results_stem: str = "ket_qua_nhap"  # .csv and .parquet: the platform's AH/AI read back
    results_summary: str = "ket_qua_nhap.json"
    retry_workbook: str = "can_sua_nhap_lai.xlsx"
    command: str = "vaxutils platform"

    @property
    def csv_twins(self) -> dict[str, str]:
        """Each list of :class:`vaxutils.workflow.platform.PlatformFiles` and its CSV."""
        return {
            "imports": self.imports,
            "edits": self.edits,
            "left_out": self.left_out,
            "merges": self.merges,
            "removals": self.removals,
            "confirmed": self.confirmed,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class VerifyFolder:
    """S6 (``vaxutils verify NEW_EXPORT --previous DIR --out DIR``): what the update fixed."""

    screen: str = "screen"  # the new export's screened folder (SCREEN's files)
    comparison: str = "verify.parquet"
    comparison_csv: str = "verify.csv"
    progress: str = "progress.json"
    command: str = "vaxutils verify"


@dataclass(frozen=True)
class PassportFolder:
    """S7 (``vaxutils passport SCREEN_DIR --out DIR``): each day's doses to sign, the backlog,
    the certificates and the signing ledger (``vaxutils passport signed``)."""

    certificates: str = "chung_nhan"  # <yyyymmdd>/<facility>.jsonl
    certificate_problems: str = "chung_nhan_loi.csv"
    ledger: str = "so_ky_ho_chieu.parquet"
    ledger_csv: str = "so_ky_ho_chieu.csv"
    worklist_glob: str = "ky_ho_chieu_*.parquet"  # every list given to the facilities
    command: str = "vaxutils passport"

    def worklist(self, day: str, suffix: str) -> str:
        """``ky_ho_chieu_<yyyymmdd>.<xlsx|parquet|csv>``."""
        return f"ky_ho_chieu_{day}.{suffix}"

    def backlog(self, day: str) -> str:
        """``ton_dong_<yyyymmdd>.csv``: ready doses not yet signed, by age."""
        return f"ton_dong_{day}.csv"


@dataclass(frozen=True)
class BatchFolder:
    """One commune of ``vaxutils batch`` / ``demo``: ``<out>/<commune code>/``."""

    screen: str = "screen"  # SCREEN's files
    report: str = "report.html"
    notebook: str = "report.ipynb"
    # the commune's passport folder (``vaxutils passport ... --out <code>/passport``, where
    # ``passport signed`` keeps the ledger): the report's section 9 reads it when it is there
    passport: str = "passport"

    def review_workbook(self, commune_code: str) -> str:
        """S2's workbook; S7's is :meth:`PassportFolder.worklist` (``xlsx``)."""
        return f"ra_soat_{commune_code}.xlsx"


SCREEN = ScreenFolder()
#: S2 in (``vaxutils review in BOOK --out DIR``): the village teams' decisions
REVIEW = ReturnedListFolder("review.parquet", "review.csv", "review_problems", "vaxutils review in")
#: S3–S4 in (``vaxutils police in LIST --out DIR``)
POLICE = PoliceFolder(
    "police_verified.parquet", "police_verified.csv", "police_problems", "vaxutils police in"
)
PLATFORM = PlatformFolder()
VERIFY = VerifyFolder()
PASSPORT = PassportFolder()
BATCH = BatchFolder()


def missing_files(folder: str | Path, names: tuple[str, ...] | list[str]) -> list[str]:
    """The names in ``names`` that are not files in ``folder``."""
    folder = Path(folder)
    return [name for name in names if not (folder / name).is_file()]


def require_file(folder: Path, name: str, command: str) -> Path:
    """``folder/name``, written by an earlier step (``command``); a clear message when it is not."""
    if missing_files(folder, (name,)):
        raise StageFolderMissing(
            f"Thư mục '{folder}' không có {name}: chạy '{command} ... --out {folder}' trước. / "
            f"No {name} in '{folder}': run '{command}' first."
        )
    return folder / name
