"""Benchmark: ``vaxutils batch`` on 20 synthetic communes vs. a plain loop of CLI calls.

The naive way, per commune: ``vaxutils screen`` + ``papermill`` + ``jupyter nbconvert --to html``
(three fresh Python processes plus a kernel). ``vaxutils batch`` screens in long-lived workers,
runs the notebooks in parallel and exports HTML in-process. Prints both times and the ratio
(target ≥ 2×). Data go to benchmarks/_data/ (git-ignored). Usage:

    python benchmarks/bench_batch.py [--communes 20] [--persons 300] [--workers 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"
BIN = Path(sys.executable).parent


def communes(n: int) -> list[str]:
    from vaxutils import refdata

    return refdata.communes_of_province("04")["commune_code"].astype(str).head(n).tolist()


def generate(codes: list[str], persons: int) -> Path:
    from vaxutils.batch.synthetic import write_small_commune

    inputs = DATA / f"inputs_{len(codes)}_{persons}"
    if not all(list(inputs.glob(f"export_{c}.*")) for c in codes):
        for code in codes:
            write_small_commune(code, inputs, persons=persons, seed=1)
    return inputs


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def naive(codes: list[str], inputs: Path) -> float:
    from vaxutils.report.run import COMMUNE_NOTEBOOK

    out = DATA / "naive"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    for code in codes:
        export = next(inputs.glob(f"export_{code}.*"))
        screen_dir = out / code / "screen"
        executed = out / code / "report.ipynb"
        run([str(BIN / "vaxutils"), "screen", str(export), "--out", str(screen_dir)])
        run(
            [
                str(BIN / "papermill"),
                str(COMMUNE_NOTEBOOK),
                str(executed),
                "-p",
                "commune_code",
                code,
                "-p",
                "screen_dir",
                str(screen_dir.resolve()),
                "--no-progress-bar",
            ]
        )
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - started


def batch(codes: list[str], inputs: Path, workers: int) -> float:
    out = DATA / "batch"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    run(
        [
            str(BIN / "vaxutils"),
            "batch",
            "--input",
            str(inputs),
            "--out",
            str(out),
            "--communes",
            ",".join(codes),
            "--workers",
            str(workers),
            "--no-overview",
        ]
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=20)
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    codes = communes(args.communes)
    inputs = generate(codes, args.persons)
    t_batch = batch(codes, inputs, args.workers)
    t_naive = naive(codes, inputs)
    print(f"{len(codes)} xã × {args.persons} người")
    print(f"vòng lặp CLI (screen + papermill + nbconvert): {t_naive:7.1f} s")
    print(f"vaxutils batch --workers {args.workers}:             {t_batch:7.1f} s")
    print(f"tỷ lệ / ratio: {t_naive / t_batch:.2f}× (mục tiêu ≥ 2×)")


if __name__ == "__main__":
    main()
