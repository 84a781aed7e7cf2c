"""Where a screening of the national dataset writes, and how the communes' summaries add up.

    OUT/findings|records|doses/province=PP/commune=CCCCC/part-0.parquet
    OUT/communes/CCCCC/findings.csv, summary.json        one folder per commune
    OUT/summary.json                                     the whole run
    OUT/_cross/keys/group-NNNNNN.parquet                 hashed keys, during the run only
    OUT/_cross/candidates/pair-part-KKKKKK/group-NNNNNN.parquet
                                                         the candidate records a partition of
                                                         pairs needs, by group; during the run only

Every file is written atomically and only by the task that owns its commune, so a task run twice
(dask retries it when its worker dies) writes the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from vaxutils import io
from vaxutils.dataset.layout import partition_dir

OUT_TABLES = ("findings", "records", "doses")
KEYS_DIR = Path("_cross") / "keys"
CANDIDATES_DIR = Path("_cross") / "candidates"
# Summary entries that add up over communes (the others describe a run, not its data).
SUMMED = (
    "n_records",
    "n_doses",
    "n_records_with_errors",
    "n_records_needing_review",
    "n_records_ok",
    "records_per_category",
    "findings_per_category",
    "findings_per_code",
    "findings_per_severity",
    "records_per_village",
)


def output_file(out, table: str, province: str, commune: str) -> Path:
    """The Parquet file of one commune's findings, records or doses."""
    return partition_dir(out, table, province, commune) / "part-0.parquet"


def commune_folder(out, commune: str) -> Path:
    return Path(out) / "communes" / commune


def keys_file(out, first_part: int) -> Path:
    """The hashed cross-commune keys of the group of communes whose first partition is ``first_part``."""
    return Path(out) / KEYS_DIR / f"group-{first_part:06d}.parquet"


def candidates_file(out, pair_part: int, first_part: int) -> Path:
    """The candidate records that partition ``pair_part`` of the candidate pairs needs from the
    group of communes whose first partition is ``first_part``."""
    return (
        Path(out)
        / CANDIDATES_DIR
        / f"pair-part-{pair_part:06d}"
        / f"group-{first_part:06d}.parquet"
    )


def write_tables(out, province: str, commune: str, **frames) -> None:
    """One commune's tables (``findings=…``, ``records=…``, ``doses=…``) as Parquet."""
    for name, frame in frames.items():
        io.write_parquet(output_file(out, name, province, commune), frame)


def reduce_summaries(summaries: list[dict]) -> dict:
    """The sum of commune summaries: counts added key by key (villages, codes, categories).

    >>> reduce_summaries([{"n_records": 2, "findings_per_code": {"a": 1}},
    ...                   {"n_records": 3, "findings_per_code": {"a": 1, "b": 2}, "commune": "x"}])
    {'n_records': 5, 'findings_per_code': {'a': 2, 'b': 2}}
    """

    def add(into: dict, more: dict) -> None:
        for key, value in more.items():
            if isinstance(value, dict):
                add(into.setdefault(key, {}), value)
            else:
                into[key] = into.get(key, 0) + int(value)

    total: dict = {}
    for summary in summaries:
        add(total, {k: summary[k] for k in SUMMED if k in summary})
    return total
