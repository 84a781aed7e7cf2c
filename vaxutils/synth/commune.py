"""Synthetic communes: population, platform export with labelled errors, registry extract.

>>> sc = generate_commune("01420", n_persons=300, seed=1)
>>> sc.layout, len(sc.population), sc.registry["id_number"].str.len().eq(12).all()
('wide', 300, np.True_)
>>> from vaxutils.schema import CATEGORIES
>>> set(sc.labels["category"]) <= set(CATEGORIES)
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.kernel.calendar import age_years
from vaxutils.refdata import commune as commune_info
from vaxutils.refdata import communes_of_district
from vaxutils.synth.doses import generate_doses
from vaxutils.synth.inject import Injector, format_dates
from vaxutils.synth.places import facilities, region_style
from vaxutils.synth.population import commune_rng, fold_codes, generate_population, object_frame
from vaxutils.synth.rates import ErrorRates
from vaxutils.synth.render import HeaderStyle, render, title_rows
from vaxutils.synth.workbook import write_export_xlsx

LAYOUTS = ("wide", "long")
REGISTRY_COLUMNS = (
    "person_id",
    "id_number",
    "cmnd",
    "full_name",
    "dob",
    "sex",
    "commune_code",
    "village",
)

# How exports spell each product (one spelling per commune); all resolve with refdata.vaccine_lookup.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "AstraZeneca": (
        "AstraZeneca",
        "Astra Zeneca",
        "AZ",
        "Vaxzevria",
        "COVID-19 Vaccine AstraZeneca",
    ),
    "Pfizer": ("Pfizer", "Pfizer-BioNTech", "Comirnaty (Pfizer)", "Pfizer BioNTech"),
    "Moderna": ("Moderna", "Spikevax (Moderna)"),
    "Vero Cell": ("Vero Cell", "VERO CELL (Sinopharm)", "Sinopharm", "Verocell"),
    "Sputnik V": ("Sputnik V", "Gam-COVID-Vac"),
    "Hayat-Vax": ("Hayat-Vax", "Hayat Vax"),
    "Abdala": ("Abdala",),
    "Janssen": ("Janssen", "Johnson & Johnson"),
}
PAEDIATRIC_SPELLING = {"Pfizer": "Pfizer (5-11 tuổi)", "Moderna": "Moderna (trẻ em)"}
_LOT_PATTERNS = {
    "AstraZeneca": ("ABV", 4), "Pfizer": ("FK", 4), "Moderna": ("30", 5), "Vero Cell": ("2021", 5),
    "Sputnik V": ("II-", 6), "Hayat-Vax": ("HV", 5), "Abdala": ("CB", 5), "Janssen": ("XD", 3),
}  # fmt: skip
LEVEL_LABELS = (
    {"commune": "Xã", "district": "Huyện", "province": "Tỉnh", "moh": "Bộ Y tế",
     "ministry": "Bộ, ngành", "private": "Tư nhân"},
    {"commune": "Tuyến xã", "district": "Tuyến huyện", "province": "Tuyến tỉnh", "moh": "Trung ương",
     "ministry": "Bộ ngành", "private": "Tư nhân"},
)  # fmt: skip
DOB_FORMAT = "%d/%m/%Y"


@dataclass
class SynthCommune:
    """A synthetic commune: the truth (``population``, ``registry``) and the damaged ``export``."""

    commune_code: str
    population: pd.DataFrame  # ground truth, one row per person (vaxutils.synth.population)
    # exactly as written: header labels, text cells, empty = None; an ``int`` where Excel stored
    # the number as a number (IDs/phones/insurance numbers that lost their leading zeros)
    export: pd.DataFrame
    layout: str  # "wide" | "long"
    registry: pd.DataFrame  # population database view (REGISTRY_COLUMNS)
    labels: pd.DataFrame  # record_id, category, error_type, field, true_value
    doses: pd.DataFrame = field(
        repr=False
    )  # true dose history: person_id, dose_number, product, dose_date
    title_rows: list[str] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)  # realised count per error/noise type
    export_date: date = date(2022, 5, 15)
    # the truth behind each record: record_id -> person_id (a duplicate's records share a person)
    record_person: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"record_id": [], "person_id": []}), repr=False
    )


def default_size(info: dict, rng: np.random.Generator) -> int:
    """A realistic number of vaccinated people for the commune (towns are bigger)."""
    low, high = {"phường": (3000, 8000), "thị trấn": (2500, 7000)}.get(
        info["division_type"], (1500, 6000)
    )
    return int(rng.integers(low, high + 1))


def _dose_details(doses, population, info, rng) -> pd.DataFrame:
    """Add the as-written fields: vaccine spelling, lot, facility, level."""
    n = len(doses)
    spelling = {p: str(rng.choice(options)) for p, options in SPELLINGS.items()}
    product = doses["product"].to_numpy(dtype=object)
    vaccine = pd.Series(product).map(spelling).to_numpy(dtype=object)
    dob = population["dob"].to_numpy(dtype="datetime64[ns]")[doses["_person"].to_numpy()]
    child = age_years(dob, doses["dose_date"].to_numpy()) < 12
    for p, text in PAEDIATRIC_SPELLING.items():
        use = child & (product == p) & (rng.random(n) < 0.5)
        vaccine[use] = text
    lots = np.empty(n, dtype=object)
    for p, (prefix, width) in _LOT_PATTERNS.items():
        idx = np.flatnonzero(product == p)
        pool = [f"{prefix}{rng.integers(0, 10**width):0{width}d}" for _ in range(5)]
        lots[idx] = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), len(idx))]
    neighbours = communes_of_district(info["district_code"])
    others = neighbours.loc[neighbours["commune_code"] != info["commune_code"], "name"]
    neighbour = str(rng.choice(others.to_numpy())) if len(others) else info["name"]
    places = facilities(info, neighbour, region_style(info["province_code"]))
    shares = np.array([s for _, _, s in places])
    which = rng.choice(len(places), n, p=shares / shares.sum())
    level_text = LEVEL_LABELS[int(rng.integers(0, len(LEVEL_LABELS)))]
    names = np.asarray([name for name, _, _ in places], dtype=object)
    levels = np.asarray([level_text[lvl] for _, lvl, _ in places], dtype=object)
    added = {
        "vaccine": vaccine,
        "lot": lots,
        "facility": names[which],
        "facility_level": levels[which],
    }
    return pd.concat([doses, object_frame(added, index=doses.index)], axis=1)


def _draft(population, doses, info, export_date, rng) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Clean export records (one per person, random platform order) and their doses."""
    n = len(population)
    order = rng.permutation(n)
    record_id = np.empty(n, dtype=object)
    record_id[order] = (
        info["commune_code"] + "-" + pd.Series(np.arange(1, n + 1)).astype("string").str.zfill(6)
    ).to_numpy(dtype=object)
    dob = population["dob"].to_numpy(dtype="datetime64[ns]")
    elderly = population["birth_year"].to_numpy() < 1950
    # a year alone cannot tell two namesakes born that year apart: only for a unique (name, year)
    name_year = pd.Series(fold_codes(population["full_name"].to_numpy(dtype=object)))
    name_year = name_year * 10_000 + population["birth_year"].to_numpy()
    unique_name_year = ~name_year.duplicated(keep=False).to_numpy()
    year_only = elderly & unique_name_year & (rng.random(n) < 0.3)
    dob_text = np.where(
        year_only,
        population["birth_year"].astype(str).to_numpy(dtype=object),
        format_dates(dob, DOB_FORMAT),
    )
    first_dose = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    person = doses["_person"].to_numpy()
    is_first = doses["dose_number"].to_numpy() == 1
    first_dose[person[is_first]] = doses["dose_date"].to_numpy(dtype="datetime64[ns]")[is_first]
    export_ts = np.full(n, np.datetime64(pd.Timestamp(export_date), "ns"))
    obj = lambda column: population[column].to_numpy(dtype=object)  # noqa: E731
    records = {
        "record_id": record_id,
        "person_id": obj("person_id"),
        "full_name": obj("full_name"),
        "dob": dob_text,
        "sex": obj("sex"),
        "id_number": obj("export_id"),
        "phone": obj("phone"),
        "insurance_no": obj("insurance_no"),
        "village": obj("village"),
        "_kind": obj("export_id_kind"),
        "_age": age_years(dob, export_ts),
        "_first_age": age_years(dob, first_dose),
        "_dob_ts": dob,
        "_year_only": year_only,
        "_dob_format": np.full(n, DOB_FORMAT, dtype=object),
        "_twin": population["twin_of"].notna().to_numpy(),
        "_commune": np.full(n, info["commune_code"], dtype=object),
    }
    dose_rows = pd.concat(
        [
            doses.drop(columns=["_person"]),
            object_frame({"record_id": record_id[person]}, doses.index),
        ],
        axis=1,
    )
    return records, dose_rows


def registry_of(population: pd.DataFrame) -> pd.DataFrame:
    """The population database's truthful view of its citizens (a 12-digit ID for everyone).

    Foreigners (recorded by passport) are not in the National Population Database: left out.
    """
    citizens = population
    if "nationality" in population.columns:
        citizens = population[population["nationality"].eq("VN").to_numpy(dtype=bool)]
    reg = citizens[
        ["person_id", "id_number", "cmnd", "full_name", "sex", "commune_code", "village"]
    ].reset_index(drop=True)
    reg["dob"] = pd.DatetimeIndex(citizens["dob"]).strftime("%Y-%m-%d").to_numpy(dtype=object)
    return reg[list(REGISTRY_COLUMNS)]


def generate_commune(
    commune_code: str,
    n_persons: int | None = None,
    seed: int = 0,
    rates: ErrorRates | None = None,
    layout: str = "wide",
    export_date: date = date(2022, 5, 15),
    number_slot: tuple[int, int] = (0, 1),
) -> SynthCommune:
    """One synthetic commune, reproducible from ``(commune_code, seed)``.

    ``n_persons`` defaults to a realistic size for the commune (1,500–8,000 vaccinated people).
    ``rates`` (default :class:`ErrorRates`) sets how much damage is injected; ``ErrorRates.none()``
    gives clean data whose only labels are ``normalized`` noise. ``number_slot=(k, m)`` draws ID,
    passport, phone and insurance numbers no commune drawn with another ``k`` can have (the chunks
    of :func:`vaxutils.synth.dataset.write_dataset`; see
    :func:`vaxutils.synth.numbers.unique_numbers`).
    """
    if layout not in LAYOUTS:
        raise ValueError(
            f"layout phải là 'wide' hoặc 'long' (layout must be wide or long): {layout!r}"
        )
    rates = rates if rates is not None else ErrorRates()
    info = commune_info(commune_code)
    code = info["commune_code"]
    rng = commune_rng(code, seed)
    n = int(n_persons) if n_persons is not None else default_size(info, rng)
    if n < 1:
        raise ValueError(f"n_persons phải ≥ 1 (must be at least 1): {n_persons!r}")
    population = generate_population(
        n,
        code,
        seed,
        export_date,
        rng=rng,
        foreigner_rate=rates.foreigner,
        number_slot=number_slot,
    )
    doses = generate_doses(population, rng, export_date)
    detailed = _dose_details(doses, population, info, rng)
    records, dose_rows = _draft(population, detailed, info, export_date, rng)
    # drawn first: phone and insurance damage only goes where the export has the column
    style = HeaderStyle.draw(rng)
    injector = Injector(records, dose_rows, rates, rng, export_date, fields=style.person_fields)
    records, dose_rows, labels = injector.run()
    records = records.sort_values("record_id", kind="stable").reset_index(drop=True)
    export = render(records, dose_rows, layout, style, info)
    return SynthCommune(
        commune_code=code,
        population=population,
        export=export,
        layout=layout,
        registry=registry_of(population),
        labels=labels,
        doses=doses.drop(columns=["_person"]),
        title_rows=title_rows(style, info, export_date),
        injected=injector.realised,
        export_date=export_date,
        record_person=records[["record_id", "person_id"]].astype("string").reset_index(drop=True),
    )


def generate_district(
    district_code: str,
    n_persons: int | None = None,
    seed: int = 0,
    rates: ErrorRates | None = None,
    layout: str = "wide",
    export_date: date = date(2022, 5, 15),
) -> dict[str, SynthCommune]:
    """Every commune of a district (``layout="mixed"`` alternates wide and long)."""
    out = {}
    for i, code in enumerate(communes_of_district(district_code)["commune_code"]):
        this_layout = LAYOUTS[i % 2] if layout == "mixed" else layout
        out[code] = generate_commune(code, n_persons, seed, rates, this_layout, export_date)
    return out


def _write_csv_with_titles(path: Path, frame: pd.DataFrame, titles: list[str]) -> Path:
    from vaxutils.io import write_csv

    return write_csv(path, frame, title_rows=titles)


def write_commune(
    sc: SynthCommune, out_dir: str | os.PathLike, fmt: str = "xlsx"
) -> dict[str, Path]:
    """Write ``export_<code>.xlsx|csv``, ``registry_<code>.parquet``, ``labels_<code>.parquet``."""
    from vaxutils.io import write_parquet

    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"fmt phải là 'xlsx' hoặc 'csv' (fmt must be xlsx or csv): {fmt!r}")
    out = Path(out_dir)
    code = sc.commune_code
    export_path = out / f"export_{code}.{fmt}"
    if fmt == "xlsx":
        write_export_xlsx(export_path, sc.export, sc.title_rows)
    else:
        _write_csv_with_titles(export_path, sc.export, sc.title_rows)
    return {
        "export": export_path,
        "registry": write_parquet(out / f"registry_{code}.parquet", sc.registry),
        "labels": write_parquet(out / f"labels_{code}.parquet", sc.labels),
    }
