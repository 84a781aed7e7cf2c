"""The national dataset path at 1 M, 2 M and 5 M persons on a LocalCluster of 2 workers.

For each size: a synthetic dataset (``vaxutils.synth.dataset.write_dataset``: communes of ~8,000
people, 0.5% of people split over two communes; generated once into benchmarks/_data, not timed),
then ``screen_dataset`` on a fresh LocalCluster. Prints the time, the peak RSS of each worker and of
the driver, the cross-commune pass's share, and the ratios the issue sets:
time(5 M) ≤ 5.5 × time(1 M), per-worker peak(5 M) ≤ 1.3 × peak(1 M), cross pass ≤ 30% of the total.

    .venv/bin/python benchmarks/bench_dataset.py [--persons 1000000 2000000 5000000] [--workers 2]
        [--data DIR] [--out DIR]

``--data``: where the datasets are (``dataset_N``, generated there when missing; default
benchmarks/_data); ``--out``: where the screenings write (``dataset_N_out``; default the data folder),
so that a read-only shared data folder can be screened into one's own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

DATA = Path(__file__).parent / "_data"
EXPORT_DATE = date(2022, 5, 15)


def generate(n: int, data: Path = DATA) -> None:
    from vaxutils.synth.dataset import write_dataset

    root = data / f"dataset_{n}"
    if not (root / "manifest.json").exists():
        t = time.perf_counter()
        made = write_dataset(root, n_persons=n, seed=7)
        print(f"  generated {made} in {time.perf_counter() - t:.0f} s (not timed)", flush=True)


def one(n: int, workers: int, data: Path = DATA, outs: Path | None = None) -> dict:
    """Screen one size; runs in its own process so its peaks are its own."""
    from vaxutils.screen.cluster import dask_client, peak_rss_gb, worker_peaks
    from vaxutils.screen.distributed import screen_dataset

    root = data / f"dataset_{n}"
    out = (outs or data) / f"dataset_{n}_out"
    # the LocalCluster screen_dataset would start itself (its p2p limits), kept to ask its workers
    with dask_client("local", workers) as client:
        t = time.perf_counter()
        cpu = time.process_time()
        run = screen_dataset(root, out, scheduler=client, export_date=EXPORT_DATE, workers=workers)
        total = time.perf_counter() - t
        peaks = worker_peaks(client)
        worker_cpu = client.run(time.process_time)
        cpu = time.process_time() - cpu
    return {
        "persons": n,
        "records": run.summary["n_records"],
        "doses": run.summary["n_doses"],
        "communes": run.summary["n_communes"],
        "seconds": round(total, 1),
        "communes_s": run.summary["timings_s"]["communes"],
        "cross_s": run.summary["timings_s"]["cross_commune"],
        "cross_findings": run.summary["findings_per_code"].get("duplicate_other_commune", 0),
        "worker_peak_gb": peaks,
        "worker_peak_gb_by_step": run.summary["timings_s"]["worker_peak_gb"],
        "cpu_s": round(cpu + sum(worker_cpu.values()), 1),
        "driver_peak_gb": round(peak_rss_gb(), 2),
        "n_tasks": run.summary["n_tasks"],
        # wall and CPU seconds per phase, summed over the tasks (CPU is what compares on a shared box)
        "tasks": run.summary["timings_s"]["tasks"],
        "commune_files_s": run.summary["timings_s"]["commune_files"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, nargs="+", default=[1_000_000, 2_000_000, 5_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA, help="the datasets' folder")
    parser.add_argument("--out", type=Path, help="the outputs' folder (default: --data)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folders = ["--data", str(args.data)] + (["--out", str(args.out)] if args.out else [])
    if args.generate:
        generate(args.generate, args.data)
        return
    if args.one:
        print("RESULT " + json.dumps(one(args.one, args.workers, args.data, args.out)), flush=True)
        return
    results = []
    for n in args.persons:
        # generated apart: its memory is not the screening's
        subprocess.run([sys.executable, __file__, "--generate", str(n), *folders], check=True)
        load = os.getloadavg()[0]
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--workers", str(args.workers), *folders],
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            sys.exit(f"{n:,} persons failed:\n{proc.stderr[-5000:]}")
        # the others' load on a shared machine: 1-minute averages before and after the run
        print(f"  load average {load:.2f} → {os.getloadavg()[0]:.2f}", flush=True)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                r = json.loads(line[len("RESULT ") :])
                results.append(r)
                print(
                    f"{r['persons']:>9,} persons ({r['records']:,} records, {r['doses']:,} doses, "
                    f"{r['communes']} communes): {r['seconds']} s (communes {r['communes_s']} s, "
                    f"cross-commune {r['cross_s']} s = {r['cross_s'] / r['seconds']:.0%}); peak RSS per "
                    f"worker {r['worker_peak_gb']} GB, driver {r['driver_peak_gb']} GB; CPU {r['cpu_s']} s; "
                    f"{r['cross_findings']:,} cross-commune findings; {r['n_tasks']} tasks",
                    flush=True,
                )
                print(f"    per-task phases (s, summed): {json.dumps(r['tasks'])}", flush=True)
                steps = json.dumps(r["worker_peak_gb_by_step"])
                print(f"    worker peak RSS after each step (GB): {steps}", flush=True)
            else:
                print(line)
    base = results[0]
    for r in results[1:]:
        scale = r["persons"] / base["persons"]
        print(
            f"ratio {r['persons'] // 1_000_000} M / {base['persons'] // 1_000_000} M: time "
            f"{r['seconds'] / base['seconds']:.2f}× (linear: {scale:.1f}×; target ≤ {scale * 1.1:.1f}×), "
            f"worker peak {max(r['worker_peak_gb']) / max(base['worker_peak_gb']):.2f}× (target ≤ 1.3×)"
        )


if __name__ == "__main__":
    main()
