"""Ground-truth people of a synthetic commune (vectorised numpy; 1,000,000 people in seconds).

Each person has a name drawn for their ethnic group and region (see :mod:`.names`), a sex, a date
of birth from Vietnam's 2019-census age pyramid (ages 5–95, or from the youngest age eligible for
vaccination on the export date), a village, and identifiers consistent with them:

- a 12-digit personal ID ``PPP G YY RRRRRR`` (DESIGN §2.1): PPP the birth-registration province,
  mostly the local one; G the century/sex digit (even = male); YY the birth year; R random;
- a 9-digit CMND for part of the adults born before 2004 (some of whom still gave it to the
  vaccination platform instead of their CCCD: ``export_id_kind == "cmnd"``);
- a mobile phone (adults; some children carry a parent's), a health-insurance code.

A small share of adults are foreigners (:mod:`.foreigners`, ``nationality`` other than "VN"):
their name is as in their passport, their only ID is the passport number (``export_id_kind ==
"passport"``, no ``id_number``/``cmnd``), and the registry extract leaves them out.

Twins (same family name, birth date and village; different given names and IDs) occur at about
the Vietnamese twin-birth rate. Apart from twins, no two people share a name and a birth date,
so that clean data never holds an accidental look-alike duplicate.

>>> pop = generate_population(1000, "01420", seed=1)
>>> pop.shape[0], pop["person_id"].is_unique, pop["export_id"].is_unique
(1000, True, True)
>>> citizens = pop[pop["nationality"] == "VN"]
>>> g = citizens["id_number"].str[3].astype(int)
>>> bool(((g % 2 == 1) == (citizens["sex"] == "Nữ")).all())
True
>>> hub = generate_population(2000, "25741", seed=1, foreigner_rate=0.02)  # Bình Dương, a ward
>>> foreign = hub[hub["nationality"] != "VN"]
>>> len(foreign) > 100, set(foreign["export_id_kind"]), foreign["id_number"].isna().all()
(True, {'passport'}, np.True_)
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from vaxutils.refdata import commune as commune_info
from vaxutils.refdata import provinces
from vaxutils.refdata.vaccines import rules
from vaxutils.synth import foreigners
from vaxutils.synth import names as name_pools
from vaxutils.synth.numbers import (
    CMND_PREFIX,
    PHONE_PREFIXES,
    insurance_numbers,
    person_ids,
    twin_ids,
    unique_numbers,
    zfill,
)
from vaxutils.synth.places import ethnic_shares, region_style, villages

# Share of the population per 5-year age band from 5–9 to 90–94 (2019 census, rounded; %).
_AGE_BANDS = np.array(
    [8.0, 7.8, 7.0, 7.2, 7.8, 8.3, 8.0, 7.3, 6.8, 6.0, 5.5, 4.6, 3.6, 2.3, 1.4, 1.0, 0.6, 0.3]
)
_MAX_AGE = 95
TWIN_SHARE = (
    0.012  # share of people who are one of a pair of twins (~0.6% of births are twin births)
)

POPULATION_COLUMNS = (
    "person_id", "family_name", "middle_name", "given_name", "full_name", "sex", "dob",
    "birth_year", "ethnic_group", "nationality", "village", "id_number", "cmnd", "export_id", "export_id_kind",
    "phone", "insurance_no", "twin_of", "province_code", "district_code", "commune_code",
)  # fmt: skip


def commune_rng(commune_code: str, seed: int) -> np.random.Generator:
    """One reproducible stream per (commune, seed): communes of a district differ."""
    return np.random.default_rng([int(seed), int(commune_code)])


def youngest_birth_date(export_date: date) -> pd.Timestamp:
    """Latest birth date of anyone vaccinated by ``export_date`` (with 3 weeks to get a dose)."""
    r = rules()
    last_chance = pd.Timestamp(export_date) - pd.Timedelta(days=21)
    if last_chance < r.eligibility_from[0]:
        raise ValueError("export_date is before the vaccination programme")
    ages = [
        a
        for start, a in zip(r.eligibility_from, r.eligibility_min_age, strict=True)
        if start <= last_chance
    ]
    return last_chance - pd.DateOffset(years=min(ages))


def _ages(rng: np.random.Generator, n: int, min_age: int) -> np.ndarray:
    ages = np.arange(5, _MAX_AGE)
    weights = np.repeat(_AGE_BANDS, 5)[: len(ages)] / 5
    weights = np.where(ages >= min_age, weights, 0.0)
    return rng.choice(ages, size=n, p=weights / weights.sum())


def fold_codes(values: np.ndarray) -> np.ndarray:
    """Integer code of each value's accent-free lower-case form (equal codes = same folded text).

    Computed once per unique value: a commune's names repeat a lot.
    """
    codes, uniques = pd.factorize(values)
    u = pd.Series(uniques, dtype=object).str.replace("đ", "d").str.replace("Đ", "D")
    u = u.str.normalize("NFD").str.replace(r"[\u0300-\u036f]", "", regex=True).str.lower()
    folded_codes, _ = pd.factorize(u)
    return folded_codes[codes]


def generate_population(
    n: int,
    commune_code: str = "01420",
    seed: int = 0,
    export_date: date = date(2022, 5, 15),
    rng: np.random.Generator | None = None,
    foreigner_rate: float | None = None,
    number_slot: tuple[int, int] = (0, 1),
) -> pd.DataFrame:
    """``n`` synthetic people living in ``commune_code`` (columns :data:`POPULATION_COLUMNS`).

    ``foreigner_rate`` is the base share of adults recorded by passport (default
    ``ErrorRates().foreigner``), scaled for the commune by :func:`.foreigners.foreigner_share`.
    ``number_slot`` (see :func:`unique_numbers`) keeps ID, CMND, passport, phone and insurance
    numbers apart from those of populations drawn with another slot.
    """
    info = commune_info(commune_code)
    code = info["commune_code"]
    rng = rng if rng is not None else commune_rng(code, seed)
    prov = provinces().set_index("gso_code").loc[info["province_code"]]
    local_cccd = prov["cccd_code"]
    style = region_style(local_cccd)
    n = int(n)

    # --- age, sex, birth date --------------------------------------------------------------
    latest_dob = youngest_birth_date(export_date)
    export_ts = pd.Timestamp(export_date)
    min_age = int((export_ts - latest_dob).days // 365.25) + 1
    age = _ages(rng, n, min_age)
    male_p = np.select([age < 60, age < 80], [0.5, 0.45], 0.38)
    male = rng.random(n) < male_p
    dob = export_ts.to_datetime64() - (
        (age * 365.25 + rng.uniform(0, 365, n)).astype("int64") * np.timedelta64(1, "D")
    )
    dob = np.minimum(dob, latest_dob.to_datetime64()).astype("datetime64[ns]")
    # 1 January is read as "unknown day" (DESIGN §2.3): keep true birthdays off it
    jan1 = (pd.DatetimeIndex(dob).month == 1) & (pd.DatetimeIndex(dob).day == 1)
    dob[jan1] += np.timedelta64(1, "D")

    # --- where, which group ---------------------------------------------------------------
    village_names = villages(info["province_code"], info["division_type"], rng)
    village_p = rng.dirichlet(np.full(len(village_names), 4.0))
    village = np.asarray(village_names, dtype=object)[
        rng.choice(len(village_names), n, p=village_p)
    ]
    shares = ethnic_shares(local_cccd)
    groups = list(shares)
    group = np.asarray(groups, dtype=object)[
        rng.choice(len(groups), n, p=np.array([shares[g] for g in groups]))
    ]

    # --- twins: the second of a pair copies family, birth date, village, group ---------------
    n_pairs = int(round(n * TWIN_SHARE / 2))
    pairs = rng.choice(n, size=2 * n_pairs, replace=False) if n_pairs else np.empty(0, int)
    first, second = pairs[:n_pairs], pairs[n_pairs:]
    dob[second], village[second], group[second] = dob[first], village[first], group[first]

    birth_year = pd.DatetimeIndex(dob).year.to_numpy()
    family = np.empty(n, dtype=object)
    middle = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    for g in groups:
        idx = np.flatnonzero(group == g)
        drawn = name_pools.draw_names(rng, male[idx], birth_year[idx], g, style)
        family[idx], middle[idx], given[idx] = drawn["family"], drawn["middle"], drawn["given"]
    family[second] = family[first]
    same_sex = male[second] == male[first]
    middle[second[same_sex]] = middle[first[same_sex]]

    # --- no look-alikes: (folded name, dob) unique except twins; twins' given names differ --
    # (with a million people in one commune the pools run out: stop after a few rounds; a
    # redraw may hit another namesake, so a round that removes no clash does not stop the loop)
    dob_days = dob.astype("datetime64[D]").astype("int64")
    family_key = fold_codes(family).astype("int64") * 1_000_000 + fold_codes(middle) * 1000
    group_key = fold_codes(group)
    for _ in range(12):
        given_key = fold_codes(given)
        key = ((family_key + given_key) * 100_000 + dob_days) * len(groups) + group_key
        clash = pd.Series(key).duplicated(keep="first").to_numpy().copy()
        if n_pairs:
            clash[second] |= given_key[second] == given_key[first]
        if not clash.any():
            break
        for g in groups:
            idx = np.flatnonzero(clash & (group == g))
            if len(idx):
                given[idx] = _redraw_given(rng, male[idx], g)
    full = _full_names(family, middle, given, group)

    # Tone placement: each person keeps one style (Hòa or Hoà), as official data does.
    new_style = rng.random(n) < 0.4
    full = _tone_styled(full, new_style)
    given = _tone_styled(given, new_style)
    middle = _tone_styled(middle, new_style)

    # --- foreigners: adults of working age, recorded by passport ---------------------------
    if foreigner_rate is None:
        from vaxutils.synth.rates import ErrorRates

        foreigner_rate = ErrorRates().foreigner
    if not isinstance(foreigner_rate, int | float) or not 0.0 <= foreigner_rate <= 1.0:
        raise ValueError(f"foreigner_rate phải trong khoảng 0–1 (must be 0–1): {foreigner_rate!r}")
    share = foreigners.foreigner_share(info, float(foreigner_rate), rng)
    twin = np.zeros(n, dtype=bool)
    twin[pairs] = True
    pool = np.flatnonzero((age >= 20) & (age <= 65) & ~twin)
    k = min(len(pool), int(round(share * (age >= 18).sum())))
    foreign = np.zeros(n, dtype=bool)
    foreign[rng.choice(pool, k, replace=False) if k else pool[:0]] = True
    nationality = np.full(n, "VN", dtype=object)
    if k:
        drawn = foreigners.draw_foreigners(rng, male[foreign], slot=number_slot)
        nationality[foreign] = drawn["nationality"]
        family[foreign], middle[foreign], given[foreign] = drawn["family"], "", drawn["given"]
        full[foreign], group[foreign] = drawn["full_name"], "foreign"
        passport = np.asarray(drawn["passport"], dtype=object)
        for _ in range(8):  # no two foreigners with one name and birth date
            key = pd.Series(fold_codes(full) * 100_000 + dob_days)
            clash = key.duplicated(keep="first").to_numpy() & foreign
            if not clash.any():
                break
            given[clash] = foreigners.draw_given(rng, male[clash], nationality[clash])
            full[clash] = foreigners.full_names(family[clash], given[clash], nationality[clash])

    # --- identifiers -------------------------------------------------------------------------
    cccd_codes = provinces()["cccd_code"].to_numpy().astype(int)
    birth_prov = np.where(rng.random(n) < 0.85, int(local_cccd), rng.choice(cccd_codes, n))
    birth_prov[second] = birth_prov[first]
    century_sex = (birth_year // 100 - 19) * 2 + (~male).astype(int)
    id_prefix = birth_prov * 1000 + century_sex * 100 + birth_year % 100
    id_number = zfill(unique_numbers(rng, id_prefix, 6, number_slot), 12).to_numpy(dtype=object)

    age_now = ((export_ts.to_datetime64() - dob) / np.timedelta64(1, "D") / 365.25).astype(int)
    has_cmnd = (birth_year < 2004) & (rng.random(n) < np.where(birth_year < 1975, 0.75, 0.55))
    has_cmnd &= ~foreign
    cmnd_prefix = np.full(n, int(CMND_PREFIX.get(local_cccd, "12")))
    cmnd = np.where(
        has_cmnd,
        zfill(unique_numbers(rng, cmnd_prefix, 7, number_slot), 9).to_numpy(dtype=object),
        None,
    )
    uses_cmnd = has_cmnd & (rng.random(n) < np.where(birth_year < 1970, 0.5, 0.3))
    export_id = np.where(uses_cmnd, cmnd, id_number).astype(object)
    id_kind = np.where(uses_cmnd, "cmnd", "cccd").astype(object)
    if k:
        id_number[foreign] = None
        export_id[foreign], id_kind[foreign] = passport, "passport"

    adult = age_now >= 18
    has_phone = adult & (rng.random(n) < np.where(age_now >= 75, 0.55, 0.9))
    phone_prefix = rng.choice(PHONE_PREFIXES.astype(int), n)
    phone = np.where(
        has_phone,
        zfill(unique_numbers(rng, phone_prefix, 7, number_slot), 10).to_numpy(dtype=object),
        None,
    )
    adults_with_phone = np.flatnonzero(has_phone)
    child_phone = ~adult & (rng.random(n) < 0.35) & (len(adults_with_phone) > 0)
    if child_phone.any():
        phone[child_phone] = phone[rng.choice(adults_with_phone, int(child_phone.sum()))]
    if n_pairs:  # twins who are children share a parent's phone
        kids = ~adult[second]
        phone[second[kids]] = phone[first[kids]]

    insurance = insurance_numbers(rng, n, age_now, group, info["province_code"], number_slot)

    return object_frame(
        {
            "person_id": person_ids(code, np.arange(n)),
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "full_name": full,
            "sex": np.where(male, "Nam", "Nữ").astype(object),
            "dob": dob,
            "birth_year": birth_year.astype("int64"),
            "ethnic_group": group,
            "nationality": nationality,
            "village": village,
            "id_number": id_number,
            "cmnd": cmnd,
            "export_id": export_id,
            "export_id_kind": id_kind,
            "phone": phone,
            "insurance_no": insurance,
            "twin_of": twin_ids(n, code, first, second),
            "province_code": np.full(n, info["province_code"], dtype=object),
            "district_code": np.full(n, info["district_code"], dtype=object),
            "commune_code": np.full(n, code, dtype=object),
        },
    )[list(POPULATION_COLUMNS)]


def object_frame(columns: dict[str, np.ndarray], index: pd.Index | None = None) -> pd.DataFrame:
    """A DataFrame whose text columns stay numpy ``object``.

    pandas would convert every text column to Arrow strings, and the generator converts them back
    to edit them cell by cell: two copies of each column for nothing (seconds on a million rows).
    """
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object, index=index)
            if isinstance(values, np.ndarray) and values.dtype == object
            else values
            for name, values in columns.items()
        },
        index=index,
    )


def _redraw_given(rng: np.random.Generator, male: np.ndarray, group: str) -> np.ndarray:
    given = name_pools.draw_given(rng, male, group)
    if group == "ede":
        return np.where(male, "Y " + given, given).astype(object)
    if group == "jarai":
        glued = ~male & (rng.random(len(male)) < 0.5)
        return np.where(glued, "H'" + given, given).astype(object)
    return given


def _full_names(family, middle, given, group) -> np.ndarray:
    """ "Family Middle Given" (Ê Đê: "Given Family"), single spaces, via Arrow string kernels."""
    f, m, g = (pd.Series(a, dtype="string") for a in (family, middle, given))
    fam_first = (f + " " + m + " " + g).str.replace("  ", " ", regex=False)
    given_first = g + " " + f
    return np.where(group == "ede", given_first.to_numpy(object), fam_first.to_numpy(object))


def _tone_styled(values: np.ndarray, new_style: np.ndarray) -> np.ndarray:
    """Rewrite names of ``new_style`` people with the new tone placement (per unique name)."""
    codes, uniques = pd.factorize(pd.Series(values))
    converted = np.array([name_pools.to_new_tone_style(u) for u in uniques], dtype=object)
    return np.where(new_style, converted[codes], values).astype(object)
