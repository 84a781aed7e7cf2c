"""Time ``read_export`` on a 100,000-row wide export: fastexcel, python-calamine and openpyxl.

The workbook (synthetic people, ~20 columns, title rows above the header, numeric IDs and real
date cells as the platform exports them) is written once into ``benchmarks/_data/`` and reused.
Run: ``python benchmarks/bench_read.py [rows] [engine ...]`` (target: ≤ 3 s wall for 100,000 rows).

The default reader (fastexcel) parses a big sheet in pieces on every core, so its CPU time is
higher than its wall time; the ratios are of wall time, the time a person waits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.io import read_export, write_xlsx

DATA = Path(__file__).parent / "_data"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Nông", "Thạch"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu"]
GIVEN = ["Nam", "Hoa", "Bình", "Lan", "Hùng", "Mai", "Tuấn", "Thủy", "Pảo", "Slam"]
VACCINES = ["AstraZeneca", "Pfizer", "Moderna", "Vero Cell"]


def synthetic_export(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 75, rows), unit="D")
    frame = pd.DataFrame(
        {
            "STT": np.arange(1, rows + 1),
            "Mã đối tượng": [f"DT{i:08d}" for i in range(rows)],
            "Họ và tên": pd.Series(rng.choice(SURNAMES, rows))
            + " "
            + rng.choice(MIDDLE, rows)
            + " "
            + rng.choice(GIVEN, rows),
            "Ngày sinh": dob,
            "Giới tính": rng.choice(["Nam", "Nữ"], rows),
            # Stored as numbers, as a spreadsheet does: the leading zero is already gone.
            "Số CMND/CCCD": rng.integers(1_000_000_000, 96_999_999_999, rows).astype(float),
            "Số điện thoại": rng.integers(300_000_000, 999_999_999, rows).astype(float),
            "Thôn/Ấp/Tổ/Bản": rng.choice(["Thôn 1", "Thôn 2", "Bản Pác Bó"], rows),
        }
    )
    for n in (1, 2, 3):
        frame[f"Mũi {n} - Tên vắc xin"] = rng.choice(VACCINES, rows)
        frame[f"Mũi {n} - Số lô"] = [f"L{v}" for v in rng.integers(1000, 9999, rows)]
        frame[f"Mũi {n} - Ngày tiêm"] = pd.Timestamp("2021-06-01") + pd.to_timedelta(
            rng.integers(0, 300, rows) + 60 * n, unit="D"
        )
        frame[f"Mũi {n} - Cơ sở tiêm"] = rng.choice(["TYT Thượng Thôn", "BV huyện"], rows)
    return frame


def main(rows: int = 100_000, engines=("fastexcel", "calamine", "openpyxl")) -> None:
    path = DATA / f"export_{rows}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        # text_columns=[]: IDs and phones stay number cells, as in real platform exports.
        write_xlsx(
            path,
            {"Danh sách": synthetic_export(rows)},
            {"Danh sách": ["DANH SÁCH ĐÃ TIÊM"]},
            text_columns=[],
        )
        print(f"wrote {path} in {time.perf_counter() - start:.1f} s")
    timings = {}
    for engine in engines:
        wall, cpu = time.perf_counter(), time.process_time()
        export = read_export(path, engine=engine)
        timings[engine] = time.perf_counter() - wall
        print(
            f"{engine:9s} wall {timings[engine]:6.2f} s  cpu {time.process_time() - cpu:6.2f} s  "
            f"{len(export.records):,} records, {len(export.doses):,} doses "
            f"(read by {export.source['reader']})"
        )
    for slow in ("calamine", "openpyxl"):
        if slow in timings and "fastexcel" in timings:
            print(f"{slow} / fastexcel (wall) = {timings[slow] / timings['fastexcel']:.1f}x")

if __name__ == "__main__":
    if len(sys.argv) > 2:
        main(int(sys.argv[1]), tuple(sys.argv[2:]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
