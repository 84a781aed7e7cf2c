"""Benchmark: a province's reports with ``vaxutils batch`` vs. a plain loop of CLI calls.

Like with like: both paths produce the same deliverables for every commune — the screening
folder, the report (executed notebook + HTML), the village review workbook (step S2) and the
passport signing workbook (step S7) — for the same export day. The naive way, per commune, is
the plain CLI a person would script: ``vaxutils screen``, ``vaxutils review out``, ``vaxutils
passport`` (it also writes the worklist's CSV twin), ``papermill`` and ``jupyter nbconvert --to
html --no-input`` (five fresh Python processes plus a kernel). ``vaxutils batch`` screens in
long-lived workers, each keeping one notebook kernel for all its communes (reset between them),
writes both workbooks from the screening it holds in memory, and exports HTML in-process; with
``--dataset`` the same communes are also ingested (``vaxutils ingest``, timed apart) and batched
from the dataset on a dask LocalCluster (screening with the cross-commune pass, then the reports).
Contracts are checked on both sides (the findings contract) unless ``--no-contracts``.

The issue's target is 100 communes of ~8,000 people, ≥ 3× the loop. The sizes are parameters; the
naive loop can be timed on a sample of the communes (``--naive-sample K``) and scaled linearly (its
cost per commune does not depend on the others). Prints the sizes, both times (wall and CPU), the
ratio, the seconds per commune of each step of the loop and of each phase of the batch (from the
communes' manifests). Inputs are generated once per size and reused. Usage:

    python benchmarks/bench_batch.py [--communes 20] [--persons 2000] [--workers 2]
                                     [--naive-sample K] [--dataset] [--no-contracts]
                                     [--data DIR]   (default benchmarks/_data, git-ignored)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"  # --data DIR elsewhere
BIN = Path(sys.executable).parent


def communes(n: int) -> list[str]:
    from vaxutils import refdata

    codes = refdata.communes_of_province("04")["commune_code"].astype(str)
    if n > len(codes):  # a bigger province than Cao Bằng: add Hà Nội's communes
        codes = codes._append(refdata.communes_of_province("01")["commune_code"].astype(str))
    return codes.head(n).tolist()


def generate(codes: list[str], persons: int) -> Path:
    from vaxutils.batch.synthetic import write_small_commune

    # one folder per size, shared by every commune count (the batch is given --communes)
    inputs = DATA / f"inputs_{persons}_s1"
    started = time.perf_counter()
    # one seed for all, as the earlier measurements (another seed may draw a shape whose commune
    # names are ambiguous without a district: that commune then fails in every path)
    for code in codes:
        if not list(inputs.glob(f"export_{code}.*")):
            write_small_commune(code, inputs, persons=persons, seed=1)
    print(f"dữ liệu / data: {inputs} ({time.perf_counter() - started:.0f} s)", flush=True)
    return inputs


CPU = {"s": 0.0}
#: the synthetic exports' day (vaxutils.batch.synthetic.EXPORT_DATE), given to both paths
EXPORT_DAY = "15/05/2022"


def run(cmd: list[str], allowed: tuple[int, ...] = (0,)) -> float:
    """Run a command; its CPU seconds (and its reaped children's: workers, kernels) are added to
    ``CPU`` — on a shared machine, wall time rewards whoever runs more processes at once.
    Returns its wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if done.returncode not in allowed:
        raise subprocess.CalledProcessError(done.returncode, cmd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["s"] += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall


def cpu_since(start: float) -> float:
    return CPU["s"] - start


def naive(codes: list[str], inputs: Path, contracts: list[str]) -> tuple[float, dict]:
    """The plain loop; returns its wall seconds and the seconds of each step, per commune."""
    from vaxutils.report.run import COMMUNE_NOTEBOOK
    from vaxutils.stage_files import BATCH

    out = DATA / "naive"
    shutil.rmtree(out, ignore_errors=True)
    steps: dict[str, list[float]] = defaultdict(list)
    vaxutils = str(BIN / "vaxutils")
    started = time.perf_counter()
    for code in codes:
        export = next(inputs.glob(f"export_{code}.*"))
        commune_dir = out / code
        screen_dir = commune_dir / "screen"
        executed = commune_dir / "report.ipynb"
        steps["screen"].append(
            run(
                [vaxutils, "screen", str(export), "--out", str(screen_dir)]
                + ["--export-date", EXPORT_DAY, *contracts]
            )
        )
        review = commune_dir / BATCH.review_workbook(code)
        steps["review out"].append(
            run([vaxutils, "review", "out", str(screen_dir), "--out", str(review)])
        )
        # the batch checks no passport contract: neither does the loop
        steps["passport"].append(
            run(
                [vaxutils, "passport", str(screen_dir), "--out", str(commune_dir / "ho_chieu")]
                + ["--date", EXPORT_DAY, "--no-contracts"]
            )
        )
        steps["papermill"].append(
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
        )
        steps["nbconvert"].append(
            run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        )
    return time.perf_counter() - started, steps


def batch(codes: list[str], inputs: Path, workers: int, extra: list[str]) -> tuple[float, Path]:
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
            "--export-date",
            EXPORT_DAY,
            *extra,
        ],
        allowed=(0, 1),  # 1: some commune failed (its input's contract); counted below
    )
    return time.perf_counter() - started, out


def dataset_batch(codes, inputs: Path, workers: int, extra: list[str]) -> tuple[float, float, Path]:
    ds, out = DATA / "dataset", DATA / "batch_dataset"
    shutil.rmtree(ds, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    exports = [str(next(inputs.glob(f"export_{c}.*"))) for c in codes]
    run([str(BIN / "vaxutils"), "ingest", *exports, "--out", str(ds)])
    ingest = time.perf_counter() - started
    started = time.perf_counter()
    run(
        [
            str(BIN / "vaxutils"),
            "batch",
            "--input",
            str(ds),
            "--out",
            str(out),
            "--workers",
            str(workers),
            "--no-overview",
            "--export-date",
            EXPORT_DAY,
            *extra,
        ]
    )
    return ingest, time.perf_counter() - started, out


def per_commune(out: Path) -> str:
    """Seconds per commune as the batch's manifests recorded them (median, max), and the median
    of each phase."""
    manifests = [json.loads(p.read_text("utf-8")) for p in out.glob("*/manifest.json")]
    seconds = sorted(m.get("seconds", 0.0) for m in manifests)
    if not seconds:
        return "?"
    phases: dict[str, list[float]] = defaultdict(list)
    for m in manifests:
        for phase, value in m.get("phases", {}).items():
            phases[phase].append(value)
    return (
        f"{len(manifests)} xã xong / communes done; "
        f"trung vị / median {seconds[len(seconds) // 2]:.2f} s, lớn nhất / max {seconds[-1]:.2f} s"
        + (f"; {medians(phases)}" if phases else "")
    )


def medians(steps: dict[str, list[float]]) -> str:
    return ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in steps.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=20)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--naive-sample", type=int, default=0, help="time the loop on K communes")
    parser.add_argument("--dataset", action="store_true", help="also batch from a dataset")
    parser.add_argument("--no-contracts", action="store_true", help="batch --no-contracts")
    parser.add_argument(
        "--naive-seconds", type=float, default=0.0, help="a loop time measured before (no loop)"
    )
    parser.add_argument("--data", type=Path, default=DATA, help="inputs and outputs go here")
    args = parser.parse_args()
    globals()["DATA"] = args.data
    codes = communes(args.communes)
    inputs = generate(codes, args.persons)
    extra = ["--no-contracts"] if args.no_contracts else []
    c0 = cpu_since(0)
    t_batch, out = batch(codes, inputs, args.workers, extra)
    c_batch = cpu_since(c0)
    print(
        f"vaxutils batch --workers {args.workers}: {t_batch:7.1f} s, CPU {c_batch:7.1f} s"
        f" ({per_commune(out)})",
        flush=True,
    )
    if args.dataset:
        t_ingest, t_ds, out_ds = dataset_batch(codes, inputs, args.workers, extra)
        print(
            f"vaxutils ingest: {t_ingest:7.1f} s; vaxutils batch --input DATASET: {t_ds:7.1f} s"
            f" ({per_commune(out_ds)})",
            flush=True,
        )
    sample = codes[: args.naive_sample] if args.naive_sample else codes
    c0 = cpu_since(0)
    if args.naive_seconds:
        t_sample, steps = args.naive_seconds, {}
    else:
        t_sample, steps = naive(sample, inputs, extra)
    t_naive = t_sample * len(codes) / len(sample)
    c_naive = cpu_since(c0) * len(codes) / len(sample)
    scaled = f" (đo trên {len(sample)} xã, nhân tỷ lệ / {len(sample)} measured, scaled)"
    print(f"{len(codes)} xã × {args.persons} người / communes × persons")
    print(
        f"vòng lặp CLI (screen + papermill + nbconvert): {t_naive:7.1f} s"
        + (scaled if len(sample) < len(codes) else "")
    )
    if steps:
        print(
            f"vòng lặp, giây mỗi xã (trung vị) / loop, seconds per commune (median): {medians(steps)}"
        )
    print(f"vaxutils batch --workers {args.workers}:             {t_batch:7.1f} s")
    print(f"tỷ lệ / ratio: {t_naive / t_batch:.2f}× (mục tiêu / target ≥ 3×)")
    if not args.naive_seconds:
        print(
            f"CPU: vòng lặp / loop {c_naive:7.1f} s, batch {c_batch:7.1f} s, tỷ lệ / ratio"
            f" {c_naive / c_batch:.2f}×"
        )
    if args.dataset:
        print(
            f"tỷ lệ bộ dữ liệu / dataset ratio: {t_naive / t_ds:.2f}× (ingest không tính / not counted)"
        )


if __name__ == "__main__":
    main()
