"""Blocked duplicate detection vs. naive all-pairs, and rules vs. splink, on synthetic persons.

Run: .venv/bin/python benchmarks/bench_dedupe.py [--people 200000] [--no-splink]

1. 200,000 synthetic persons in 25 communes of 8,000: blocked dedupe per commune (how production runs)
   and the time for one commune (must be well under 1 s).
2. Naive all-pairs comparison on a sample, scaled to one commune (n²/2 pairs) and to 200,000 — with
   the ratio to the blocked path.
3. Accuracy (pairwise precision / recall against the planted truth) of the rules engine and, unless
   ``--no-splink``, of splink 5 (DuckDB) on one commune. splink and DuckDB are not dependencies of
   vaxutils: this part needs the ``compare`` extra (``pip install 'vaxutils[compare]'``) and is skipped,
   with a line saying so, without it.
All people are synthetic.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import pandas as pd

from vaxutils.linkage.compare import compare_pairs
from vaxutils.linkage.probabilistic import CompareExtraMissing, splink_duplicate_pairs
from vaxutils.screen.duplicates import duplicate_groups, duplicate_issues, same_person
from vaxutils.text import names

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ"]
FAMILY += ["Hồ", "Ngô", "Dương", "Lý", "Lò", "Thạch", "Giàng", "Nông", "Bế", "Danh"]
MIDDLE = {
    "Nam": ["Văn", "Minh", "Đức", "Quang", "Hữu", "Thanh", "Công", "Xuân"],
    "Nữ": ["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Thùy", "Hồng", "Mỹ"],
}
GIVEN = {
    "Nam": "Nam Hùng Dũng Tuấn Long Thủy Khoa Hòa Pảo Sơn Minh Mạnh Hải Phúc Quân Trung Tú Việt Khánh Bình".split(),
    "Nữ": "Lan Hoa Hòa Mai Thúy Linh Hương Ngân Trang Vân Yến Hà Thảo Nhung Loan Hạnh Huệ Quyên Anh Châu".split(),
}


def synthetic_persons(n_people: int, commune_size: int = 8000, seed: int = 1):
    """Prepared persons with ~10% of people entered twice (variants) and ~3% twins; truth labels."""
    rng = random.Random(seed)
    rows, truth = [], []
    for p in range(n_people):
        commune = f"{p // commune_size:05d}"
        sex = rng.choice(["Nam", "Nữ"])
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        year = rng.randint(1930, 2016)
        dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        digit = (0 if year < 2000 else 2) + (sex == "Nữ")
        pid = f"0{rng.choice(['01', '31', '36', '79', '89'])}{digit}{year % 100:02d}{rng.randint(0, 999999):06d}"
        phone = f"09{rng.randint(0, 99999999):08d}" if rng.random() < 0.5 else None
        base = dict(
            commune_code=commune, sex=sex, phone=phone, village=f"Thôn {rng.randint(1, 12)}"
        )
        rows.append(dict(base, record_id=f"P{p}", full_name=name, dob=dob, dob_precision="day",
                         id_raw=pid if rng.random() < 0.85 else ""))  # fmt: skip
        truth.append(p)
        roll = rng.random()
        if roll < 0.10:
            variant = rng.choice(["upper", "plain", "same", "typo_middle"])
            second = {"upper": name.upper(), "same": name}.get(variant, name)
            if variant == "plain":
                second = names.ascii_key(name).title()
            if variant == "typo_middle":
                parts = name.split()
                parts[1] = parts[1][:-1] if len(parts[1]) > 2 else parts[1]
                second = " ".join(parts)
            precise = rng.random() < 0.8
            rows.append(dict(base, record_id=f"P{p}b", full_name=second,
                             dob=dob if precise else f"{year}-01-01", dob_precision="day" if precise else "year",
                             id_raw=rng.choice(["", pid, pid.lstrip("0")]), phone=rng.choice([phone, None])))  # fmt: skip
            truth.append(p)
        elif roll < 0.13:
            twin = " ".join(
                name.split()[:-1] + [rng.choice([g for g in GIVEN[sex] if g != name.split()[-1]])]
            )
            rows.append(
                dict(
                    base,
                    record_id=f"P{p}t",
                    full_name=twin,
                    dob=dob,
                    dob_precision="day",
                    id_raw="",
                )
            )
            truth.append(-p - 1)
    frame = pd.DataFrame(rows)
    return prepare(frame), np.array(truth)


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """The prepared persons frame (docs/ARCHITECTURE.md) from the synthetic columns."""
    full_name = names.normalize_series(frame["full_name"].astype("string"))
    raw_id = frame["id_raw"].astype("string")
    is_cccd = raw_id.str.fullmatch(r"0\d{11}").fillna(False)
    repairable = raw_id.str.fullmatch(r"\d{10,11}").fillna(False)
    dob = pd.to_datetime(frame["dob"])
    return pd.DataFrame(
        {
            "record_id": frame["record_id"].astype("string"),
            "source_row": pd.array(np.arange(len(frame)) + 2, dtype="Int64"),
            "full_name": full_name,
            "name_key": names.match_key_series(full_name),
            "ascii_key": names.ascii_key_series(full_name),
            "dob": dob,
            "dob_precision": frame["dob_precision"].astype("string"),
            "birth_year": dob.dt.year.astype("Int64"),
            "sex": frame["sex"].astype("string"),
            "id_raw": raw_id,
            "id_kind": np.where(is_cccd, "cccd", np.where(raw_id.eq(""), "missing", "invalid")),
            "id_compact": raw_id.where(is_cccd),
            "id_suggestion": raw_id.str.zfill(12).where(repairable),
            "phone": frame["phone"].astype("string"),
            "village": frame["village"].astype("string"),
            "commune_code": frame["commune_code"].astype("string"),
            "first_dose_date": pd.Timestamp("2021-08-01"),
        }
    )


def pair_set(labels: np.ndarray) -> set[tuple[int, int]]:
    frame = pd.DataFrame({"pos": np.arange(len(labels)), "g": labels})
    pairs = frame.merge(frame, on="g")
    pairs = pairs[pairs["pos_x"] < pairs["pos_y"]]
    return set(zip(pairs["pos_x"].tolist(), pairs["pos_y"].tolist(), strict=True))


def accuracy(found: set, true: set) -> str:
    hit = len(found & true)
    return f"precision {hit / max(len(found), 1):.4f}  recall {hit / max(len(true), 1):.4f}  ({len(found)} pairs found, {len(true)} true)"


def timed(function, *args, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument(
        "--sample", type=int, default=1_500, help="records for the naive all-pairs run"
    )
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()

    persons, truth = synthetic_persons(args.people)
    communes = persons.groupby("commune_code", sort=True).indices
    print(
        f"{len(persons):,} synthetic records of {args.people:,} people in {len(communes)} communes"
    )

    first = persons.iloc[next(iter(communes.values()))]
    duplicate_issues(first)  # warm-up (imports, caches)
    _, one_commune = timed(duplicate_issues, first, repeat=3)
    print(
        f"blocked, one commune of {len(first):,} records:  {one_commune:.3f} s (target well under 1 s)"
    )

    start = time.perf_counter()
    findings = [duplicate_issues(persons.iloc[rows]) for rows in communes.values()]
    blocked_total = time.perf_counter() - start
    n_findings = sum(len(f) for f in findings)
    print(
        f"blocked, all {len(persons):,} records by commune:  {blocked_total:.2f} s  ({n_findings:,} findings)"
    )

    sample = persons.iloc[: args.sample]
    left, right = np.triu_indices(len(sample), k=1)

    def naive(frame):
        comparison = compare_pairs(frame, frame, left, right)
        return same_person(comparison)

    _, naive_sample = timed(naive, sample)
    per_pair = naive_sample / len(left)
    n = len(first)
    naive_commune = per_pair * n * (n - 1) / 2
    naive_all = per_pair * len(persons) * (len(persons) - 1) / 2
    print(
        f"naive all-pairs, sample of {len(sample):,} ({len(left):,} pairs):  {naive_sample:.2f} s"
    )
    print(f"naive all-pairs scaled to one commune ({n * (n - 1) // 2:,} pairs):  {naive_commune:.1f} s"
          f"  -> blocked is {naive_commune / one_commune:,.0f}x faster")  # fmt: skip
    print(f"naive all-pairs scaled to {len(persons):,} records in one pool:  {naive_all / 3600:.1f} h"
          f"  -> blocked by commune is {naive_all / blocked_total:,.0f}x faster")  # fmt: skip
    per_commune = per_pair * sum(len(r) * (len(r) - 1) / 2 for r in communes.values())
    print(f"naive all-pairs within each commune:  {per_commune:.0f} s"
          f"  -> blocked is {per_commune / blocked_total:,.0f}x faster")  # fmt: skip

    commune_truth = truth[next(iter(communes.values()))]
    true_pairs = pair_set(commune_truth)
    groups, rules_time = timed(duplicate_groups, first)
    print(f"rules engine (blocking + rapidfuzz), one commune, {rules_time:.2f} s: "
          f"{accuracy(pair_set(groups['person_group'].to_numpy()), true_pairs)}")  # fmt: skip
    if not args.no_splink:
        try:
            pairs, splink_time = timed(splink_duplicate_pairs, first)
        except CompareExtraMissing as error:
            print(f"splink skipped: {error}")
            return
        found = set(zip(pairs["left"].tolist(), pairs["right"].tolist(), strict=True))
        print(
            f"splink 5 (DuckDB, EM-trained), one commune, {splink_time:.2f} s: {accuracy(found, true_pairs)}"
        )


if __name__ == "__main__":
    main()
