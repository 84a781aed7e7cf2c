"""Screening at scale: 1,000,000 synthetic persons (~2.5 M doses) read from Parquet and screened.

Prints the time and peak memory of reading + screening, and the ratio against reading the same kind of
data from xlsx (a 100,000-row workbook, scaled). Targets on a 2-core machine: screening ≤ 10 s and ≤ 4 GB
peak; reading a 100,000-row xlsx ≤ 3 s.

Modes, each in its own process: ``single`` — ``screen()`` as users call it (one process; its
independent checks on two threads); ``one-thread`` — the same with ``threads=1`` (the time of
the work itself: the ratio of the two is what the second thread brings); ``partitioned`` —
``screen_by_commune`` over worker processes.

    .venv/bin/python benchmarks/bench_screen.py [--persons 1000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
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
    parser.add_argument(
        "--mode", choices=["all", "single", "one-thread", "partitioned"], default="all"
    )
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

    if args.mode == "all":
        # each mode in its own process, so that its peak memory is its own
        for mode in ("single", "one-thread", "partitioned"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--mode",
                    mode,
                    "--persons",
                    str(args.persons),
                    "--workers",
                    str(args.workers),
                ],
                check=True,
            )
        read_xlsx(small, big)
    else:
        screen_parquet(big, args.mode, args.workers)


def screen_parquet(big: Path, mode: str, workers: int) -> None:
    t = time.perf_counter()
    export = io.read_export(big)
    read_s = time.perf_counter() - t
    n_communes = export.records["commune_code"].nunique()
    t = time.perf_counter()
    cpu = time.process_time()
    if mode == "single":
        result = screen(export, export_date=EXPORT_DATE)
        label = "screen() single process"
    elif mode == "one-thread":
        result = screen(export, export_date=EXPORT_DATE, threads=1)
        label = "screen(threads=1) single process, one thread"
    else:
        result = screen_by_commune(export, export_date=EXPORT_DATE, workers=workers)
        label = f"screen_by_commune(workers={workers})"
    screen_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    children = _peak_rss_gb(resource.RUSAGE_CHILDREN)
    memory = f"peak RSS {_peak_rss_gb():.2f} GB" + (
        f" + largest worker {children:.2f} GB" if mode == "partitioned" else ""
    )
    print(
        f"{label}: read {len(export.records):,} records / {len(export.doses):,} doses of "
        f"{n_communes} communes from Parquet in {read_s:.2f} s; screened in {screen_s:.2f} s "
        f"(CPU of this process {cpu_s:.2f} s: compare it when the machine is shared) "
        f"({len(result.findings):,} findings); {memory} (targets: ≤ 10 s, ≤ 4 GB)"
    )
    print("    timings (s):", result.summary["timings_s"], flush=True)


def read_xlsx(small: Path, big: Path) -> None:
    t = time.perf_counter()
    parquet_rows = len(io.read_export(big).records)
    parquet_s = time.perf_counter() - t
    t = time.perf_counter()
    rows = len(io.read_export(small).records)
    xlsx_s = time.perf_counter() - t
    per_record_ratio = (xlsx_s / rows) / (parquet_s / parquet_rows)
    print(f"xlsx: read {rows:,} rows in {xlsx_s:.2f} s (target ≤ 3 s for 100,000 rows)")
    print(
        f"ratio: per record, reading xlsx takes {per_record_ratio:.0f}× reading Parquet "
        f"({parquet_rows:,} records in {parquet_s:.2f} s)"
    )


if __name__ == "__main__":
    main()
