"""Synthetic data at scale: 1,000,000 people, and a whole commune of 1,000,000 people, in memory.

Times ``generate_population(1_000_000)`` (the ground-truth people) and
``generate_commune(n_persons=1_000_000)`` (people, dose histories, the damaged export with its
labels, the registry extract; no file is written). Prints wall and CPU seconds for each against
the 60 s target (CPU time shows the cost when other jobs share the 2-core machine), and the
throughput. All people are synthetic.

    .venv/bin/python benchmarks/bench_synth.py [--n 1000000] [--commune 01420] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import time

TARGET_S = 60.0


def _timed(function, *args, **kwargs):
    """The result, wall seconds and CPU seconds of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def _report(what: str, n: int, wall: float, cpu: float) -> None:
    verdict = "OK" if wall <= TARGET_S else ("OK on CPU time" if cpu <= TARGET_S else "TOO SLOW")
    print(
        f"{what}: {wall:.1f} s wall, {cpu:.1f} s CPU for {n:,} people "
        f"({n / wall:,.0f} people/s); target {TARGET_S:.0f} s: {TARGET_S / wall:.2f}× — {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--commune", default="01420")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from vaxutils.synth import generate_commune, generate_population

    generate_commune(args.commune, n_persons=200, seed=args.seed)  # warm-up: imports, refdata
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    population, wall, cpu = _timed(generate_population, args.n, args.commune, seed=args.seed)
    _report("generate_population", len(population), wall, cpu)
    del population

    commune, wall, cpu = _timed(generate_commune, args.commune, n_persons=args.n, seed=args.seed)
    _report("generate_commune", len(commune.population), wall, cpu)
    errors = commune.labels[commune.labels["category"] != "normalized"]
    print(
        f"  export {commune.export.shape[0]:,} rows × {commune.export.shape[1]} columns "
        f"({commune.layout}), {len(commune.doses):,} doses, {len(errors):,} error labels on "
        f"{errors['record_id'].nunique():,} records, registry {len(commune.registry):,} people"
    )


if __name__ == "__main__":
    main()
