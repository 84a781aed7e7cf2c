"""Inject labelled errors and normalisation noise into a clean synthetic export.

Input: a *draft* — one record per person (text cells as the platform would show them, plus
helper columns starting with ``_``) and one row per dose. Output: the damaged draft and a
``labels`` frame (record_id, category, error_type, field, true_value) naming **every** category a
damaged record belongs to under DESIGN §3.2 — e.g. a duplicate whose second record has an empty ID
is ``duplicate`` on both records and ``missing_id`` on the second; a record that borrowed another
person's ID is ``duplicate`` and ``personal_info``.

Conservative by design (the screening engine is measured against these labels):

- each record gets at most one injection per field group (ID, name, date of birth, sex, phone,
  insurance, doses) and duplicates take a record whole, so injections never hide each other;
- errors detectable only against the registry (swapped ID digits, a day/month swap, a name typo)
  go only to records whose ID and other fields are intact, so the registry match still works;
- sex and birth-year errors go only to records with an intact 12-digit ID (they are detected
  against the ID digits), birth-date errors only to adults far from any age threshold;
- no injection that changes nothing detectable (a swap of two equal digits, a year typo that
  gives the same year, a day/month swap of 05/05, a 12–17 year-old "too young" by one day);
- foreigners (passport records) get no ID, registry-only or duplicate injection: they are not in
  the registry, so nothing about them could be checked or linked there;
- phone and insurance damage only where the export has that column (``fields``).

Cells that Excel would store as numbers — an ID, phone or insurance number that lost its leading
zero — are written as Python ``int`` (a numeric cell in xlsx, plain digits in CSV).
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import date

import numpy as np
import pandas as pd

from vaxutils.refdata import provinces
from vaxutils.refdata.vaccines import rules, vaccines
from vaxutils.synth.names import has_tone_style_choice, to_new_tone_style, to_old_tone_style
from vaxutils.synth.rates import ERROR_TYPES, ErrorRates
from vaxutils.text.legacy import detect_series, encode_legacy

LABEL_COLUMNS = ("record_id", "category", "error_type", "field", "true_value")
PLACEHOLDERS = ("0", "-", "x", "Không có", "chưa có", "000000000000")  # DESIGN §3.2
SEX_INVALID = ("?", "Không rõ", "KXĐ")
UNAPPROVED = ("Nanocovax", "Covivac")
_SLOTS = ("id", "name", "dob", "sex", "phone", "insurance", "dose", "registry", "whole")
# A record with an error only the registry can reveal keeps every other person field intact, so
# that the registry match (by ID, else by name and birth date) still finds the person.
_REGISTRY_ONLY = ("id", "name", "dob", "sex", "registry")
_DAY = np.timedelta64(1, "D")


def _never_plain() -> frozenset[str]:
    """Syllables never written plain in a name (the name checker's list, DESIGN §2.3)."""
    try:
        from vaxutils.text.names import NEVER_PLAIN_SYLLABLES

        return frozenset(NEVER_PLAIN_SYLLABLES)
    except ImportError:  # the text module is optional for the generator
        return frozenset({"nguyen", "tran", "pham", "hoang", "huynh", "van", "duc", "huu"})


def ascii_fold(text: str) -> str:
    """'Đặng Thị Thủy' -> 'Dang Thi Thuy' (for injecting "typed without diacritics")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def _is_plain_error(folded: str, never_plain: frozenset[str]) -> bool:
    words = folded.lower().split()
    # plain "Thi" is a real given name (thơ): it counts only before the last word
    return any(w in never_plain and (w != "thi" or i < len(words) - 1) for i, w in enumerate(words))


def _legacy_detectable(encoded: pd.Series, expected: str) -> np.ndarray:
    """Mask of encoded names that the legacy-text detector recognises."""
    return (detect_series(encoded) == expected).fillna(False).to_numpy(dtype=bool)


def format_dates(values: np.ndarray, fmt: str = "%d/%m/%Y") -> np.ndarray:
    """Format datetimes as text once per unique date (a commune has a few hundred dose days)."""
    idx = pd.DatetimeIndex(values)
    codes, uniques = pd.factorize(idx)
    texts = np.asarray(pd.DatetimeIndex(uniques).strftime(fmt), dtype=object)
    out = np.full(len(idx), None, dtype=object)
    ok = codes >= 0
    out[ok] = texts[codes[ok]]
    return out


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
        self.free = {slot: np.ones(self.n, dtype=bool) for slot in _SLOTS}
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

    # --- the whole run ---------------------------------------------------------------------------
    def run(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        self._dose_index()
        self.duplicates()
        self.split_boosters()
        self.namesakes_missing()
        self.shared_ids()
        self.id_errors()
        self.registry_only_errors()
        self.personal_errors()
        self.birth_date_errors()
        self.contact_errors()
        self.dose_errors()
        self.noise()
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

    # --- duplicates --------------------------------------------------------------------------
    def duplicates(self) -> None:
        """One person's doses split over two records; the second may have no ID or the same one."""
        pos = self.pick("duplicate_split", self.n_doses >= 2, _SLOTS)
        if not len(pos):
            return
        rng = self.rng
        start_id = self.n + 1
        new_ids = np.array([self._record_id(start_id + i) for i in range(len(pos))], dtype=object)
        second = {c: self.cols[c][pos].copy() for c in self.columns}
        second["record_id"] = new_ids
        old_ids = self.col("record_id")[pos]
        empty_id = rng.random(len(pos)) < 0.5
        true_ids = second["id_number"].copy()
        second["id_number"] = np.where(empty_id, None, true_ids)
        names = second["full_name"].copy()
        variation = rng.random(len(pos))
        upper = variation < 0.35
        tone = (
            (variation >= 0.35)
            & (variation < 0.6)
            & np.array([has_tone_style_choice(x) for x in names])
        )
        varied = names.copy()
        varied[upper] = [x.upper() for x in names[upper]]
        varied[tone] = [_flip_tone_style(x) for x in names[tone]]
        second["full_name"] = varied
        self.extra_records.append(second)
        # move doses k+1..n to the second record
        split = np.array([rng.integers(1, self.n_doses[p]) for p in pos])  # small: one per pair
        rows = self.doses["_pos"].to_numpy()
        numbers = self.doses["dose_number"].to_numpy()
        after = pd.Series(split, index=pos).reindex(rows).to_numpy()
        move = ~np.isnan(after) & (numbers > np.nan_to_num(after, nan=99))
        new_of = pd.Series(new_ids, index=pos)
        self.doses.loc[move, "record_id"] = new_of.reindex(rows[move]).to_numpy()
        self.label(pos, "duplicate", "duplicate_split", "record_id", new_ids)
        self.label(None, "duplicate", "duplicate_split", "record_id", old_ids, record_ids=new_ids)
        self.label(
            None,
            "missing_id",
            "duplicate_split",
            "id_number",
            true_ids[empty_id],
            record_ids=new_ids[empty_id],
        )
        self.label(
            None,
            "normalized",
            "name_uppercase",
            "full_name",
            names[upper],
            record_ids=new_ids[upper],
        )
        self.label(
            None,
            "normalized",
            "name_tone_style",
            "full_name",
            names[tone],
            record_ids=new_ids[tone],
        )

    def split_boosters(self) -> None:
        """One person split over two records, the second holding only the boosters, numbered
        again from 1 as a new registration would; it may lack the ID and the birth date.

        Judged alone, that record looks like a primary series: a Pfizer booster followed by an
        AstraZeneca one would be "mixing not allowed". So the boosters are made Pfizer/Moderna then
        AstraZeneca (every one a recommended booster), a second booster added 4–5 months after the
        first when the export date leaves room. Only for two-dose primary series.
        """
        rng = self.rng
        d = self.doses
        first_product = np.full(self.n, None, dtype=object)
        has = self.n_doses >= 1
        first_product[has] = d["product"].to_numpy(dtype=object)[self.first_row[has]]
        two_dose = np.isin(first_product, ["AstraZeneca", "Pfizer", "Moderna", "Vero Cell",
                                           "Sputnik V", "Hayat-Vax"])  # fmt: skip
        pos = self.pick("duplicate_split_boosters", (self.n_doses >= 3) & two_dose, _SLOTS)
        if not len(pos):
            return
        start_id = self.n + 1 + sum(len(x) for x in self.extra_records) + 500_000
        new_ids = np.array([self._record_id(start_id + i) for i in range(len(pos))], dtype=object)
        second = {c: self.cols[c][pos].copy() for c in self.columns}
        second["record_id"] = new_ids
        true_ids, true_dob = second["id_number"].copy(), second["dob"].copy()
        no_id = rng.random(len(pos)) < 0.5
        no_dob = no_id & (rng.random(len(pos)) < 0.5)
        second["id_number"] = np.where(no_id, None, true_ids)
        second["dob"] = np.where(no_dob, None, true_dob)
        self.extra_records.append(second)

        rows = d["_pos"].to_numpy()
        new_of = pd.Series(new_ids, index=pos)
        move = np.isin(rows, pos) & (d["dose_number"].to_numpy() > 2)
        d.loc[move, "record_id"] = new_of.reindex(rows[move]).to_numpy()
        d.loc[move, "dose_number"] = d.loc[move, "dose_number"] - 2
        booster1 = np.flatnonzero(move & (d["dose_number"].to_numpy() == 1))
        mrna = rng.choice(np.array(["Pfizer", "Moderna"], dtype=object), len(booster1))
        d.loc[booster1, ["product", "vaccine"]] = np.c_[mrna, mrna]
        # a second booster (AstraZeneca) where there is none and the export date leaves room
        has_second = np.isin(d["record_id"].to_numpy()[booster1],
                             d.loc[move & (d["dose_number"].to_numpy() == 2), "record_id"].to_numpy())  # fmt: skip
        days = rng.integers(125, 150, len(booster1)).astype("timedelta64[D]")
        when = d["dose_date"].to_numpy(dtype="datetime64[ns]")[booster1] + days
        room = ~has_second & (when < (self.export_date - pd.Timedelta(days=1)).to_datetime64())
        extra = d.iloc[booster1[room]].copy()
        extra["dose_number"] = 2
        extra["dose_date"] = when[room]
        extra[["product", "vaccine"]] = "AstraZeneca"
        d.loc[booster1[has_second], ["product", "vaccine"]] = np.c_[
            mrna[has_second], mrna[has_second]
        ]
        later = np.flatnonzero(move & (d["dose_number"].to_numpy() == 2))
        d.loc[later, ["product", "vaccine"]] = "AstraZeneca"
        self.doses = pd.concat([d, extra], ignore_index=True)

        old_ids = self.col("record_id")[pos]
        self.label(pos, "duplicate", "duplicate_split_boosters", "record_id", new_ids)
        self.label(
            None, "duplicate", "duplicate_split_boosters", "record_id", old_ids, record_ids=new_ids
        )
        self.label(None, "missing_id", "duplicate_split_boosters", "id_number", true_ids[no_id],
                   record_ids=new_ids[no_id])  # fmt: skip
        self.label(None, "personal_info", "duplicate_split_boosters", "dob", true_dob[no_dob],
                   record_ids=new_ids[no_dob])  # fmt: skip

    def namesakes_missing(self) -> None:
        """One of two namesakes (different people sharing a full name, common where names come from
        a small pool: Tày, Hmong, Khmer) loses its ID or its birth date. Not a duplicate."""
        kind = self.col("_kind")
        eligible = ~self.unique_name & (kind != "passport") & ~self.cols["_twin"].astype(bool)
        pos = self.pick("namesake_missing_field", eligible, ("id", "dob", "registry", "whole"))
        if not len(pos):
            return
        ids, dob = self.col("id_number"), self.col("dob")
        lose_id = (self.rng.random(len(pos)) < 0.5) & pd.notna(ids[pos])
        self.set("id_number", pos[lose_id], None)
        self.label(
            pos[lose_id], "missing_id", "namesake_missing_field", "id_number", ids[pos[lose_id]]
        )
        lose_dob = pos[~lose_id]
        self.set("dob", lose_dob, None)
        self.label(lose_dob, "personal_info", "namesake_missing_field", "dob", dob[lose_dob])

    def _record_id(self, seq: int) -> str:
        return f"{self.cols['_commune'][0]}-{seq:06d}"

    def shared_ids(self) -> None:
        """Two different people recorded with one ID (e.g. a child under a parent's CCCD)."""
        kind = self.col("_kind")
        owners = self.pick("shared_id", kind == "cccd", _SLOTS)
        if not len(owners):
            return
        borrowers = self.pick("shared_id", np.ones(self.n, dtype=bool), _SLOTS)
        k = min(len(owners), len(borrowers))
        owners, borrowers = owners[:k], borrowers[:k]
        self.realised["shared_id"] = k
        owner_ids = self.col("id_number")[owners]
        true_ids = self.col("id_number")[borrowers]
        self.set("id_number", borrowers, owner_ids)
        rid = self.col("record_id")
        self.label(owners, "duplicate", "shared_id", "record_id", rid[borrowers])
        self.label(borrowers, "duplicate", "shared_id", "record_id", rid[owners])
        self.label(borrowers, "personal_info", "shared_id", "id_number", true_ids)

    # --- ID damage -----------------------------------------------------------------------------
    def id_errors(self) -> None:
        rng = self.rng
        ids = self.col("id_number")
        kind = self.col("_kind")
        age = self.cols["_age"]
        cccd = kind == "cccd"
        everyone = np.ones(self.n, dtype=bool)

        def apply(name: str, eligible: np.ndarray, make, base=None) -> None:
            pos = self.pick(name, eligible, ("id", "registry"), base)
            if len(pos):
                true = ids[pos]
                self.set("id_number", pos, [make(v) for v in true])  # a few hundred values
                self.label(pos, ERROR_TYPES[name], name, "id_number", true)

        apply("id_empty", everyone, lambda v: None)
        apply("id_placeholder", everyone, lambda v: str(rng.choice(PLACEHOLDERS)))
        children = (age >= 5) & (age < 18)
        apply("child_without_id", children, lambda v: None, base=int(children.sum()))
        text = pd.Series(ids, dtype="string")
        zero_led = text.str.startswith("0").fillna(False).to_numpy(dtype=bool)
        apply("id_leading_zero_lost", zero_led, _as_number)
        apply("id_separators", everyone, lambda v: _with_separators(v, rng))
        apply("id_scientific", everyone, _scientific)
        has_zero = text.str.contains("0", regex=False).fillna(False).to_numpy(dtype=bool)
        apply("id_letter_o", has_zero, lambda v: _letter_o(v, rng))
        apply("id_wrong_length", everyone, lambda v: _wrong_length(v, rng))
        apply("id_unknown_province", cccd, lambda v: str(rng.choice(_UNKNOWN_PROVINCES)) + v[3:])
        apply("id_bad_century", cccd, lambda v: v[:3] + str(rng.integers(4, 10)) + v[4:])

    # --- errors seen only against the registry ---------------------------------------------------
    def registry_only_errors(self) -> None:
        rng = self.rng
        intact = self.free["id"] & ~self.cols["_twin"].astype(bool)
        ids = self.col("id_number")
        taken = set(ids[pd.notna(ids)])
        pos = self.pick(
            "id_swapped_digits", intact, _REGISTRY_ONLY, check=lambda p: _swappable(ids[p])
        )
        if len(pos):
            new = []
            for v in ids[pos]:
                swapped = _swap_digits(v, rng)
                while swapped in taken:  # never collide with someone else's real number
                    swapped = _swap_digits(v, rng)
                taken.add(swapped)
                new.append(swapped)
            self.set("id_number", pos, new)
            self.label(pos, "personal_info", "id_swapped_digits", "id_number", ids[pos])

        names = self.col("full_name")
        last_word = pd.Series(names, dtype="string").str.replace(r"^.* ", "", regex=True)
        given_ok = last_word.str.len().fillna(0).to_numpy() >= 3
        pos = self.pick("name_typo", intact & given_ok, _REGISTRY_ONLY)
        if len(pos):
            self.set("full_name", pos, [_typo(x, rng) for x in names[pos]])
            self.label(pos, "personal_info", "name_typo", "full_name", names[pos])

        dob = pd.DatetimeIndex(self.cols["_dob_ts"])
        full_date = ~self.cols["_year_only"].astype(bool)
        swappable = (dob.day <= 12) & (dob.day != dob.month) & (self.cols["_age"] >= 20)
        pos = self.pick("day_month_swapped", intact & full_date & swappable, _REGISTRY_ONLY)
        if len(pos):
            swapped = pd.to_datetime(
                {"year": dob.year[pos], "month": dob.day[pos], "day": dob.month[pos]}
            ).to_numpy()
            true = self.col("dob")[pos]
            self.set("dob", pos, format_dates(swapped, self.cols["_dob_format"][0]))
            self.label(pos, "personal_info", "day_month_swapped", "dob", true)

    # --- other personal information errors -----------------------------------------------------
    def personal_errors(self) -> None:
        rng = self.rng
        everyone = np.ones(self.n, dtype=bool)
        cccd_intact = (self.col("_kind") == "cccd") & self.free["id"]
        sex = self.col("sex")
        pos = self.pick("sex_flipped", cccd_intact, ("sex", "id"))
        self.set("sex", pos, np.where(sex[pos] == "Nam", "Nữ", "Nam"))
        self.label(pos, "personal_info", "sex_flipped", "sex", sex[pos])
        pos = self.pick("sex_missing", everyone, ("sex",))
        self.set("sex", pos, None)
        self.label(pos, "personal_info", "sex_missing", "sex", sex[pos])
        pos = self.pick("sex_invalid", everyone, ("sex",))
        self.set("sex", pos, rng.choice(SEX_INVALID, len(pos)))
        self.label(pos, "personal_info", "sex_invalid", "sex", sex[pos])

        dob_text = self.col("dob")
        dob = pd.DatetimeIndex(self.cols["_dob_ts"])
        adult = self.cols["_age"] >= 20
        not_leap_day = ~((dob.month == 2) & (dob.day == 29))
        pos = self.pick("birth_year_typo", cccd_intact & adult & not_leap_day, ("dob", "id"))
        if len(pos):
            # only ever older (never crosses an age threshold); never the same year
            shift = rng.choice(np.array([1, 2, 3, 5, 10]), len(pos))
            years = np.maximum(dob.year[pos] - shift, 1900)
            new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
            year_only = self.cols["_year_only"].astype(bool)[pos]
            text = np.where(
                year_only,
                years.astype(str),
                format_dates(new.to_numpy(), self.cols["_dob_format"][0]),
            )
            self.set("dob", pos, text)
            self.label(pos, "personal_info", "birth_year_typo", "dob", dob_text[pos])
        # typed late: an adult looks younger than the ID says (the ID keeps the true year); those
        # vaccinated young enough that the late year puts a dose before the eligible age
        first_age = np.nan_to_num(np.asarray(self.cols["_first_age"], dtype=float), nan=-1)
        late_ok = cccd_intact & not_leap_day & (first_age >= 18) & (first_age <= 27)
        late_ok &= ~self.cols["_year_only"].astype(bool) & (self.n_doses >= 1)
        pos = self.pick("birth_year_late", late_ok, ("dob", "id", "dose"))
        if len(pos):
            years = dob.year[pos] + rng.integers(1, 11, len(pos))
            new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
            self.set("dob", pos, format_dates(new.to_numpy(), self.cols["_dob_format"][0]))
            self.label(pos, "personal_info", "birth_year_late", "dob", dob_text[pos])
        # without a birth date a namesake would be indistinguishable: only people with a unique name
        pos = self.pick("dob_missing", self.unique_name, ("dob",))
        self.set("dob", pos, None)
        self.label(pos, "personal_info", "dob_missing", "dob", dob_text[pos])

        names = self.col("full_name")
        pos = self.pick("name_missing", everyone, ("name",))
        self.set("full_name", pos, None)
        self.label(pos, "personal_info", "name_missing", "full_name", names[pos])

        never_plain = _never_plain()
        present = pd.notna(names)

        def plain_is_error(pos: np.ndarray) -> np.ndarray:
            return np.array(
                [
                    ascii_fold(x) != x and _is_plain_error(ascii_fold(x), never_plain)
                    for x in names[pos]
                ],
                dtype=bool,
            )

        pos = self.pick("name_no_diacritics", present, ("name",), check=plain_is_error)
        self.set("full_name", pos, [ascii_fold(x) for x in names[pos]])
        self.label(pos, "personal_info", "name_no_diacritics", "full_name", names[pos])

        for name, expected in (("name_tcvn3", "tcvn3"), ("name_vni", "vni")):
            encode = functools.partial(encode_legacy, encoding=expected)

            def detectable(pos: np.ndarray, encode=encode, expected=expected) -> np.ndarray:
                encoded = pd.Series([encode(x) for x in names[pos]], dtype=object)
                changed = encoded.to_numpy() != names[pos]
                return changed & _legacy_detectable(encoded, expected)

            pos = self.pick(name, present, ("name",), check=detectable)
            self.set("full_name", pos, [encode(x) for x in names[pos]])
            self.label(pos, "personal_info", name, "full_name", names[pos])

        codes, uniques = pd.factorize(pd.Series(names, dtype=object))
        has_d = np.array(["Đ" in u for u in uniques], dtype=bool)[codes] & (codes >= 0)
        pos = self.pick("name_eth_for_d", has_d, ("name",))
        self.set("full_name", pos, [x.replace("Đ", "Ð") for x in names[pos]])
        self.label(pos, "personal_info", "name_eth_for_d", "full_name", names[pos])

    # --- birth dates that cannot be right ----------------------------------------------------------
    def birth_date_errors(self) -> None:
        """Impossible dates, dates after the export date, dates after the first dose.

        Screening reports each as personal_info and then skips the record's dose-age checks, so
        the record takes the dose slot too: no dose injection could be seen on it.
        """
        rng = self.rng
        dob_text = self.col("dob")
        dob = pd.DatetimeIndex(self.cols["_dob_ts"])
        fmt = self.cols["_dob_format"][0]
        # impossible: no date, so (like a missing one) only for people with a unique name
        pos = self.pick("dob_impossible", self.unique_name, ("dob", "dose"))
        if len(pos):
            day, month, year = dob.day[pos], dob.month[pos], dob.year[pos]
            pairs = np.array(_IMPOSSIBLE_DAY_MONTH)[
                rng.integers(0, len(_IMPOSSIBLE_DAY_MONTH), len(pos))
            ]
            # typed month first ("12/25/1985"), possible only when the day is over 12
            month_first = (day > 12) & (rng.random(len(pos)) < 0.5)
            d = np.where(month_first, month, pairs[:, 0])
            m = np.where(month_first, day, pairs[:, 1])
            self.set(
                "dob", pos, [f"{a:02d}/{b:02d}/{y}" for a, b, y in zip(d, m, year, strict=True)]
            )
            self.label(pos, "personal_info", "dob_impossible", "dob", dob_text[pos])

        # in the future: the century typed wrong (1985 -> 2085, 2010 -> 2110)
        not_leap_day = ~((dob.month == 2) & (dob.day == 29))
        future_ok = not_leap_day & (dob.year + 100 > self.export_date.year)
        pos = self.pick("dob_future", future_ok, ("dob", "dose"))
        if len(pos):
            years = dob.year[pos] + 100
            new = pd.to_datetime({"year": years, "month": dob.month[pos], "day": dob.day[pos]})
            year_only = self.cols["_year_only"].astype(bool)[pos]
            text = np.where(year_only, years.astype(str), format_dates(new.to_numpy(), fmt))
            self.set("dob", pos, text)
            self.label(pos, "personal_info", "dob_future", "dob", dob_text[pos])

        # after the first dose (the vaccination date typed as the birth date, or near it)
        vaccinated = self.n_doses >= 1
        first_date = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[ns]")
        first_date[vaccinated] = self.doses["dose_date"].to_numpy(dtype="datetime64[ns]")[
            self.first_row[vaccinated]
        ]
        last_day = (self.export_date - pd.Timedelta(days=1)).to_datetime64()
        room = (last_day - first_date) / _DAY  # days to the export date; NaN if no dose
        pos = self.pick("dob_after_first_dose", np.nan_to_num(room) >= 2, ("dob", "dose"))
        if len(pos):
            # 1 .. room-1 days after the first dose: before the export date, never in the future
            days = 1 + (rng.random(len(pos)) * np.minimum(room[pos] - 1, 60)).astype("int64")
            self.set("dob", pos, format_dates(first_date[pos] + days * _DAY, fmt))
            self.label(pos, "personal_info", "dob_after_first_dose", "dob", dob_text[pos])

    # --- phone and insurance numbers (warnings; contact.yaml) ---------------------------------------
    def contact_errors(self) -> None:
        rng = self.rng
        shown = self.shown("phone")

        def damage(name: str, field: str, slot: str, eligible, make) -> None:
            pos = self.pick(name, eligible, (slot,))
            if len(pos):
                true = self.col(field)[pos]
                self.set(field, pos, np.array([make(v) for v in true], dtype=object))
                self.label(pos, ERROR_TYPES[name], name, field, true)

        damage("phone_wrong_length", "phone", "phone", shown, lambda v: _wrong_length(v, rng, 1))
        damage("phone_invalid_prefix", "phone", "phone", shown,
               lambda v: v[0] + str(rng.choice(list("1246"))) + v[2:])  # fmt: skip
        insurance = pd.Series(self.col("insurance_no"), dtype="string")
        shown = self.shown("insurance_no")
        card = shown & (insurance.str.len() == 15).fillna(False).to_numpy(dtype=bool)
        zero_led = shown & insurance.str.fullmatch(r"0\d{9}").fillna(False).to_numpy(dtype=bool)
        damage("insurance_wrong_length", "insurance_no", "insurance", shown,
               lambda v: _wrong_length(v, rng, len(v) - 9))  # fmt: skip
        damage("insurance_bad_benefit_level", "insurance_no", "insurance", card,
               lambda v: v[:2] + str(rng.choice(list("06789"))) + v[3:])  # fmt: skip
        damage("insurance_leading_zero_lost", "insurance_no", "insurance", zero_led, _as_number)

    # --- dose history errors ---------------------------------------------------------------------
    def dose_errors(self) -> None:
        rng = self.rng
        d = self.doses
        dates = d["dose_date"].to_numpy(dtype="datetime64[ns]").copy()
        first, count = self.first_row, self.n_doses
        intact_dob = self.free["dob"]
        products = vaccines().set_index("product")
        r = rules()

        # out of order: dose j+1 dated before dose j
        pos = self.pick("dose_out_of_order", count >= 2, ("dose",))
        if len(pos):
            j = first[pos] + np.array([rng.integers(0, c - 1) for c in count[pos]])
            true = format_dates(dates[j + 1])
            differ = dates[j] != dates[j + 1]
            dates[j[differ]], dates[j[differ] + 1] = dates[j[differ] + 1], dates[j[differ]]
            self.label(pos, "dose", "dose_out_of_order", "dose_date", true)

        # too close: second primary dose earlier than the smaller of the two products' minimum gaps
        prod = d["product"].to_numpy(dtype=object)
        min_gap = products["min_interval_days"].astype("Float64").fillna(0).to_dict()
        primary = products["primary_doses"].astype(int).to_dict()
        in_primary = np.zeros(self.n, dtype=bool)
        has2 = count >= 2
        p1 = np.where(has2, prod[np.minimum(first, len(d) - 1)], None)
        p2 = np.where(has2, prod[np.minimum(first + 1, len(d) - 1)], None)
        gap_allowed = np.array(
            [
                min(min_gap.get(a, 0), min_gap.get(b, 0)) if a else 0
                for a, b in zip(p1, p2, strict=True)
            ]
        )
        in_primary = (
            has2
            & np.array([primary.get(a, 1) >= 2 if a else False for a in p1])
            & (gap_allowed >= 10)
        )
        pos = self.pick("dose_too_close", in_primary & self.free["dose"], ("dose",))
        if len(pos):
            gap = np.array([rng.integers(3, int(g) - 3 + 1) for g in gap_allowed[pos]])
            true = format_dates(dates[first[pos] + 1])
            dates[first[pos] + 1] = dates[first[pos]] + gap.astype("int64") * _DAY
            self.label(pos, "dose", "dose_too_close", "dose_date", true)

        # before the programme: a year typo (2021 -> 2020) on the first dose of an adult
        first_dates = dates[np.minimum(first, len(d) - 1)]
        adult_first = self.cols["_first_age"] >= 19
        early = (count >= 1) & (first_dates < np.datetime64("2022-03-01"))
        pos = self.pick("dose_before_start", adult_first & early & intact_dob, ("dose",))
        if len(pos):
            true = format_dates(dates[first[pos]])
            dates[first[pos]] = dates[first[pos]] - 365 * _DAY
            self.label(pos, "dose", "dose_before_start", "dose_date", true)

        # in the future (after the export date)
        pos = self.pick("dose_future", count >= 1, ("dose",))
        if len(pos):
            last = first[pos] + count[pos] - 1
            true = format_dates(dates[last])
            plus_year = dates[last] + 365 * _DAY
            floor = (self.export_date + pd.Timedelta(days=10)).to_datetime64()
            later = floor + (rng.random(len(pos)) * 200).astype("int64") * _DAY
            dates[last] = np.where(plus_year > floor, plus_year, later)
            self.label(pos, "dose", "dose_future", "dose_date", true)

        # an unapproved product (clinical-trial vaccines that were never approved)
        pos = self.pick("dose_unapproved", count >= 1, ("dose",))
        if len(pos):
            j = first[pos] + np.array([rng.integers(0, c) for c in count[pos]])
            vaccine = d["vaccine"].to_numpy(dtype=object).copy()
            true = vaccine[j].copy()
            vaccine[j] = rng.choice(UNAPPROVED, len(j))
            d["vaccine"] = pd.Series(vaccine, dtype=object, index=d.index)
            product = d["product"].to_numpy(dtype=object).copy()
            product[j] = vaccine[j]
            d["product"] = pd.Series(product, dtype=object, index=d.index)
            self.label(pos, "dose", "dose_unapproved", "vaccine", true)

        # before the age of eligibility: a minor's first dose moved before their age group opened
        first_age = self.cols["_first_age"]
        minor = (count >= 1) & (first_age >= 5) & (first_age < 18)
        pos = self.pick("dose_before_eligibility", minor & intact_dob, ("dose",))
        if len(pos):
            true = format_dates(dates[first[pos]])
            starts = np.array(r.eligibility_from, dtype="datetime64[ns]")
            ages = np.array(r.eligibility_min_age)
            age_now = first_age[pos]
            # the date the person's age group opened; move the dose 3–12 weeks before it
            opened = np.array(
                [starts[np.argmax(ages <= a)] for a in age_now], dtype="datetime64[ns]"
            )
            back = (21 + rng.random(len(pos)) * 63).astype("int64") * _DAY
            dates[first[pos]] = np.maximum(
                opened - back, np.datetime64(r.programme_start, "ns") + 7 * _DAY
            )
            self.label(pos, "dose", "dose_before_eligibility", "dose_date", true)

        # a missing dose number between two given doses (dose 2 of 3 deleted)
        pos = self.pick("dose_number_gap", count >= 3, ("dose",))
        d["dose_date"] = dates
        if len(pos):
            j = first[pos] + np.array([rng.integers(1, c - 1) for c in count[pos]])
            true = d["dose_number"].to_numpy()[j].astype(str)
            self.doses = d.drop(index=d.index[j]).reset_index(drop=True)
            self.label(pos, "dose", "dose_number_gap", "dose_number", true)
        else:
            self.doses = d

    # --- normalisation noise (not errors) --------------------------------------------------------
    def noise(self) -> None:
        rng = self.rng
        names = self.col("full_name")
        present = pd.notna(names)
        text_names = np.where(present, names, "").astype(str)
        lowered = pd.Series(text_names, dtype="string")
        # passport names (foreigners) are in capitals already: upper-casing changes nothing
        has_lower = (lowered.str.upper() != lowered).to_numpy(dtype=bool)
        pos = self.pick("name_uppercase", present & has_lower, ("name",))
        self.set("full_name", pos, [x.upper() for x in names[pos]])
        self.label(pos, "normalized", "name_uppercase", "full_name", names[pos])
        non_ascii = ~pd.Series(text_names, dtype="string").str.isascii().to_numpy(dtype=bool)
        pos = self.pick("name_nfd", present & non_ascii, ("name",))
        self.set("full_name", pos, [unicodedata.normalize("NFD", x) for x in names[pos]])
        self.label(pos, "normalized", "name_nfd", "full_name", names[pos])
        pos = self.pick("name_extra_spaces", present, ("name",))
        self.set("full_name", pos, [_extra_spaces(x, rng) for x in names[pos]])
        self.label(pos, "normalized", "name_extra_spaces", "full_name", names[pos])

        def has_choice(pos: np.ndarray) -> np.ndarray:
            return np.array([has_tone_style_choice(x) for x in names[pos]], dtype=bool)

        pos = self.pick("name_tone_style", present, ("name",), check=has_choice)
        self.set("full_name", pos, [_flip_tone_style(x) for x in names[pos]])
        self.label(pos, "normalized", "name_tone_style", "full_name", names[pos])

        ids = self.col("id_number")
        pos = self.pick("id_surrounding_spaces", pd.notna(ids), ("id",))
        self.set("id_number", pos, [f" {v} " if rng.random() < 0.5 else f"{v} " for v in ids[pos]])
        self.label(pos, "normalized", "id_surrounding_spaces", "id_number", ids[pos])
        sex = self.col("sex")
        pos = self.pick("sex_case", pd.notna(sex), ("sex",))
        upper = rng.random(len(pos)) < 0.5
        self.set(
            "sex",
            pos,
            np.where(upper, [s.upper() for s in sex[pos]], [s.lower() for s in sex[pos]]),
        )
        self.label(pos, "normalized", "sex_case", "sex", sex[pos])
        phones = self.col("phone")
        pos = self.pick("phone_leading_zero_lost", self.shown("phone"), ("phone",))
        self.set("phone", pos, np.array([_as_number(v) for v in phones[pos]], dtype=object))
        self.label(pos, "normalized", "phone_leading_zero_lost", "phone", phones[pos])


# Three-digit prefixes that are no 2022 province (the 63 codes have gaps).
_UNKNOWN_PROVINCES = tuple(
    f"{c:03d}" for c in range(1, 100) if f"{c:03d}" not in set(provinces()["cccd_code"])
)


def _flip_tone_style(name: str) -> str:
    new = to_new_tone_style(name)
    return new if new != name else to_old_tone_style(name)


def _with_separators(v: str, rng) -> str:
    sep = str(rng.choice([" ", ".", "-"]))
    if len(v) == 12:
        return sep.join([v[:3], v[3:6], v[6:9], v[9:]])
    return sep.join([v[:3], v[3:6], v[6:]])


def _scientific(v: str) -> str:
    """How Excel shows a long number in a General cell: 6 significant digits, "4.09501E+10"."""
    mantissa, exponent = f"{int(v):.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{int(exponent):02d}"


def _letter_o(v: str, rng) -> str:
    zeros = [i for i, c in enumerate(v) if c == "0"]
    i = int(rng.choice(zeros))
    return v[:i] + "O" + v[i + 1 :]


def _wrong_length(v: str, rng, start: int = 3) -> str:
    """One digit more or less, at or after position ``start`` (the prefix stays)."""
    if rng.random() < 0.5:  # an extra digit
        i = int(rng.integers(start, len(v) + 1))
        return v[:i] + str(rng.integers(0, 10)) + v[i:]
    i = int(rng.integers(start, len(v)))  # a lost digit
    return v[:i] + v[i + 1 :]


def _as_number(v: str) -> int:
    """What Excel keeps of a number typed into a General cell: its value, leading zeros gone."""
    return int(v)


# (day, month) pairs that exist in no year; 29/02 is left out (it exists in leap years).
_IMPOSSIBLE_DAY_MONTH = ((31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11))


def _swap_span(v: object) -> range:
    """Positions whose swap keeps the number well-formed: the random part only."""
    if not isinstance(v, str) or not v.isdigit():
        return range(0)
    return range(6, 11) if len(v) == 12 else range(2, 8) if len(v) == 9 else range(0)


def _swappable(ids: np.ndarray) -> np.ndarray:
    """Mask of IDs with two adjacent *different* digits in their random part (vectorised)."""
    text = pd.Series(ids, dtype="string")
    out = np.zeros(len(ids), dtype=bool)
    for length, (lo, hi) in ((12, (6, 11)), (9, (2, 8))):
        mask = (
            (text.str.fullmatch(r"\d+") & (text.str.len() == length))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        if mask.any():
            digits = (
                np.array(text[mask].tolist(), dtype=f"S{length}").view(np.uint8).reshape(-1, length)
            )
            out[mask] = (digits[:, lo:hi] != digits[:, lo + 1 : hi + 1]).any(axis=1)
    return out


def _swap_digits(v: str, rng) -> str:
    options = [i for i in _swap_span(v) if v[i] != v[i + 1]]
    i = int(rng.choice(options))
    return v[:i] + v[i + 1] + v[i] + v[i + 2 :]


def _typo(name: str, rng) -> str:
    """Drop one letter (not the first) of the given name: "Hùng" -> "Hùg"."""
    words = name.split(" ")
    given = words[-1]
    i = int(rng.integers(1, len(given)))
    words[-1] = given[:i] + given[i + 1 :]
    return " ".join(words)


def _extra_spaces(name: str, rng) -> str:
    words = name.split(" ")
    if len(words) > 1 and rng.random() < 0.6:
        i = int(rng.integers(1, len(words)))
        return " ".join(words[:i]) + "  " + " ".join(words[i:])
    return f" {name} " if rng.random() < 0.5 else f"{name} "
