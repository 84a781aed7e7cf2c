"""Which communes a batch runs, and where each one's export comes from.

Input is either a folder of per-commune exports named ``export_<code>.<ext>`` (as
``vaxutils synth`` writes them) or one file holding many communes with a ``commune_code``
column, which is split by commune (a partition per commune, read once).

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
        partitions: dict[str, object] = {}
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
            job.input_path = source
        else:
            job.problem = (
                f"Không có dữ liệu của xã {code} trong {source}. / No export for commune {code}."
            )
        jobs.append(job)
    return jobs


def commune_codes(values) -> tuple[object, object]:
    """Five-digit codes from a commune-code column, and the mask of usable ones.

    A code Excel stored as a number lost its leading zero (``1420``): it is padded back. Anything
    else that is not 1–5 ASCII digits (blank, ``../../x``, an absolute path, full-width digits)
    is not usable: never guessed, never used in a path.

    >>> import pandas as pd
    >>> codes, ok = commune_codes(pd.Series(["01420", "1420", " 01423 ", "../../x", None, "０１４２０"]))
    >>> codes[ok].tolist(), ok.tolist()
    (['01420', '01420', '01423'], [True, True, True, False, False, False])
    """
    text = values.astype("string").str.strip()
    ok = text.str.fullmatch(r"[0-9]{1,5}").fillna(False).astype(bool)
    return text.str.zfill(5), ok


def _blank(value: object) -> bool:
    return value is None or value != value or not str(value).strip()  # NaN != NaN


def _rejected_job(source: Path, rejected) -> CommuneJob:
    """A job that only reports the rows no commune can take (it never runs, never makes a path)."""
    shown = [
        f"dòng {row} ({'trống' if _blank(value) else repr(value)[:40]})"
        for row, value in rejected.head(SHOWN_BAD_ROWS).itertuples(index=False)
    ]
    more = len(rejected) - len(shown)
    listed = ", ".join(shown) + (f" và {more} dòng khác" if more > 0 else "")
    problem = (
        f"Tệp {source.name}: {len(rejected)} dòng có mã xã trống hoặc sai (không phải 5 chữ số), "
        f"không thuộc xã nào nên chưa được xử lý: {listed}. Hãy điền đúng mã xã (cột Mã xã) rồi "
        f"chạy lại; danh sách đủ trong {REJECTED_ROWS_NAME}. — File {source.name}: {len(rejected)} "
        "rows with a blank or invalid commune code were not processed."
    )
    return CommuneJob(
        NO_COMMUNE,
        "Dòng không có mã xã hợp lệ",
        input_path=source,
        problem=problem,
        rejected_rows=rejected,
    )


REJECTED_ROWS_NAME = "dong_ma_xa_sai.csv"


def split_export_checked(path: Path) -> tuple[dict[str, tuple[object, str]], object | None]:
    """:func:`split_export`, plus the rows whose commune code is blank or invalid
    (a DataFrame ``source_row``, ``commune_code`` as found; None when there are none)."""
    import hashlib
    from dataclasses import replace

    import pandas as pd

    from vaxutils import io

    export = io.read_export(path)
    records = export.records
    if "commune_code" not in records.columns or records["commune_code"].isna().all():
        raise BatchInputError(
            f"Tệp {path.name} không có cột Mã xã (commune_code): không chia được theo xã. "
            "Hãy dùng thư mục gồm các tệp export_<mã xã>. / No commune_code column to split on."
        )
    code, ok = commune_codes(records["commune_code"])
    bad = records.loc[~ok.to_numpy(), ["source_row", "commune_code"]]
    rejected = None
    if len(bad):
        rejected = pd.DataFrame(
            {
                "source_row": bad["source_row"].to_numpy(),
                "commune_code": bad["commune_code"].to_numpy(dtype=object),
            }
        )
    parts = {}
    usable = records[ok.to_numpy()]
    for commune, part in usable.groupby(code[ok], sort=True):  # loop over communes, not rows
        doses = export.doses[export.doses["record_id"].isin(part["record_id"])]
        digest = hashlib.sha256()
        for frame in (part, doses):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        parts[str(commune)] = (
            replace(
                export, records=part.reset_index(drop=True), doses=doses.reset_index(drop=True)
            ),
            digest.hexdigest(),
        )
    return parts, rejected


def split_export(path: Path) -> dict[str, tuple[object, str]]:
    """Read one export holding many communes and split it by ``commune_code``.

    Returns ``{code: (Export, fingerprint)}``; the fingerprint hashes the partition's content,
    so a change in one commune's rows reruns only that commune. Rows whose commune code is blank
    or invalid belong to no partition: :func:`split_export_checked` lists them, and
    :func:`plan_jobs` reports them.
    """
    return split_export_checked(path)[0]
