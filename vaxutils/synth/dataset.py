"""A province- or country-scale synthetic dataset, written straight into the national dataset layout
(:mod:`vaxutils.dataset`), with people registered in two communes.

The population is made in large vectorised chunks (:func:`vaxutils.synth.generate_commune` with many
people, no xlsx rendered), read back through the platform-export reader, and cut into communes of
~``per_commune`` people that take the codes of real 2022 communes (every fourth block from the far
end of the list, so that a chunk spans provinces). Then a share of the people is *split*: a second
record in another commune of the chunk (often another province) takes over the end of their dose
history — doses 1–2 stay, the boosters move (or dose 2 when there is no booster) — with the same
name, birth date and sex; half of the second records lose the ID number (registered where they
worked, without papers). ``_synth/split_persons.parquet`` lists the pairs.

>>> from pathlib import Path; import tempfile
>>> run = write_dataset(Path(tempfile.mkdtemp()), n_persons=600, per_commune=200, seed=1)
>>> run["n_communes"], run["n_split"] > 0
(3, True)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils import io, refdata
from vaxutils.dataset.ingest import record_entries, write_export
from vaxutils.synth.commune import generate_commune
from vaxutils.synth.rates import ErrorRates

SPLIT_DIR = "_synth"


def _commune_order(province: str | None) -> pd.DataFrame:
    if province is not None:  # an unknown code raises refdata.UnknownDivision
        return refdata.communes_of_province(province).reset_index(drop=True)
    return refdata.communes().reset_index(drop=True)


def _blocks(communes: pd.DataFrame, first: int, n_blocks: int) -> pd.DataFrame:
    """The communes of ``n_blocks`` consecutive blocks from block ``first``: mostly in list order,
    every fourth from the far end of the list (another province, when there is one)."""
    k = np.arange(first, first + n_blocks)
    near = k - k // 4
    far = len(communes) - 1 - k // 4
    at = np.where(k % 4 == 3, far, near) % len(communes)
    return communes.iloc[at].reset_index(drop=True)


def _together(block: np.ndarray, record_ids: pd.Series, labels: pd.DataFrame) -> np.ndarray:
    """Blocks where the records the generator made of one person (a split history) or of two
    people sharing an ID number stay in one commune: the later record follows the earlier one."""
    linked = labels[labels["category"].eq("duplicate") & labels["field"].eq("record_id")]
    at = pd.Index(record_ids.astype("string").to_numpy())
    a = at.get_indexer(linked["record_id"].astype("string"))
    b = at.get_indexer(linked["true_value"].astype("string"))
    ok = (a >= 0) & (b >= 0)
    a, b = a[ok], b[ok]
    block = block.copy()
    block[np.maximum(a, b)] = block[np.minimum(a, b)]
    return block


def split_people(export, share: float, rng: np.random.Generator):
    """Move the end of some people's dose history to a second record in another commune.

    Returns the new export and the pairs (record_id, commune_code of both records).
    """
    records, doses = export.records, export.doses
    number = pd.to_numeric(doses["dose_number"], errors="coerce")
    per_record = number.groupby(doses["record_id"].to_numpy()).agg(["max", "size"])
    eligible = per_record.index[(per_record["max"] >= 2) & (per_record["size"] >= 2)]
    communes = records["commune_code"].unique()
    n = min(int(len(records) * share), len(eligible))
    if n == 0 or len(communes) < 2:
        return export, pd.DataFrame(
            columns=["record_id", "commune_code", "other_record_id", "other_commune_code"]
        )
    chosen = rng.choice(np.asarray(eligible, dtype=object), size=n, replace=False)
    original = records.set_index("record_id").loc[chosen].reset_index()
    # another commune: shift the commune's position by 1..len-1
    position = pd.Index(communes).get_indexer(original["commune_code"])
    other = communes[(position + rng.integers(1, len(communes), n)) % len(communes)]
    copy = original.copy()
    copy["record_id"] = original["record_id"] + "-b"
    copy["commune_code"] = other
    copy["commune"] = None
    copy["village"] = None
    no_id = rng.random(n) < 0.5
    copy.loc[no_id, "id_number"] = None
    copy["source_row"] = records["source_row"].max() + 1 + np.arange(n)
    top = per_record.loc[chosen, "max"].to_numpy()
    # boosters (3+) move; with only two doses, the second one
    moves_from = pd.Series(np.where(top >= 3, 3, 2), index=chosen)
    mine = doses["record_id"].isin(chosen) & (
        number.to_numpy() >= moves_from.reindex(doses["record_id"].to_numpy()).to_numpy()
    )
    doses = doses.copy()
    doses.loc[mine, "record_id"] = doses.loc[mine, "record_id"] + "-b"
    pairs = pd.DataFrame(
        {
            "record_id": original["record_id"],
            "commune_code": original["commune_code"],
            "other_record_id": copy["record_id"],
            "other_commune_code": copy["commune_code"],
        }
    )
    return replace(
        export, records=pd.concat([records, copy], ignore_index=True), doses=doses
    ), pairs


def write_dataset(
    out: str | os.PathLike,
    n_persons: int,
    seed: int = 0,
    per_commune: int = 8_000,
    split_share: float = 0.005,
    province: str | None = None,
    chunk: int = 250_000,
    rates: ErrorRates | None = None,
    export_date: date = date(2022, 5, 15),
) -> dict:
    """Write ``n_persons`` synthetic people (plus the second records of split people) into the
    dataset at ``out``; counts of what was written."""
    out = Path(out)
    communes = _commune_order(province)
    rng = np.random.default_rng(seed)
    chunk = max(per_commune, chunk - chunk % per_commune)
    entries, all_pairs = {}, []
    n_records = n_doses = 0
    n_chunks = -(-n_persons // chunk)
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, n_persons, chunk):
            size = min(chunk, n_persons - start)
            n_blocks = -(-size // per_commune)
            chosen = _blocks(communes, start // per_commune, n_blocks)
            # each chunk draws its ID, phone and insurance numbers from its own slice of the
            # number space: two chunks never give one number to two people (which would be a
            # false duplicate across communes)
            sc = generate_commune(
                chosen["commune_code"].iloc[0],
                n_persons=size,
                seed=seed + start,
                rates=rates,
                export_date=export_date,
                number_slot=(start // chunk, n_chunks),
            )
            frame = sc.export.astype(object).where(sc.export.notna(), None)
            path = io.write_parquet(Path(tmp) / f"chunk_{start}.parquet", frame.astype("string"))
            export = io.read_export(path)
            records = export.records.copy()
            block = _together(
                np.minimum(np.arange(len(records)) // per_commune, n_blocks - 1),
                records["record_id"],
                sc.labels,
            )
            records["commune_code"] = chosen["commune_code"].to_numpy()[block]
            records["commune"] = chosen["name"].to_numpy()[block]
            records["province"] = chosen["province_name"].to_numpy()[block]
            # record ids named after their commune, unique in the dataset
            new_id = (
                records["commune_code"]
                + "-"
                + pd.Series(start + np.arange(len(records))).astype(str).str.zfill(8).to_numpy()
            )
            rename = pd.Series(new_id.to_numpy(), index=records["record_id"].to_numpy())
            records["record_id"] = new_id.to_numpy()
            doses = export.doses.assign(record_id=export.doses["record_id"].map(rename))
            export = replace(
                export, records=records, doses=doses, conflicts=export.conflicts.iloc[0:0]
            )
            export, pairs = split_people(export, split_share, rng)
            key = f"synthetic:{seed}:{start}"
            entries[key] = write_export(out, export, key, f"synthetic_{seed}_{start}.parquet")
            all_pairs.append(pairs)
            n_records += len(export.records)
            n_doses += len(export.doses)
    record_entries(out, entries)
    pairs = pd.concat(all_pairs, ignore_index=True)
    io.write_parquet(out / SPLIT_DIR / "split_persons.parquet", pairs.astype("string"))
    return {
        "n_records": n_records,
        "n_doses": n_doses,
        "n_split": len(pairs),
        "n_communes": len({p[1] for e in entries.values() for p in e["partitions"]}),
    }
