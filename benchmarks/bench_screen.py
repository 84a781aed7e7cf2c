"""Screening at scale: 1,000,000 synthetic persons (~2.5 M doses) read from Parquet and screened.

Prints the time and peak memory of reading + screening, and the ratio against reading the same kind of
data from xlsx (a 100,000-row workbook, scaled). Targets on a 2-core machine: screening ≤ 15 s and ≤ 4 GB
peak; reading a 100,000-row xlsx ≤ 3 s.

    .venv/bin/python benchmarks/bench_screen.py [--persons 1000000]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import io, refdata
from vaxutils.screen import screen, screen_by_commune
from vaxutils.synth import generate_commune, write_commune

DATA = Path(__file__).parent / "_data"
EXPORT_DATE = date(2022, 5, 15)


def spread_over_communes(export: pd.DataFrame, per_commune: int = 8_000) -> pd.DataFrame:
    """A province-sized export: consecutive blocks of ~8,000 people get the code and name of a real
    2022 commune (generating each commune apart would take minutes; screening only sees the codes)."""
    communes = refdata.communes()
    n_communes = -(-len(export) // per_commune)
    chosen = communes.iloc[:n_communes]
    block = np.arange(len(export)) // per_commune
    # Parquet columns hold one type: cells Excel would keep as numbers become their digits
    out = export.astype(object).where(export.isna(), export.astype(str))
    out["Mã xã"] = chosen["commune_code"].to_numpy()[block]
    out["Xã/Phường/Thị trấn"] = chosen["name"].to_numpy()[block]
    return out


def _peak_rss_gb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--xlsx-persons", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)

    big = DATA / f"screen_{args.persons}" / "export_province.parquet"
    if not big.exists():
        t = time.perf_counter()
        commune = generate_commune("01420", n_persons=args.persons, seed=3, export_date=EXPORT_DATE)
        io.write_parquet(big, spread_over_communes(commune.export))
        print(
            f"generated {args.persons:,} persons in {time.perf_counter() - t:.1f} s (not timed below)"
        )
    small = DATA / f"screen_{args.xlsx_persons}" / "export_01420.xlsx"
    if not small.exists():
        commune = generate_commune(
            "01420", n_persons=args.xlsx_persons, seed=4, export_date=EXPORT_DATE
        )
        write_commune(commune, small.parent, fmt="xlsx")

    t = time.perf_counter()
    export = io.read_export(big)
    read_s = time.perf_counter() - t
    # partitioned first: its workers fork from a parent that holds only the export, so the peak
    # of the largest worker (RUSAGE_CHILDREN) is not inflated by the single run's frames
    t = time.perf_counter()
    parallel = screen_by_commune(export, export_date=EXPORT_DATE, workers=args.workers)
    parallel_s = time.perf_counter() - t
    parent_gb, child_gb = _peak_rss_gb(), _peak_rss_gb(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    result = screen(export, export_date=EXPORT_DATE)
    screen_s = time.perf_counter() - t
    n_communes = export.records["commune_code"].nunique()
    print(
        f"Parquet ({n_communes} communes): read {len(export.records):,} records / "
        f"{len(export.doses):,} doses in {read_s:.2f} s"
    )
    print(
        f"  screen() single process: {screen_s:.2f} s ({len(result.findings):,} findings); "
        f"peak RSS {_peak_rss_gb():.2f} GB; target ≤ 15 s, ≤ 4 GB"
    )
    print("    stage timings (s):", result.summary["timings_s"])
    same = parallel.findings.equals(result.findings)
    print(
        f"  screen_by_commune(workers={args.workers}): {parallel_s:.2f} s "
        f"({len(parallel.findings):,} findings, same as single run: {same}); peak RSS parent "
        f"{parent_gb:.2f} GB + largest worker {child_gb:.2f} GB (upper bound on the sum: "
        f"{parent_gb + args.workers * child_gb:.2f} GB); ratio {screen_s / parallel_s:.2f}× "
        f"the single run; target ≤ 15 s, ≤ 4 GB"
    )
    timings = parallel.summary["timings_s"]
    print(
        f"    split {timings['split']} s, partitions {timings['screen_partitions']} s, "
        f"merge {timings['merge']} s"
    )

    t = time.perf_counter()
    small_export = io.read_export(small)
    xlsx_s = time.perf_counter() - t
    rows = len(small_export.records)
    per_million = xlsx_s * (len(export.records) / rows)
    print(f"xlsx: read {rows:,} rows in {xlsx_s:.2f} s (target ≤ 3 s for 100,000 rows)")
    print(
        f"ratio: reading {len(export.records):,} records from xlsx would take ~{per_million:.0f} s, "
        f"{per_million / read_s:.0f}× the Parquet read; read+screen from Parquet: {read_s + screen_s:.1f} s "
        f"single, {read_s + parallel_s:.1f} s by commune (target for screening ≤ 15 s)"
    )


if __name__ == "__main__":
    main()
