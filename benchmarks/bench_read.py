"""How fast an export is read, and with how much memory.

1. One 100,000-row wide export (synthetic people, ~20 columns, title rows above the header,
   numeric IDs and real date cells as the platform exports them): ``read_export`` by fastexcel
   (one pass, the default), python-calamine and openpyxl.
2. 20 commune exports (8,000 people each) read one after another, then concurrently with
   ``vaxutils.io.read_many`` (a process per file, on every core). Target: ≥ 1.7× on 2 cores.

Each measurement runs in a fresh process so that its peak memory (``ru_maxrss``) is its own; the
memory printed is the peak above the process's size once vaxutils is imported, and, for the big
sheet, its ratio to the sheet's inflated XML (target ≤ 10×). Workbooks are written once into
``benchmarks/_data/`` and reused.

Run: ``python benchmarks/bench_read.py [rows] [engine ...]``; ``--many`` runs part 2 only,
``--one`` part 1 only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "_data"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Nông", "Thạch"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu"]
GIVEN = ["Nam", "Hoa", "Bình", "Lan", "Hùng", "Mai", "Tuấn", "Thủy", "Pảo", "Slam"]
VACCINES = ["AstraZeneca", "Pfizer", "Moderna", "Vero Cell"]
COMMUNE_ROWS, COMMUNES = 8_000, 20


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


def workbook(rows: int, seed: int = 1) -> Path:
    """The export of ``rows`` people, written once."""
    from vaxutils.io import write_xlsx

    path = DATA / f"export_{rows}{'' if seed == 1 else f'_{seed}'}.xlsx"
    if not path.exists():
        # text_columns=[]: IDs and phones stay number cells, as in real platform exports.
        write_xlsx(
            path,
            {"Danh sách": synthetic_export(rows, seed)},
            {"Danh sách": ["DANH SÁCH ĐÃ TIÊM"]},
            text_columns=[],
        )
    return path


def communes() -> list[Path]:
    """20 commune exports of 8,000 people (distinct files, different people)."""
    folder = DATA / "communes"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(COMMUNES):
        path = folder / f"export_{1420 + i:05d}.xlsx"
        if not path.exists():
            shutil.copy(workbook(COMMUNE_ROWS, seed=100 + i % 4), path)  # 4 distinct contents
        paths.append(path)
    return paths


def _child(task: str, args: list[str]) -> None:
    """Run one measurement in this (fresh) process and print it as JSON."""
    import resource
    import time

    from vaxutils.io import read_export, read_many

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    if task == "one":
        export = read_export(args[0], engine=args[1])
        result = {"records": len(export.records), "reader": export.source["reader"]}
    else:
        results = read_many(args[1:], workers=int(args[0]))
        result = {"records": sum(len(r.export.records) for r in results)}
    result |= {
        "wall": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_mb() - base,
    }
    if task == "many":  # worker processes: their own peaks
        result["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def measure(task: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", task, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_sheet(rows: int, engines) -> None:
    path = workbook(rows)
    with zipfile.ZipFile(path) as book:
        inflated = sum(i.file_size for i in book.infolist() if i.filename.startswith("xl/"))
    print(f"{rows:,}-row sheet: {path.stat().st_size / 2**20:.1f} MB on disk, "
          f"{inflated / 2**20:.0f} MB of XML inflated")  # fmt: skip
    timings, cpu = {}, {}
    for engine in engines:
        r = measure("one", path, engine)
        timings[engine], cpu[engine] = r["wall"], r["cpu"]
        print(
            f"  {engine:9s} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s  peak +{r['peak_mb']:6.0f} MB "
            f"({r['peak_mb'] * 2**20 / inflated:4.1f}× the XML)  {r['records']:,} records "
            f"(read by {r['reader']})"
        )
    for slow in ("calamine", "openpyxl"):
        if slow in timings and "fastexcel" in timings:
            print(
                f"  {slow} / fastexcel: wall {timings[slow] / timings['fastexcel']:.1f}x, "
                f"cpu {cpu[slow] / cpu['fastexcel']:.1f}x (on a loaded machine, trust cpu)"
            )


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def calibration(cores: int) -> float:
    """What a pure-CPU task gains from ``cores`` processes on this machine right now (a shared
    machine under load gains little, whatever the reader does)."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    n, k = 3_000_000, 4 * cores
    start = time.perf_counter()
    for _ in range(k):
        _spin(n)
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=context) as pool:
        list(pool.map(_spin, [n] * k))
    return sequential / (time.perf_counter() - start)


def many_files() -> None:
    paths = communes()
    cores = os.cpu_count() or 1
    print(f"{len(paths)} commune exports of {COMMUNE_ROWS:,} people, {cores} cores "
          f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    sequential = measure("many", 1, *paths)
    concurrent = measure("many", cores, *paths)
    for name, r in (("one after another", sequential), (f"concurrent ({cores})", concurrent)):
        print(
            f"  {name:18s} wall {r['wall']:6.2f} s  peak +{r['peak_mb']:5.0f} MB"
            + (f" (each worker ≤ {r['children_peak_mb']:.0f} MB)" if r["children_peak_mb"] else "")
        )
    print(f"  concurrent / sequential speed-up = {sequential['wall'] / concurrent['wall']:.2f}x "
          "(target ≥ 1.7× on 2 cores)")  # fmt: skip
    print(f"  (calibration: a pure-CPU loop gains {calibration(cores):.2f}x from {cores} processes "
          "on this machine now)")  # fmt: skip


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2:])
        return
    only_many, only_one = "--many" in argv, "--one" in argv
    rest = [a for a in argv if not a.startswith("--")]
    rows = int(rest[0]) if rest else 100_000
    engines = tuple(rest[1:]) or ("fastexcel", "calamine", "openpyxl")
    DATA.mkdir(parents=True, exist_ok=True)
    if not only_many:
        one_sheet(rows, engines)
    if not only_one:
        many_files()


if __name__ == "__main__":
    main(sys.argv[1:])
