"""The synthetic national dataset: numbers drawn per chunk never meet across chunks (a shared ID or
phone would be a false duplicate across communes), by construction and at a country's scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vaxutils import dataset
from vaxutils.errors import VaxutilsError
from vaxutils.ids import classify_ids
from vaxutils.synth.dataset import write_dataset
from vaxutils.synth.numbers import unique_numbers
from vaxutils.synth.rates import ErrorRates

CHUNK = 400


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth_ds")
    run = write_dataset(
        root,
        n_persons=6 * CHUNK - 150,  # a short last chunk too
        per_commune=200,
        chunk=CHUNK,
        seed=3,
        rates=ErrorRates.none(),
        split_share=0.01,
    )
    assert run["n_split"] > 0
    return dataset.read_dataset(root).records


def _chunk(records: pd.DataFrame) -> np.ndarray:
    # record ids are <commune>-<number in the dataset>[-b for a split person's second record]
    return records["record_id"].str.split("-").str[1].astype(int).to_numpy() // CHUNK


def test_each_chunk_draws_from_its_own_slice_of_every_number_space(records):
    chunk = _chunk(records)
    n_chunks = chunk.max() + 1
    assert n_chunks == 6
    kinds = classify_ids(records["id_number"])
    # the clean generator still adds spaces around cells ("normalized" noise)
    digits = records["id_number"].str.replace(r"\D", "", regex=True)
    for kind, random_digits in (("cccd", 6), ("cmnd", 7), ("passport", 7)):
        mine = (kinds["id_kind"] == kind).to_numpy()
        assert mine.sum() > 2, kind
        tail = digits[mine].str[-random_digits:].astype(int).to_numpy()
        assert (tail % n_chunks == chunk[mine]).all(), kind
    phone = records["phone"].str.replace(r"\D", "", regex=True)
    has = phone.notna().to_numpy()
    assert has.sum() > 100
    assert (phone[has].str[-7:].astype(int).to_numpy() % n_chunks == chunk[has]).all()


def test_no_number_is_shared_across_chunks(records):
    chunk = pd.Series(_chunk(records), index=records.index)
    for column in ("id_number", "phone", "insurance_no"):
        number = records[column].str.strip().to_numpy()
        spread = chunk.groupby(number).nunique()
        assert spread.max() == 1, column


def _realistic_prefixes(rng, size):
    """12-digit ID prefixes of ``size`` people: ~85% born in the local province, years 1930–2009."""
    year = rng.integers(1930, 2010, size)
    sex = rng.integers(0, 2, size)
    province = np.where(rng.random(size) < 0.85, 1, rng.integers(2, 96, size))
    return province * 1000 + sex * 100 + year % 100


def test_slots_are_disjoint_at_a_countrys_scale():
    """20 chunks of 100,000 people (a 2 M dataset): no ID number drawn twice with slots; without
    them, two chunks alone already share dozens."""
    rng = np.random.default_rng(0)
    n_chunks, size = 20, 100_000
    drawn = np.concatenate(
        [
            unique_numbers(rng, _realistic_prefixes(rng, size), 6, slot=(k, n_chunks))
            for k in range(n_chunks)
        ]
    )
    assert len(drawn) == n_chunks * size
    # (sorted, not np.unique: numpy 2's hashed unique takes seconds on millions of integers)
    assert (np.diff(np.sort(drawn)) != 0).all()
    # the same draws without slots collide: the test would see the bug
    loose = np.concatenate(
        [unique_numbers(rng, _realistic_prefixes(rng, size), 6) for _ in range(2)]
    )
    assert (np.diff(np.sort(loose)) == 0).sum() > 10


def test_a_slot_outside_its_range_is_refused():
    with pytest.raises(ValueError, match="slot"):
        unique_numbers(np.random.default_rng(0), np.zeros(3, "int64"), 2, slot=(2, 2))


def test_cli_writes_a_dataset(tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    runner = CliRunner()
    out = tmp_path / "ds"
    args = ["synth", "--dataset", str(out), "--persons", "300", "--province", "04", "--seed", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    parts = dataset.list_partitions(out)
    assert parts and {province for province, _ in parts} == {"04"}
    n_records = len(dataset.read_dataset(out).records)
    assert n_records >= 300 and f"wrote {n_records:,} records" in " ".join(result.output.split())
    # what does not go with --dataset is refused with a message (the CLI prints a VaxutilsError
    # without a traceback)
    for extra, said in (
        (["--out", str(tmp_path / "x")], "--out"),
        (["--commune", "01420"], "--commune"),
        (["--province", "99"], "'99'"),
        ([], "--persons"),
    ):
        bad = runner.invoke(app, [*args[:5], *extra] if extra else args[:3])
        assert isinstance(bad.exception, VaxutilsError) and said in str(bad.exception), extra
