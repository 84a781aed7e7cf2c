"""Small synthetic communes for goldens, tests and benchmarks (synthetic people only, DESIGN §7).

>>> # write_small_commune("01420", "out/", persons=200) -> Path("out/export_01420.csv")
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

EXPORT_DATE = date(2022, 5, 15)


def write_small_commune(
    commune_code: str,
    out_dir: str | Path,
    persons: int = 200,
    seed: int = 1,
    fmt: str = "csv",
    export_date: date = EXPORT_DATE,
) -> Path:
    """Write ``export_<code>.<fmt>``, ``registry_<code>.parquet`` and labels; return the export."""
    from vaxutils import synth

    commune = synth.generate_commune(
        commune_code, n_persons=persons, seed=seed, export_date=export_date
    )
    return Path(synth.write_commune(commune, out_dir, fmt=fmt)["export"])
