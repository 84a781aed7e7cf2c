"""COVID-19 vaccine products used in Vietnam and the dosing rules the checks rely on.

The data file ``data/vaccines.yaml`` (provenance in its header: Decision 3588/QĐ-BYT and later
guidance, DESIGN §2.4) lists the 8 products the vaccine passport covers (AstraZeneca, Pfizer,
Moderna, Vero Cell, Sputnik V, Hayat-Vax, Abdala, Janssen) and the trial-only products that were
never approved but appear in exported data (Nanocovax, Covivac, ARCT-154), with:

- ``primary_doses``: doses in the primary series (Janssen 1, Abdala 3, the others 2);
- ``min_interval_days``: a primary dose closer than this to the previous one is an error;
  between the minimum and ``recommended_interval_days`` is normal;
- the primary-series mixing pairs, booster intervals and age eligibility timeline (:func:`rules`).

Product names are typed by hand in commune spreadsheets ("VERO CELL (Sinopharm)", "Astra Zeneca",
"Pfizer BioNTech", "vắc xin AZ"). :func:`lookup` maps one name to its canonical product and
:func:`vaccine_lookup` does the same for a Series (one call per *unique* value).

>>> lookup("VERO CELL (Sinopharm)")
'Vero Cell'
>>> lookup("Vắc xin Astra Zeneca"), lookup("Comirnaty"), lookup("ModeRNA (Spikevax)")
('AstraZeneca', 'Pfizer', 'Moderna')
>>> lookup("nước muối") is None
True
>>> v = vaccines().set_index("product")
>>> v.loc["Abdala", ["primary_doses", "min_interval_days"]].tolist()
[3, 14]
>>> bool(v.loc["Nanocovax", "approved"]), bool(v.loc["Janssen", "passport"])
(False, True)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaxutils.kernel.yaml_data import load_yaml
from vaxutils.refdata._files import DATA_DIR, fold_key
from vaxutils.text import factorize_cells

DATA_FILE = DATA_DIR / "vaccines.yaml"

VACCINE_COLUMNS: tuple[str, ...] = (
    "product",
    "synonyms",
    "primary_doses",
    "min_interval_days",
    "recommended_interval_days",
    "passport",
    "booster_allowed",
    "approved",
)

# Words that surround a product name in free text ("Vắc xin phòng COVID-19 AstraZeneca") and never
# distinguish one product from another.
_FILLER_WORDS = frozenset(
    {"vac", "xin", "vacxin", "vaccin", "vaccine", "vacin", "vx", "phong", "covid", "covid19", "19"}
)
# Names longer than this are free text or junk, not a product name.
_MAX_NAME_LENGTH = 120
# A synonym shorter than this ("AZ") must match the whole name, never as a prefix ("azxx...").
_MIN_PREFIX_LENGTH = 4


@dataclass(frozen=True)
class VaccineRules:
    """Dosing rules that do not belong to one product (see the YAML file for sources)."""

    programme_start: pd.Timestamp
    primary_mixing: frozenset[tuple[str, str]]
    first_booster_min_months: int
    first_booster_min_months_before: int
    booster_rule_change: pd.Timestamp
    later_booster_min_months: int
    additional_dose_min_days: int
    eligibility_from: tuple[pd.Timestamp, ...]
    eligibility_min_age: tuple[int, ...]
    paediatric_under_age: int
    paediatric_products: frozenset[str]

    def mixing_allowed(self, earlier: str, later: str) -> bool:
        """True when ``later`` may follow ``earlier`` inside a primary series.

        >>> rules().mixing_allowed("AstraZeneca", "Pfizer"), rules().mixing_allowed("Pfizer", "AstraZeneca")
        (True, False)
        """
        return earlier == later or (earlier, later) in self.primary_mixing


@functools.cache
def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as f:
        return load_yaml(f.read())


def _key(text: str) -> str:
    """Matching key: no case, accents or punctuation ("Vero-cell" → "verocell")."""
    return fold_key(text) or ""


def _key_without_filler(text: str) -> str:
    """Matching key without the words around a name ("Vắc xin phòng COVID-19 AZ" → "az")."""
    words = (fold_key(w) for w in re.split(r"[\W_]+", text))
    return "".join(w for w in words if w and w not in _FILLER_WORDS)


def vaccines() -> pd.DataFrame:
    """The vaccine table, one row per product (a fresh copy on every call).

    >>> vaccines().query("passport")["product"].tolist()
    ['AstraZeneca', 'Pfizer', 'Moderna', 'Vero Cell', 'Sputnik V', 'Hayat-Vax', 'Abdala', 'Janssen']
    """
    rows = [
        {**entry, "synonyms": list(entry.get("synonyms") or [])} for entry in _load()["products"]
    ]
    df = pd.DataFrame(rows, columns=list(VACCINE_COLUMNS))
    for col in ("primary_doses", "min_interval_days", "recommended_interval_days"):
        df[col] = df[col].astype("Int64")
    for col in ("passport", "booster_allowed", "approved"):
        df[col] = df[col].astype(bool)
    df["product"] = df["product"].astype("string")
    return df


@functools.cache
def rules() -> VaccineRules:
    """Mixing, booster and age rules from the data file.

    >>> r = rules()
    >>> r.programme_start.date(), r.first_booster_min_months, r.later_booster_min_months
    (datetime.date(2021, 3, 8), 3, 4)
    """
    data = _load()
    boosters = data["boosters"]
    eligibility = sorted(data["eligibility"], key=lambda e: e["from"])
    return VaccineRules(
        programme_start=pd.Timestamp(data["programme_start"]),
        primary_mixing=frozenset(tuple(pair) for pair in data["primary_mixing"]),
        first_booster_min_months=int(boosters["first_booster_min_months"]),
        first_booster_min_months_before=int(boosters["first_booster_min_months_before"]),
        booster_rule_change=pd.Timestamp(boosters["rule_change_date"]),
        later_booster_min_months=int(boosters["later_booster_min_months"]),
        additional_dose_min_days=int(boosters["additional_dose_min_days"]),
        eligibility_from=tuple(pd.Timestamp(e["from"]) for e in eligibility),
        eligibility_min_age=tuple(int(e["min_age_years"]) for e in eligibility),
        paediatric_under_age=int(data["paediatric"]["under_age_years"]),
        paediatric_products=frozenset(data["paediatric"]["products"]),
    )


@functools.cache
def _synonym_index() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Exact-key map and (key, product) pairs for prefix matching, longest key first."""
    exact: dict[str, str] = {}
    for entry in _load()["products"]:
        product = entry["product"]
        for name in [product, *(entry.get("synonyms") or [])]:
            for key in (_key(name), _key_without_filler(name)):
                if key:
                    exact.setdefault(key, product)
    prefixes = tuple(
        sorted(
            ((k, p) for k, p in exact.items() if len(k) >= _MIN_PREFIX_LENGTH),
            key=lambda kp: -len(kp[0]),
        )
    )
    return exact, prefixes


@functools.cache
def _not_product_keys() -> frozenset[str]:
    return frozenset(_key(name) for name in _load().get("not_products") or [])


def _as_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str) or len(value) > _MAX_NAME_LENGTH:
        return None
    return value


def lookup(name: object) -> str | None:
    """Canonical product for one typed vaccine name, or None when unknown (never raises).

    Tried in turn: the whole name; the name without its bracketed part and each bracketed part
    ("VERO CELL (Sinopharm)"); then a known name at the start ("Pfizer trẻ em" → Pfizer).

    >>> lookup("pfizer-biontech"), lookup("AZ"), lookup("Pfizer (5-11 tuổi)")
    ('Pfizer', 'AstraZeneca', 'Pfizer')
    >>> lookup(None), lookup(12), lookup(b"Moderna")
    (None, None, 'Moderna')
    """
    text = _as_text(name)
    if text is None:
        return None
    exact, prefixes = _synonym_index()
    if _key(text) in _not_product_keys():
        return None
    outside = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    inside = re.findall(r"\(([^)]*)\)|\[([^\]]*)\]", text)
    parts = [text, outside, *("".join(groups) for groups in inside)]
    keys = [k for part in parts for k in (_key(part), _key_without_filler(part)) if k]
    for key in keys:
        if key in exact:
            return exact[key]
    for key in keys:
        for prefix, product in prefixes:
            if key.startswith(prefix):
                return product
    return None


def vaccine_lookup(s: pd.Series) -> pd.Series:
    """Canonical product names for a Series of typed names (NA when unknown); index preserved.

    Vectorised over unique values: a commune's 24,000 dose rows hold a few dozen distinct names.

    >>> vaccine_lookup(pd.Series(["Astra Zeneca", "VERO CELL (Sinopharm)", None, "xyz"])).tolist()
    ['AstraZeneca', 'Vero Cell', <NA>, <NA>]
    """
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="string", name=s.name)
    codes, uniques = factorize_cells(s)
    mapped = pd.array([lookup(u) for u in uniques] + [None], dtype="string")
    # code -1 (missing) picks the trailing None; an Arrow take, not a Python object per row
    return pd.Series(
        mapped.take(np.where(codes < 0, len(uniques), codes)), index=s.index, name=s.name
    )


def min_age_on(dates: pd.Series) -> pd.Series:
    """Minimum age (completed years) for a COVID-19 dose on each date; NA before the programme.

    >>> min_age_on(pd.Series(pd.to_datetime(["2021-06-01", "2021-11-15", "2022-05-01", "2020-01-01"]))).tolist()
    [18, 12, 5, <NA>]
    """
    r = rules()
    values = pd.to_datetime(dates, errors="coerce").to_numpy(dtype="datetime64[ns]")
    cut = np.array(r.eligibility_from, dtype="datetime64[ns]")
    pos = np.searchsorted(cut, values, side="right") - 1
    ages = np.array(r.eligibility_min_age, dtype="int64")[np.clip(pos, 0, None)]
    out = pd.array(ages, dtype="Int64")
    out[(pos < 0) | np.isnat(values)] = pd.NA
    return pd.Series(out, index=dates.index, name="min_age_years")


__all__ = [
    "VACCINE_COLUMNS",
    "VaccineRules",
    "lookup",
    "min_age_on",
    "rules",
    "vaccine_lookup",
    "vaccines",
]
