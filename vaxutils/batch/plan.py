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

EXPORT_PATTERN = re.compile(r"^export_(\d{5})\.(xlsx|xlsm|xls|ods|csv|parquet)$", re.IGNORECASE)
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
        bad = [c for c in codes if not re.fullmatch(r"\d{5}", c)]
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
    elif source.is_file():
        files = {}
        partitions = split_export(source)
    else:
        raise BatchInputError(f"Không tìm thấy đầu vào {source}. / Input not found: {source}.")
    available = sorted(set(files) | set(partitions))
    codes = sorted(set(wanted)) if wanted is not None else available
    if not codes:
        raise BatchInputError(
            f"Không tìm thấy tệp export_<mã xã>.xlsx|csv nào trong {source}. / No commune exports found."
        )
    names = _names(codes)
    jobs = []
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


def split_exports(paths: list[Path]) -> dict[str, tuple[object, str]]:
    """Several shared exports read at once (a process per file) and split by ``commune_code``."""
    from vaxutils import io

    parts: dict[str, tuple[object, str]] = {}
    for result in io.read_many(paths):
        if result.error is not None:
            raise BatchInputError(str(result.error))
        for code, part in _split(result.export, result.path).items():
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
    from vaxutils import io

    return _split(io.read_export(path), path)


def _split(export, path: Path) -> dict[str, tuple[object, str]]:
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
    out = {}
    for commune, part in parts.items():
        digest = hashlib.sha256()
        for frame in (part.records, part.doses):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        out[commune] = (part, digest.hexdigest())
    return out
