"""Which communes a batch runs, and where each one's export comes from.

Input is either a folder of per-commune exports named ``export_<code>.<ext>`` (as
``vaxutils synth`` writes them) or one file holding many communes with a ``commune_code``
column, which is split by commune (a partition per commune, read once). A folder without
``export_<code>`` files but with several such shared files (one per district, say) has them all
read at once, a process per file (:func:`vaxutils.io.read_many`), and split the same way.

>>> commune_code_of(Path("export_01420.xlsx"))
'01420'
>>> commune_code_of(Path("notes.txt")) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vaxutils.errors import VaxutilsError

# [0-9], not \d: a file name in another script's digits is no commune code
EXPORT_PATTERN = re.compile(r"^export_([0-9]{5})\.(xlsx|xlsm|xls|ods|csv|parquet)$", re.IGNORECASE)
#: The commune code of the job that reports a shared export's rows with no usable commune code.
NO_COMMUNE = "?????"
#: Rows listed by name in that job's message (all of them are in its CSV).
SHOWN_BAD_ROWS = 10
REGISTRY_NAME = "registry_{code}.parquet"
SHARED_PATTERN = re.compile(r"^(?!registry_).+\.(xlsx|xlsm|xls|ods|csv|parquet)$", re.IGNORECASE)


class BatchInputError(VaxutilsError):
    """The batch input or commune selection cannot be used."""


@dataclass
class CommuneJob:
    """One commune's work: its export (a file, or a partition of a shared export) and registry.

    ``export_date`` is the day the data was exported from the platform: screening counts doses
    and births after it as in the future, and the run is dated by it for progress against the
    1 June 2022 deadline (None: the day of screening).
    """

    commune_code: str
    commune_name: str
    input_path: Path | None = None
    export: object | None = None  # vaxutils.io.Export partition when the input is one shared file
    export_fingerprint: str | None = None
    registry_path: Path | None = None
    problem: str | None = None  # set when the commune cannot run at all (e.g. no input)
    # rows of a shared export whose commune code is blank or not 5 digits (source_row, value)
    rejected_rows: object | None = None
    validate: bool = True  # check the findings contract (and feed the batch's Data Docs)
    params: dict = field(default_factory=dict)
    export_date: date | None = None
    # the commune's outputs in a dataset screening (vaxutils.batch.dataset): no screening to do
    screened: object | None = None


def commune_code_of(path: Path) -> str | None:
    """The commune code in an ``export_<code>.<ext>`` file name, else None."""
    match = EXPORT_PATTERN.match(path.name)
    return match.group(1) if match else None


def selected_communes(
    district: str | None = None, province: str | None = None, communes: Iterable[str] | None = None
) -> list[str] | None:
    """Commune codes named by ``--district``, ``--province`` or ``--communes`` (None = all found)."""
    chosen = [x for x in (district, province, communes) if x]
    if len(chosen) > 1:
        raise BatchInputError(
            "Chỉ chọn một trong --district, --province, --communes. / Choose only one selection."
        )
    if communes:
        codes = [c.strip() for c in communes if c and c.strip()]
        bad = [c for c in codes if not re.fullmatch(r"[0-9]{5}", c)]
        if bad:
            raise BatchInputError(f"Mã xã phải có 5 chữ số: {', '.join(bad)}. / Bad commune codes.")
        return codes
    if district or province:
        from vaxutils import refdata

        try:
            table = (
                refdata.communes_of_district(district)
                if district
                else refdata.communes_of_province(province)
            )
        except Exception as exc:  # refdata explains unknown codes in Vietnamese
            raise BatchInputError(str(exc)) from exc
        return table["commune_code"].astype(str).tolist()
    return None


def _names(codes: Iterable[str]) -> dict[str, str]:
    from vaxutils.report.titles import commune_name

    return {c: commune_name(c) or f"Xã {c}" for c in codes}


def _registry_for(code: str, registry: Path | None) -> Path | None:
    if registry is None:
        return None
    if registry.is_dir():
        candidate = registry / REGISTRY_NAME.format(code=code)
        return candidate if candidate.is_file() else None
    return registry


def plan_jobs(
    input_path: str | Path,
    wanted: list[str] | None,
    registry: str | Path | None = None,
    export_date: date | None = None,
) -> list[CommuneJob]:
    """One job per commune, in code order; communes wanted but without data carry a ``problem``."""
    source = Path(input_path)
    registry_path = Path(registry) if registry else None
    if source.is_dir():
        files = {}
        for path in sorted(source.iterdir()):
            code = commune_code_of(path)
            if code and code not in files:
                files[code] = path
        shared = (
            [] if files else [p for p in sorted(source.iterdir()) if SHARED_PATTERN.match(p.name)]
        )
        partitions: dict[str, object] = split_exports(shared) if shared else {}
        rejected = None
    elif source.is_file():
        files = {}
        partitions, rejected = split_export_checked(source)
    else:
        raise BatchInputError(f"Không tìm thấy đầu vào {source}. / Input not found: {source}.")
    available = sorted(set(files) | set(partitions))
    codes = sorted(set(wanted)) if wanted is not None else available
    if not codes and rejected is None:
        raise BatchInputError(
            f"Không tìm thấy tệp export_<mã xã>.xlsx|csv nào trong {source}. / No commune exports found."
        )
    names = _names(codes)
    jobs = [] if rejected is None else [_rejected_job(source, rejected)]
    for code in codes:
        job = CommuneJob(
            code,
            names[code],
            registry_path=_registry_for(code, registry_path),
            export_date=export_date,
        )
        if code in files:
            job.input_path = files[code]
        elif code in partitions:
            job.export, job.export_fingerprint = partitions[code]
            job.input_path = source if source.is_file() else Path(job.export.source["path"])
        else:
            job.problem = (
                f"Không có dữ liệu của xã {code} trong {source}. / No export for commune {code}."
            )
        jobs.append(job)
    return jobs


def _blank(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value)) or not str(value).strip()


def _rejected_job(source: Path, rejected) -> CommuneJob:
    """A job that only reports the rows no commune can take (it never runs, never makes a path)."""
    shown = [
        f"dòng {row} ({'trống' if _blank(value) else repr(value)[:40]})"
        for row, value in rejected.head(SHOWN_BAD_ROWS).itertuples(index=False)
    ]
    more = len(rejected) - len(shown)
    listed = ", ".join(shown) + (f" và {more} dòng khác" if more > 0 else "")
    problem = (
        f"Tệp {source.name}: {len(rejected)} dòng có mã xã trống hoặc sai (không phải 5 chữ số) "
        f"hoặc tên xã không tìm thấy/trùng nhiều xã, không thuộc xã nào nên chưa được xử lý: {listed}. Hãy điền đúng mã xã (cột Mã xã) rồi "
        f"chạy lại; danh sách đủ trong {REJECTED_ROWS_NAME}. — File {source.name}: {len(rejected)} "
        "rows with a blank or invalid commune code (or a commune name not found or ambiguous) were "
        "not processed."
    )
    return CommuneJob(
        NO_COMMUNE,
        "Dòng không có mã xã hợp lệ",
        input_path=source,
        problem=problem,
        rejected_rows=rejected,
    )


REJECTED_ROWS_NAME = "dong_ma_xa_sai.csv"


def split_exports(paths: list[Path]) -> dict[str, tuple[object, str]]:
    """Several shared exports read at once (a process per file) and split by ``commune_code``."""
    from vaxutils import io

    parts: dict[str, tuple[object, str]] = {}
    for result in io.read_many(paths):
        if result.error is not None:
            raise BatchInputError(str(result.error))
        for code, part in _split(result.export, result.path)[0].items():
            if code in parts:
                raise BatchInputError(
                    f"Xã {code} có trong nhiều tệp (trong đó có {result.path.name}): hãy gộp lại "
                    f"thành một tệp. / Commune {code} appears in several files."
                )
            parts[code] = part
    return parts


def split_export(path: Path) -> dict[str, tuple[object, str]]:
    """Read one export holding many communes and split it by commune.

    Each record's commune comes from its ``Mã xã`` or, without one, from the commune, district and
    province names (:func:`vaxutils.io.place_communes`); records whose commune is not certain are in
    no partition (each partition's ``unplaced`` lists them). Returns ``{code: (Export,
    fingerprint)}``; the fingerprint hashes the partition's content, so a change in one commune's
    rows reruns only that commune.
    """
    return split_export_checked(path)[0]


def split_export_checked(path: Path) -> tuple[dict[str, tuple[object, str]], object | None]:
    """:func:`split_export`, plus the rows left out because their commune cannot be told for sure
    (blank or invalid code, unknown or ambiguous names): a DataFrame ``source_row``,
    ``commune_code`` as found; None when there are none. :func:`plan_jobs` reports them."""
    from vaxutils import io

    return _split(io.read_export(path), path)


def _split(export, path: Path) -> tuple[dict[str, tuple[object, str]], object | None]:
    import hashlib

    import pandas as pd

    from vaxutils import io

    export = io.place_communes(export)
    parts = io.commune_parts(export)
    if not parts and not len(export.unplaced):
        raise BatchInputError(
            f"Tệp {path.name} không có cột Mã xã hay tên Xã/Phường: không chia được theo xã. "
            "Hãy dùng thư mục gồm các tệp export_<mã xã>. / No commune code or commune name "
            "column to split on."
        )
    unplaced = export.unplaced
    rejected = None
    if unplaced is not None and len(unplaced):
        rejected = pd.DataFrame(
            {
                "source_row": unplaced["source_row"].to_numpy(),
                "commune_code": unplaced["commune_code"].to_numpy(dtype=object),
            }
        )
    out = {}
    for commune, part in parts.items():
        digest = hashlib.sha256()
        for frame in (part.records, part.doses):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        out[commune] = (part, digest.hexdigest())
    return out, rejected
