"""The injector: the draft's columns while they are damaged, which field groups of each record
are still free, the labels; :meth:`Injector.run` applies every field group in a fixed order
(the order is part of the seed: the same seed draws the same damage)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from vaxutils.synth.inject.births import birth_date_errors, birth_year_errors
from vaxutils.synth.inject.contact import contact_errors
from vaxutils.synth.inject.doses import dose_errors
from vaxutils.synth.inject.duplicates import (
    duplicates,
    namesakes_missing,
    shared_ids,
    split_boosters,
)
from vaxutils.synth.inject.ids import id_errors
from vaxutils.synth.inject.names import name_errors
from vaxutils.synth.inject.noise import noise
from vaxutils.synth.inject.registry import registry_only_errors
from vaxutils.synth.inject.sex import sex_errors
from vaxutils.synth.inject.slots import LABEL_COLUMNS, SLOTS
from vaxutils.synth.inject.values import ascii_fold
from vaxutils.synth.rates import ErrorRates


class Injector:
    """Picks records for each injection (exact counts, disjoint per field group) and labels them."""

    def __init__(
        self,
        records,
        doses: pd.DataFrame,
        rates: ErrorRates,
        rng,
        export_date: date,
        fields: tuple[str, ...] | None = None,
    ):
        """``records``: a DataFrame or a dict of equal-length arrays (never changed); ``fields``:
        the person fields the export will show (default: all)."""
        # plain numpy columns while injecting: pandas string columns would convert on every edit
        self.columns = list(records.keys() if isinstance(records, dict) else records.columns)
        self.cols = {}
        for c in self.columns:
            values = np.asarray(records[c])
            text = values.dtype.kind in "OUT" or pd.api.types.is_string_dtype(values.dtype)
            self.cols[c] = np.array(values, dtype=object if text else values.dtype, copy=True)
        self.doses = doses.copy()
        self.rates = rates
        self.rng = rng
        self.export_date = pd.Timestamp(export_date)
        self.n = len(self.cols[self.columns[0]])
        self.free = {slot: np.ones(self.n, dtype=bool) for slot in SLOTS}
        self.free["whole"] &= ~self.cols["_twin"].astype(bool)
        passport = self.cols["_kind"] == "passport"
        for slot in ("id", "registry", "whole"):
            self.free[slot] &= ~passport
        self.fields = None if fields is None else frozenset(fields)
        self.unique_name = self._unique_name()
        self.labels: list[pd.DataFrame] = []
        self.extra_records: list[pd.DataFrame] = []
        self.realised: dict[str, int] = {}

    # --- bookkeeping -----------------------------------------------------------------------------
    def pick(
        self,
        name: str,
        eligible: np.ndarray,
        slots: tuple[str, ...],
        base: int | None = None,
        check=None,
    ) -> np.ndarray:
        """Positions of ``round(rate * base)`` random eligible records whose ``slots`` are free.

        ``check(positions) -> bool mask`` is a costlier condition, run only on candidate batches.
        """
        rate = getattr(self.rates, name)
        want = int(round(rate * (self.n if base is None else base)))
        if want <= 0:
            self.realised[name] = 0
            return np.empty(0, dtype=int)
        ok = eligible.copy()
        for slot in slots:
            ok &= self.free[slot]
        candidates = np.flatnonzero(ok)
        if check is None:
            chosen = np.sort(
                self.rng.choice(candidates, size=min(want, len(candidates)), replace=False)
            )
        else:  # costly checks run on shuffled batches of candidates, not on the whole commune
            shuffled = self.rng.permutation(candidates)
            kept: list[np.ndarray] = []
            found = 0
            for start in range(0, len(shuffled), max(64, 3 * want)):
                batch = shuffled[start : start + max(64, 3 * want)]
                passed = batch[check(batch)]
                kept.append(passed)
                found += len(passed)
                if found >= want:
                    break
            chosen = np.sort(np.concatenate(kept)[:want]) if kept else np.empty(0, dtype=int)
        for slot in slots:
            self.free[slot][chosen] = False
        self.realised[name] = len(chosen)
        return chosen

    def label(
        self, pos, category: str, error_type: str, field: str, true_value, record_ids=None
    ) -> None:
        ids = self.cols["record_id"][pos] if record_ids is None else record_ids
        if len(ids) == 0:
            return
        self.labels.append(
            pd.DataFrame(
                {
                    "record_id": np.asarray(ids, dtype=object),
                    "category": category,
                    "error_type": error_type,
                    "field": field,
                    "true_value": np.asarray(true_value, dtype=object),
                }
            )
        )

    def _unique_name(self) -> np.ndarray:
        """Records whose accent-free name no other record of the commune shares (as first
        drafted: a name damaged later, e.g. legacy-encoded, is repaired by screening)."""
        names = pd.Series(self.col("full_name")).fillna("")
        codes, uniques = pd.factorize(names)
        folded = pd.Series([ascii_fold(u).lower() for u in uniques]).to_numpy()[codes]
        return ~pd.Series(folded).duplicated(keep=False).to_numpy()

    def shown(self, field: str) -> np.ndarray:
        """Mask of records whose ``field`` has a value and appears in the export."""
        if field not in self.cols or (self.fields is not None and field not in self.fields):
            return np.zeros(self.n, dtype=bool)
        return pd.notna(self.cols[field])

    def col(self, name: str) -> np.ndarray:
        """A snapshot of a column (later edits do not show through)."""
        return self.cols[name].copy()

    def set(self, name: str, pos: np.ndarray, values) -> None:
        self.cols[name][pos] = values

    def record_id(self, seq: int) -> str:
        """The record_id of the ``seq``-th record of the commune (new records of a split)."""
        return f"{self.cols['_commune'][0]}-{seq:06d}"

    # --- the whole run ---------------------------------------------------------------------------
    def run(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        self._dose_index()
        # every group draws from the one rng: this order is part of what a seed means
        duplicates(self)
        split_boosters(self)
        namesakes_missing(self)
        shared_ids(self)
        id_errors(self)
        registry_only_errors(self)
        sex_errors(self)
        birth_year_errors(self)
        name_errors(self)
        birth_date_errors(self)
        contact_errors(self)
        dose_errors(self)
        noise(self)
        records = pd.DataFrame(
            {
                c: pd.Series(
                    np.concatenate([self.cols[c], *(extra[c] for extra in self.extra_records)]),
                    dtype=object if self.cols[c].dtype == object else None,
                )
                for c in self.columns
            }
        )
        labels = (
            pd.concat(self.labels, ignore_index=True)
            if self.labels
            else pd.DataFrame({c: pd.Series(dtype=object) for c in LABEL_COLUMNS})
        )
        labels = labels.drop_duplicates(["record_id", "category", "error_type", "field"])
        return records, self.doses, labels[list(LABEL_COLUMNS)].reset_index(drop=True)

    def _dose_index(self) -> None:
        pos_of = pd.Series(np.arange(self.n), index=self.cols["record_id"])
        self.doses["_pos"] = pos_of.reindex(self.doses["record_id"].to_numpy()).to_numpy()
        self.doses = self.doses.sort_values(["_pos", "dose_number"], kind="stable").reset_index(
            drop=True
        )
        self.n_doses = np.bincount(self.doses["_pos"].to_numpy(), minlength=self.n)
        self.first_row = np.searchsorted(self.doses["_pos"].to_numpy(), np.arange(self.n))
