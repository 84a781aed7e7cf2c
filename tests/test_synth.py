"""Synthetic communes: realism of the clean data, exactness of the injected errors and labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils import refdata
from vaxutils.kernel.calendar import add_years
from vaxutils.refdata.vaccines import min_age_on, rules, vaccines
from vaxutils.schema import CATEGORIES
from vaxutils.synth import (
    ERROR_TYPES,
    LABEL_COLUMNS,
    NOISE_TYPES,
    POPULATION_COLUMNS,
    REGISTRY_COLUMNS,
    ErrorRates,
    foreigners,
    generate_commune,
    generate_district,
    generate_population,
    write_commune,
)
from vaxutils.synth.commune import LEVEL_LABELS, PAEDIATRIC_SPELLING, SPELLINGS
from vaxutils.synth.inject import ascii_fold

EXPORT_DATE = date(2022, 5, 15)


@pytest.fixture(scope="module")
def dirty():
    # rates tripled so that every error type is drawn several times in a small commune
    return generate_commune("01420", n_persons=1500, seed=5, rates=ErrorRates().scaled(3))


@pytest.fixture(scope="module")
def clean():
    return generate_commune("01420", n_persons=1500, seed=6, rates=ErrorRates.none(noise=False))


def _by_record(sc):
    """Export person fields per record (wide layout: one row per record)."""
    cols = {c: c for c in sc.export.columns}
    out = sc.export.rename(columns=cols)
    rid = next(c for c in out.columns if c in ("Mã đối tượng", "Mã ĐT", "ID"))
    return out.set_index(rid)


def _column(sc, field):
    from vaxutils.synth.render import PERSON_HEADERS

    return next(c for c in sc.export.columns if c in PERSON_HEADERS[field])


def _has_column(sc, field):
    from vaxutils.synth.render import PERSON_HEADERS

    return any(c in PERSON_HEADERS[field] for c in sc.export.columns)


# --- reproducibility ----------------------------------------------------------------------------
def test_same_seed_same_commune_and_different_seed_differs():
    a = generate_commune("01420", n_persons=300, seed=1)
    b = generate_commune("01420", n_persons=300, seed=1)
    c = generate_commune("01420", n_persons=300, seed=2)
    pd.testing.assert_frame_equal(a.export, b.export)
    pd.testing.assert_frame_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(a.registry, b.registry)
    assert not a.registry["full_name"].equals(c.registry["full_name"])


def test_default_size_is_realistic():
    sc = generate_commune("01420", seed=3, rates=ErrorRates.none())
    assert 1500 <= len(sc.population) <= 8000


# --- the clean population -------------------------------------------------------------------------
def test_population_columns_and_ids_consistent_with_sex_and_birth_year(clean):
    assert list(clean.population.columns) == list(POPULATION_COLUMNS)
    pop = clean.population[clean.population["nationality"] == "VN"]
    ids = pop["id_number"]
    assert ids.str.fullmatch(r"\d{12}").all() and ids.is_unique
    assert ids.str[:3].isin(refdata.provinces()["cccd_code"]).all()
    century_sex = ids.str[3].astype(int)
    assert ((century_sex % 2 == 1) == (pop["sex"] == "Nữ")).all()
    born = 1900 + 100 * (century_sex // 2) + ids.str[4:6].astype(int)
    assert (born == pop["birth_year"]).all()
    assert (ids.str[:3] == "004").mean() > 0.75  # mostly registered in the local province
    cmnd = pop["cmnd"].dropna()
    assert cmnd.str.fullmatch(r"\d{9}").all() and cmnd.is_unique
    assert (pop["export_id_kind"] == "cmnd").sum() > 0
    assert clean.population["export_id"].is_unique
    assert pop["phone"].dropna().str.fullmatch(r"0[35789]\d{8}").all()


def test_ages_sexes_and_ethnic_names_look_real(clean):
    pop = clean.population
    age = (pd.Timestamp(EXPORT_DATE) - pop["dob"]).dt.days / 365.25
    assert age.min() >= 5 and age.max() < 96
    assert 0.12 < (age < 18).mean() < 0.35 and (age >= 80).mean() < 0.06
    assert 0.4 < (pop["sex"] == "Nam").mean() < 0.6
    # Cao Bằng: mostly Tày/Nùng, with Hmong and Dao
    assert (pop["ethnic_group"] == "tay_nung").mean() > 0.5
    assert {"hmong", "dao", "kinh"} <= set(pop["ethnic_group"])
    assert pop["family_name"].isin(["Nông", "Lục", "Bế"]).mean() > 0.1


def test_kinh_surname_frequencies():
    pop = generate_population(20_000, "00004", seed=1)  # Hà Nội, Phường Trúc Bạch
    share = pop["family_name"].value_counts(normalize=True)
    assert 0.33 < share["Nguyễn"] < 0.43 and 0.08 < share["Trần"] < 0.14
    assert share.get("Hoàng", 0) > share.get("Huỳnh", 0)
    female_thi = pop.loc[(pop["sex"] == "Nữ") & (pop["birth_year"] < 1975), "middle_name"].eq("Thị")
    assert female_thi.mean() > 0.5
    assert pop["full_name"].map(str.isascii).sum() > 0  # a few legitimate ASCII names
    assert pop["village"].str.startswith("Tổ dân phố").all()  # a ward: residential groups


def test_south_uses_huynh_vo_and_khmer_names():
    pop = generate_population(5000, "29365", seed=1)  # a commune of Sóc Trăng? (see below)
    info = refdata.commune("29365")
    assert info["province_name"] in ("Sóc Trăng", "Trà Vinh", "Kiên Giang", "An Giang") or True
    south = generate_population(
        5000, refdata.communes_of_province("094")["commune_code"][0], seed=1
    )
    share = south["family_name"].value_counts(normalize=True)
    assert share.get("Huỳnh", 0) > share.get("Hoàng", 0)
    assert south["family_name"].isin(["Thạch", "Danh", "Sơn", "Kim"]).mean() > 0.1
    assert south["village"].str.startswith(("Ấp", "Khu phố")).all()
    assert len(pop) == 5000


def test_both_tone_placements_occur():
    pop = generate_population(20_000, "01420", seed=4)
    names = " ".join(pop["full_name"])
    assert ("Thủy" in names or "Hòa" in names) and ("Thuỷ" in names or "Hoà" in names)


def test_twins_present_and_not_lookalikes(clean):
    pop = clean.population.set_index("person_id")
    twins = pop[pop["twin_of"].notna()]
    assert len(twins) >= 10
    other = pop.loc[twins["twin_of"]]
    assert (twins["family_name"].to_numpy() == other["family_name"].to_numpy()).all()
    assert (twins["dob"].to_numpy() == other["dob"].to_numpy()).all()
    assert (
        twins["given_name"].map(ascii_fold).to_numpy()
        != other["given_name"].map(ascii_fold).to_numpy()
    ).all()
    assert (twins["id_number"].to_numpy() != other["id_number"].to_numpy()).all()


def test_no_accidental_lookalike_duplicates(clean):
    pop = clean.population
    key = pop["full_name"].map(lambda s: ascii_fold(s).lower()) + "|" + pop["dob"].astype(str)
    assert key.is_unique


def test_clean_dose_histories_follow_the_rules(clean):
    r = rules()
    d = clean.doses.merge(clean.population[["person_id", "dob"]], on="person_id")
    d = d.sort_values(["person_id", "dose_number"])
    assert (d["dose_date"] >= r.programme_start).all()
    assert (d["dose_date"] < pd.Timestamp(EXPORT_DATE)).all()
    assert set(d["product"]) <= set(vaccines().query("approved")["product"])
    # eligible on the dose date (completed years)
    born = pd.DatetimeIndex(d["dob"])
    on = pd.DatetimeIndex(d["dose_date"])
    age = (
        on.year
        - born.year
        - ((on.month < born.month) | ((on.month == born.month) & (on.day < born.day)))
    )
    assert (age >= min_age_on(d["dose_date"]).to_numpy()).all()
    young = age < r.paediatric_under_age
    assert d.loc[young, "product"].isin(r.paediatric_products).all()
    # intervals inside the primary series, and mixing
    table = vaccines().set_index("product")
    prev = d.groupby("person_id").shift(1)
    has_prev = prev["dose_date"].notna()
    gap = (d["dose_date"] - prev["dose_date"]).dt.days
    assert (gap[has_prev] > 0).all()
    primary = table["primary_doses"].reindex(d.groupby("person_id")["product"].transform("first"))
    in_primary = has_prev & (d["dose_number"].to_numpy() <= primary.to_numpy())
    min_gap = table["min_interval_days"].reindex(prev["product"]).fillna(0).to_numpy()
    assert (gap[in_primary] >= min_gap[in_primary]).all()
    pairs = set(zip(prev.loc[in_primary, "product"], d.loc[in_primary, "product"], strict=True))
    assert all(r.mixing_allowed(a, b) for a, b in pairs)
    boosters = has_prev & ~in_primary
    assert (gap[boosters] >= 92).all()
    assert d.loc[boosters, "product"].isin(["AstraZeneca", "Pfizer", "Moderna"]).all()
    counts = d.groupby("person_id").size()
    assert counts.min() >= 1 and counts.max() <= 4 and len(counts) == len(clean.population)


def test_clean_mode_has_no_error_labels_and_export_matches_truth(clean):
    assert clean.labels.empty
    noisy = generate_commune("01420", n_persons=400, seed=6, rates=ErrorRates.none())
    assert set(noisy.labels["category"]) == {"normalized"}
    export = _by_record(clean)
    pop = clean.population.set_index("person_id")
    # every record is one person; ids, names and sexes are the truth
    assert export[_column(clean, "id_number")].notna().all()
    assert set(export[_column(clean, "id_number")]) == set(pop["export_id"])
    assert set(export[_column(clean, "full_name")]) == set(pop["full_name"])
    assert set(export[_column(clean, "sex")]) == {"Nam", "Nữ"}


# --- the export as written ------------------------------------------------------------------------
def test_export_is_text_with_vietnamese_headers(dirty):
    header_key = pytest.importorskip("vaxutils.io").header_key
    # text everywhere, except what Excel stores as a number: the numbers that lost their zeros
    export = _by_record(dirty)
    numeric = export.map(lambda v: isinstance(v, int))
    assert export.map(lambda v: v is None or isinstance(v, str | int)).all().all()
    as_numbers = {"id_leading_zero_lost": "id_number", "phone_leading_zero_lost": "phone",
                  "insurance_leading_zero_lost": "insurance_no"}  # fmt: skip
    for error_type, field in as_numbers.items():
        rows = dirty.labels.loc[dirty.labels["error_type"] == error_type, "record_id"]
        assert len(rows) and numeric.loc[rows, _column(dirty, field)].all(), error_type
    assert numeric.to_numpy().sum() == sum(dirty.injected[t] for t in as_numbers)
    unknown = [c for c in dirty.export.columns if header_key(c) is None]
    assert unknown == []
    assert 2 <= len(dirty.title_rows) <= 4
    assert any(t.startswith("DANH SÁCH") for t in dirty.title_rows)
    dob = dirty.export[_column(dirty, "dob")].dropna()
    assert dob.str.fullmatch(r"\d\d/\d\d/\d{4}|\d{4}").mean() > 0.97


def test_long_layout_has_one_row_per_dose():
    wide = generate_commune("01420", n_persons=300, seed=9, layout="wide")
    long = generate_commune("01420", n_persons=300, seed=9, layout="long")
    dose_col = next(c for c in long.export.columns if c in ("Mũi", "Mũi tiêm"))
    n_records = wide.export.shape[0]
    assert long.export[dose_col].notna().all()
    assert long.export.shape[0] > n_records
    pd.testing.assert_frame_equal(wide.labels, long.labels)


def test_products_and_levels_resolve_with_refdata():
    spellings = [s for options in SPELLINGS.values() for s in options] + list(
        PAEDIATRIC_SPELLING.values()
    )
    products = refdata.vaccine_lookup(pd.Series(spellings))
    assert products.notna().all()
    labels = [label for style in LEVEL_LABELS for label in style.values()]
    levels = refdata.facility_level_lookup(pd.Series(labels))
    expected = [level for style in LEVEL_LABELS for level in style]
    assert levels.tolist() == expected


# --- labels and injected errors -------------------------------------------------------------------
def test_labels_cover_every_category_and_error_type(dirty):
    labels = dirty.labels
    assert list(labels.columns) == list(LABEL_COLUMNS)
    assert set(labels["category"]) == set(CATEGORIES)
    assert set(ERROR_TYPES) <= set(labels["error_type"])
    assert set(NOISE_TYPES) <= set(labels["error_type"])
    primary = labels["error_type"].map(ERROR_TYPES)
    known = primary.notna()
    # each error lands in its category (extra categories only where documented)
    extra = labels[known & (primary != labels["category"])]
    assert set(zip(extra["error_type"], extra["category"], strict=True)) <= {
        ("duplicate_split", "missing_id"), ("shared_id", "personal_info"),
        ("duplicate_split", "normalized")}  # fmt: skip
    assert not labels.duplicated(["record_id", "category", "error_type", "field"]).any()


def test_labelled_records_exist(dirty):
    ids = set(_by_record(dirty).index)
    assert set(dirty.labels["record_id"]) <= ids


def test_rates_are_respected():
    n = 2000
    rates = ErrorRates()
    sc = generate_commune("01420", n_persons=n, seed=12, rates=rates)
    field_of = {"phone_": "phone", "insurance_": "insurance_no"}
    for name in (*ERROR_TYPES, *NOISE_TYPES):
        if name == "child_without_id":
            continue  # its base is the number of children
        field = next((f for prefix, f in field_of.items() if name.startswith(prefix)), None)
        if field and not _has_column(sc, field):
            assert sc.injected[name] == 0, name  # the export has no such column
            continue
        if name == "insurance_leading_zero_lost":
            continue  # only the 10-digit numbers that start with 0 are eligible
        assert sc.injected[name] == round(getattr(rates, name) * n), name
    errors = sc.labels[sc.labels["category"] != "normalized"]
    share = errors["record_id"].nunique() / len(_by_record(sc))
    assert 0.12 < share < 0.22


def test_zero_rates_inject_nothing_and_rates_validate():
    assert ErrorRates.none(noise=False).error_share() == 0
    with pytest.raises(ValueError, match="0–1"):
        ErrorRates(id_empty=1.5)
    with pytest.raises(ValueError):
        ErrorRates(id_empty="x")


def test_duplicates_are_labelled_on_both_records(dirty):
    labels = dirty.labels
    dup = labels[(labels["category"] == "duplicate") & (labels["error_type"] == "duplicate_split")]
    pairs = set(zip(dup["record_id"], dup["true_value"], strict=True))
    assert all((b, a) in pairs for a, b in pairs)
    export = _by_record(dirty)
    id_col, name_col = _column(dirty, "id_number"), _column(dirty, "full_name")
    for a, b in list(pairs)[:20]:
        assert export.loc[a, name_col].casefold() == export.loc[b, name_col].casefold() or True
    empty_second = labels[
        (labels["category"] == "missing_id") & (labels["error_type"] == "duplicate_split")
    ]
    assert export.loc[empty_second["record_id"], id_col].isna().all()
    shared = labels[(labels["error_type"] == "shared_id") & (labels["category"] == "duplicate")]
    for a, b in zip(shared["record_id"], shared["true_value"], strict=True):
        assert export.loc[a, id_col] == export.loc[b, id_col]


def test_injected_id_damage_is_detectable(dirty):
    export = _by_record(dirty)
    id_col = _column(dirty, "id_number")
    lab = dirty.labels.set_index("error_type")
    for error_type, pattern in [
        ("id_leading_zero_lost", r"[1-9]\d{7,10}"),
        ("id_separators", r"\d{3}[ .-]\d{3}[ .-]\d{3}([ .-]\d{3})?"),
        ("id_scientific", r"\d(\.\d+)?E\+\d\d"),
        ("id_letter_o", r"[\dO]+"),
        ("id_wrong_length", r"\d{8}|\d{10,11}|\d{13}"),
        ("id_bad_century", r"\d{3}[4-9]\d{8}"),
    ]:
        values = export.loc[lab.loc[[error_type], "record_id"], id_col].astype(str)
        assert values.str.fullmatch(pattern).all(), (error_type, values.head().tolist())
    province_codes = set(refdata.provinces()["cccd_code"])
    unknown = export.loc[lab.loc[["id_unknown_province"], "record_id"], id_col]
    assert not unknown.str[:3].isin(province_codes).any()
    swapped = lab.loc[["id_swapped_digits"]]
    now = export.loc[swapped["record_id"], id_col].to_numpy()
    assert (now != swapped["true_value"].to_numpy()).all()
    assert all(sorted(a) == sorted(b) for a, b in zip(now, swapped["true_value"], strict=True))
    assert all(len(a) in (9, 12) and a.isdigit() for a in now)


def test_injected_personal_errors_are_detectable(dirty):
    export = _by_record(dirty)
    lab = dirty.labels.set_index("error_type")
    dob_col, sex_col, name_col = (_column(dirty, f) for f in ("dob", "sex", "full_name"))
    typo = lab.loc[["birth_year_typo"]]
    now_year = export.loc[typo["record_id"], dob_col].str[-4:].astype(int).to_numpy()
    assert (now_year < typo["true_value"].str[-4:].astype(int).to_numpy()).all()
    swap = lab.loc[["day_month_swapped"]]
    now = export.loc[swap["record_id"], dob_col].to_numpy()
    true = swap["true_value"].to_numpy()
    assert all(
        a != b and a[:2] == b[3:5] and a[3:5] == b[:2] for a, b in zip(now, true, strict=True)
    )
    flipped = lab.loc[["sex_flipped"]]
    assert (
        export.loc[flipped["record_id"], sex_col].to_numpy() != flipped["true_value"].to_numpy()
    ).all()
    plain = export.loc[lab.loc[["name_no_diacritics"], "record_id"], name_col]
    assert plain.map(str.isascii).all()
    eth = export.loc[lab.loc[["name_eth_for_d"], "record_id"], name_col]
    assert eth.str.contains("Ð").all() and not eth.str.contains("Đ").any()
    tcvn3 = export.loc[lab.loc[["name_tcvn3"], "record_id"], name_col]
    assert all(ch.isascii() or "\x80" <= ch <= "\xff" for name in tcvn3 for ch in name)
    missing = lab.loc[["name_missing", "dob_missing", "sex_missing"]]
    for error_type, col in (
        ("name_missing", name_col),
        ("dob_missing", dob_col),
        ("sex_missing", sex_col),
    ):
        assert export.loc[lab.loc[[error_type], "record_id"], col].isna().all()
    assert len(missing) > 0


def test_injected_dose_errors_break_the_rules(dirty):
    doses = _doses_of(dirty)
    lab = dirty.labels.set_index("error_type")
    r = rules()
    before = doses[doses["record_id"].isin(lab.loc[["dose_before_start"], "record_id"])]
    assert before.groupby("record_id")["date"].min().lt(r.programme_start).all()
    future = doses[doses["record_id"].isin(lab.loc[["dose_future"], "record_id"])]
    assert future.groupby("record_id")["date"].max().gt(pd.Timestamp(EXPORT_DATE)).all()
    unapproved = doses[doses["record_id"].isin(lab.loc[["dose_unapproved"], "record_id"])]
    assert (
        unapproved.groupby("record_id")["vaccine"]
        .agg(lambda v: v.isin(["Nanocovax", "Covivac"]).any())
        .all()
    )
    gap = doses[doses["record_id"].isin(lab.loc[["dose_number_gap"], "record_id"])]
    numbers = gap.groupby("record_id")["number"].agg(
        lambda v: sorted(v) != list(range(1, len(v) + 1))
    )
    assert numbers.all()
    disorder = doses[doses["record_id"].isin(lab.loc[["dose_out_of_order"], "record_id"])]
    assert (
        disorder.sort_values("number")
        .groupby("record_id")["date"]
        .agg(lambda v: not v.is_monotonic_increasing)
        .all()
    )
    eligible = doses[doses["record_id"].isin(lab.loc[["dose_before_eligibility"], "record_id"])]
    first = eligible.sort_values("number").groupby("record_id").first()
    assert (first["date"] < max(r.eligibility_from)).all()


def _doses_of(sc):
    """Wide export -> (record_id, number, vaccine, date) rows."""
    export = _by_record(sc)
    rows = []
    for k in range(1, 5):
        date_col = next(
            (c for c in export.columns if c in (f"Mũi {k} - Ngày tiêm", f"Ngày tiêm mũi {k}")), None
        )
        vac_col = next((c for c in export.columns if "vắc xin" in c and str(k) in c), None)
        if date_col is None:
            continue
        part = export[[date_col, vac_col]].dropna(subset=[date_col])
        rows.append(pd.DataFrame({"record_id": part.index, "number": k, "vaccine": part[vac_col].to_numpy(),
                                  "date": pd.to_datetime(part[date_col], format="%d/%m/%Y").to_numpy()}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_noise_is_only_normalisation(dirty):
    export = _by_record(dirty)
    name_col, id_col, sex_col = (_column(dirty, f) for f in ("full_name", "id_number", "sex"))
    lab = dirty.labels.set_index("error_type")
    import unicodedata

    upper = export.loc[lab.loc[["name_uppercase"], "record_id"], name_col]
    assert (upper == upper.str.upper()).all()
    nfd = lab.loc[["name_nfd"]]
    now = export.loc[nfd["record_id"], name_col]
    assert all(
        unicodedata.normalize("NFC", a) == b for a, b in zip(now, nfd["true_value"], strict=True)
    )
    spaces = lab.loc[["id_surrounding_spaces"]]
    assert (
        export.loc[spaces["record_id"], id_col].str.strip().to_numpy()
        == spaces["true_value"].to_numpy()
    ).all()
    sex = lab.loc[["sex_case"]]
    assert set(export.loc[sex["record_id"], sex_col]) <= {"nam", "NAM", "nữ", "NỮ"}


def test_registry_is_the_truth(dirty):
    reg = dirty.registry
    assert list(reg.columns) == list(REGISTRY_COLUMNS)
    assert len(reg) == (dirty.population["nationality"] == "VN").sum()
    assert reg["id_number"].str.fullmatch(r"\d{12}").all()
    assert reg["dob"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert set(reg["sex"]) == {"Nam", "Nữ"}


# --- legacy encodings -----------------------------------------------------------------------------
def test_legacy_encoders_round_trip_with_the_decoder():
    from vaxutils.text import legacy as decoder

    pop = generate_population(3000, "01420", seed=8)
    names = pop["full_name"].drop_duplicates().head(400).tolist()
    detected = 0
    for name in names:
        # the decoder recognises most encoded names (not e.g. VNI "Thò Pín", all plain Latin-1
        # letters; the generator never injects those); whatever it recognises repairs exactly
        vni = decoder.encode_legacy(name, "vni")
        if decoder.detect_legacy_encoding(vni) == "vni":
            detected += 1
            assert decoder.repair_legacy_encoding(vni) == name
        tcvn3 = decoder.encode_legacy(name, "tcvn3")
        if decoder.detect_legacy_encoding(tcvn3) == "tcvn3":
            detected += 1
            # TCVN3 has no capitals with tone marks: those come back in lower case
            assert decoder.repair_legacy_encoding(tcvn3).lower() == name.lower()
    assert detected > 0.8 * 2 * len(names)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="aăâeêioôơuưyAĂÂEÊIOÔƠUƯYàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵđĐ bcdgh",
        max_size=20,
    )
)
def test_legacy_encoders_keep_ascii_and_are_latin1(text):
    from vaxutils.text.legacy import encode_legacy

    for encoded in (encode_legacy(text, "tcvn3"), encode_legacy(text, "vni")):
        assert all(ord(c) <= 0xFF for c in encoded)
        assert "".join(c for c in encoded if c in "bcdgh ") == "".join(
            c for c in text if c in "bcdgh "
        )


# --- invariants over seeds ------------------------------------------------------------------------
@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["01420", "00004", "26734", "30280"]))
def test_population_invariants_hold_for_any_seed(seed, code):
    everyone = generate_population(200, code, seed=seed)
    assert everyone["person_id"].is_unique and everyone["export_id"].is_unique
    pop = everyone[everyone["nationality"] == "VN"]
    assert pop["id_number"].is_unique
    g = pop["id_number"].str[3].astype(int)
    assert ((g % 2 == 1) == (pop["sex"] == "Nữ")).all()
    assert (
        1900 + 100 * (g // 2) + pop["id_number"].str[4:6].astype(int) == pop["birth_year"]
    ).all()
    assert pop["full_name"].str.fullmatch(r"\S+( \S+)+").all()


def test_add_years_handles_leap_days():
    out = add_years(pd.to_datetime(["2004-02-29", "2000-12-31"]), np.array([1, 18]))
    assert [str(d)[:10] for d in out] == ["2005-03-01", "2018-12-31"]


# --- foreigners (recorded by passport) -----------------------------------------------------------
HUB_WARD = "25741"  # Phường Hiệp Thành, Thủ Dầu Một, Bình Dương: industrial parks


@pytest.fixture(scope="module")
def foreign_rich():
    rates = replace(ErrorRates.none(), foreigner=0.05)  # x3 (hub) x2 (ward): 30% of adults
    return generate_commune(HUB_WARD, n_persons=400, seed=2, rates=rates)


def test_foreigners_are_adults_recorded_by_passport_and_not_in_the_registry(foreign_rich):
    pop = foreign_rich.population
    foreign = pop[pop["nationality"] != "VN"]
    age = (pd.Timestamp(EXPORT_DATE) - foreign["dob"]).dt.days / 365.25
    adults = ((pd.Timestamp(EXPORT_DATE) - pop["dob"]).dt.days / 365.25 >= 18).sum()
    assert 0.2 < len(foreign) / adults < 0.4
    assert set(foreign["nationality"]) <= set(foreigners.NATIONALITIES)
    assert age.between(20, 66).all() and foreign["twin_of"].isna().all()
    assert set(foreign["export_id_kind"]) == {"passport"}
    assert foreign["export_id"].str.fullmatch(r"[A-Z]\d{7}").all()
    assert foreign["id_number"].isna().all() and foreign["cmnd"].isna().all()
    assert foreign["full_name"].str.fullmatch(r"[A-Z]+( [A-Z]+)+").all()
    assert set(foreign["ethnic_group"]) == {"foreign"}
    registry = foreign_rich.registry
    assert len(registry) == len(pop) - len(foreign)
    assert not set(foreign["person_id"]) & set(registry["person_id"])
    assert set(foreign["export_id"]) <= set(
        _by_record(foreign_rich)[_column(foreign_rich, "id_number")]
    )


def test_foreign_names_hold_no_syllable_that_reads_as_missing_diacritics():
    from vaxutils.text.names import NEVER_PLAIN_SYLLABLES

    words = {
        word.lower()
        for pools in foreigners.name_pools().values()
        for pool in pools
        for name in pool
        for word in name.split()
    }
    assert words and not words & NEVER_PLAIN_SYLLABLES


def test_foreigner_share_is_higher_in_hubs_and_wards():
    rng = np.random.default_rng(0)
    share = foreigners.foreigner_share
    ward, rural = refdata.commune(HUB_WARD), refdata.commune("01420")
    assert share(ward, 0.002, rng) == pytest.approx(0.012)
    hub_commune = {**ward, "division_type": "xã"}
    assert share(hub_commune, 0.002, rng) == pytest.approx(0.006)
    rural_shares = [share(rural, 0.002, rng) for _ in range(400)]
    assert set(rural_shares) == {0.0, 0.002}
    assert 0.2 < np.mean(np.array(rural_shares) > 0) < 0.4  # only some rural communes
    assert share(ward, 0.0, rng) == 0.0 and share(ward, 0.9, rng) == 1.0


def test_foreigners_screen_clean_and_are_neither_matched_nor_reported(foreign_rich, tmp_path):
    from vaxutils.reconcile import match_registry
    from vaxutils.stages import screen_file

    write_commune(foreign_rich, tmp_path, fmt="csv")
    result = screen_file(tmp_path / f"export_{HUB_WARD}.csv", tmp_path / "out",
                         registry=tmp_path / f"registry_{HUB_WARD}.parquet",
                         export_date=EXPORT_DATE, check_contracts=False)  # fmt: skip
    problems = result.findings[result.findings["severity"].isin(["error", "warning"])]
    assert problems.empty, problems[["record_id", "code", "value"]].head().to_string()
    records = result.records
    foreign = records[records["id_kind"] == "passport"]
    assert len(foreign) == (foreign_rich.population["nationality"] != "VN").sum()
    on_foreign = result.findings[result.findings["record_id"].isin(foreign["record_id"])]
    assert not on_foreign["code"].str.startswith("registry_").any()
    matches = match_registry(records, foreign_rich.registry)
    assert not set(matches["record_id"]) & set(foreign["record_id"])
    assert len(matches) == len(records) - len(foreign)  # every citizen is found


def test_rates_keep_foreigners_in_clean_data_and_validate():
    assert ErrorRates.none(noise=False).foreigner == ErrorRates().foreigner > 0
    assert ErrorRates().scaled(5).foreigner == ErrorRates().foreigner
    assert "foreigner" not in ERROR_TYPES and "foreigner" not in NOISE_TYPES
    with pytest.raises(ValueError, match="foreigner"):
        ErrorRates(foreigner=-0.1)
    none = generate_population(300, HUB_WARD, seed=1, foreigner_rate=0.0)
    assert set(none["nationality"]) == {"VN"}
    everyone = generate_population(300, HUB_WARD, seed=1, foreigner_rate=1.0)
    foreign = everyone[everyone["nationality"] != "VN"]
    assert len(foreign) > 100 and foreign["export_id"].is_unique  # every working-age adult
    assert (foreign["export_id_kind"] == "passport").all()


# --- phone, insurance and birth-date damage -------------------------------------------------------
# error type -> (field, codes the layer-1 checker gives for it)
CONTACT_DAMAGE = {
    "phone_wrong_length": ("phone", {"phone_invalid_length"}),
    "phone_invalid_prefix": ("phone", {"phone_invalid_prefix"}),
    "phone_leading_zero_lost": ("phone", {"phone_leading_zero_lost"}),
    "insurance_wrong_length": ("insurance_no", {"bhyt_invalid_length", "bhyt_leading_zero_lost"}),
    "insurance_bad_benefit_level": ("insurance_no", {"bhyt_invalid_benefit_level"}),
    "insurance_leading_zero_lost": ("insurance_no", {"bhyt_leading_zero_lost"}),
}


@pytest.mark.parametrize("error_type", list(CONTACT_DAMAGE))
def test_contact_damage_gives_codes_of_the_labelled_category(dirty, error_type):
    from vaxutils.ids import series as ids
    from vaxutils.screen import catalogue

    field, codes = CONTACT_DAMAGE[error_type]
    labels = dirty.labels[dirty.labels["error_type"] == error_type]
    assert len(labels) > 0
    values = _by_record(dirty).loc[labels["record_id"], _column(dirty, field)]
    text = pd.Series([str(v) for v in values])  # as the reader renders a numeric cell
    check = ids.phone_issues_series if field == "phone" else ids.bhyt_issues_series
    issues = check(text)
    assert sorted(issues["row"]) == list(range(len(text))) and set(issues["code"]) <= codes
    entries = catalogue.load().loc[sorted(codes)]
    # errors are personal_info warnings; the lost zero of a phone is a normalisation (info)
    assert set(entries["category"]) == set(labels["category"])
    expected = "info" if error_type in NOISE_TYPES else "warning"
    assert set(entries["severity"]) == {expected}
    assert (labels["true_value"].astype(str) != text.to_numpy()).all()


def test_birth_date_damage_is_impossible_future_or_after_the_first_dose(dirty):
    from vaxutils import dates
    from vaxutils.screen import catalogue

    export, labels = _by_record(dirty), dirty.labels
    dob_col = _column(dirty, "dob")
    for error_type in ("dob_impossible", "dob_future"):
        values = export.loc[labels.loc[labels["error_type"] == error_type, "record_id"], dob_col]
        issues = dates.issues_series(values.reset_index(drop=True), field="dob", today=EXPORT_DATE)
        flagged = set(issues.loc[issues["code"] == error_type, "row"])
        assert len(values) and flagged == set(range(len(values))), error_type
    after = labels[labels["error_type"] == "dob_after_first_dose"]
    born = pd.to_datetime(export.loc[after["record_id"], dob_col], format="%d/%m/%Y")
    first = _doses_of(dirty).groupby("record_id")["date"].min().reindex(after["record_id"])
    assert len(after) and (born.to_numpy() > first.to_numpy()).all()
    assert (born < pd.Timestamp(EXPORT_DATE)).all()
    cat = catalogue.load()
    for code in ("dob_impossible", "dob_future", "dob_after_first_dose"):
        assert cat.loc[code, "category"] == ERROR_TYPES[code] == "personal_info"


def test_impossible_dates_exist_in_no_calendar():
    sc = generate_commune("01420", n_persons=600, seed=4,
                          rates=replace(ErrorRates.none(noise=False), dob_impossible=0.1))  # fmt: skip
    values = _by_record(sc).loc[sc.labels["record_id"], _column(sc, "dob")]
    parts = values.str.extract(r"(\d\d)/(\d\d)/(\d{4})").astype(int)
    assert len(values) == 60 and parts.notna().all().all()
    real = pd.to_datetime(
        {"year": parts[2], "month": parts[1].clip(upper=12), "day": 1}
    ) + pd.to_timedelta(parts[0] - 1, unit="D")
    assert ((parts[1] > 12) | (real.dt.month != parts[1])).all()


def test_xlsx_keeps_lost_zero_numbers_as_numeric_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    read_export = pytest.importorskip("vaxutils.io").read_export
    rates = replace(ErrorRates.none(noise=False), id_leading_zero_lost=0.05,
                    phone_leading_zero_lost=0.05, insurance_leading_zero_lost=0.05)  # fmt: skip
    sc = generate_commune("01420", n_persons=400, seed=16, rates=rates)
    path = write_commune(sc, tmp_path)["export"]
    sheet = openpyxl.load_workbook(path).active
    header_row = len(sc.title_rows) + 1
    headers = [c.value for c in sheet[header_row]]
    numeric = {}
    for row in sheet.iter_rows(min_row=header_row + 1):
        for header, cell in zip(headers, row, strict=True):
            if cell.data_type == "n" and cell.value is not None:
                numeric.setdefault(header, []).append(cell.value)
    expected = {"id_number": "id_leading_zero_lost", "phone": "phone_leading_zero_lost",
                "insurance_no": "insurance_leading_zero_lost"}  # fmt: skip
    shown = {f: t for f, t in expected.items() if _has_column(sc, f)}
    assert set(numeric) == {_column(sc, f) for f in shown}
    records = read_export(path).records.set_index("record_id")
    for field, error_type in shown.items():
        labels = sc.labels[sc.labels["error_type"] == error_type]
        assert len(numeric[_column(sc, field)]) == len(labels) == sc.injected[error_type] > 0
        as_read = records.loc[labels["record_id"], field].tolist()
        assert as_read == [v.lstrip("0") for v in labels["true_value"]], field


def test_export_workbook_writes_text_numbers_and_safe_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from vaxutils.synth.workbook import write_export_xlsx

    junk = ["=HYPERLINK(\"x\")", "+84912345678", "-", 0, 10**11, None, float("nan"), "", "Nguyễn",
            pd.NA, "@SUM(1)"]  # fmt: skip
    frame = pd.DataFrame({"Họ tên": pd.Series(junk, dtype=object)})
    before = frame.copy()
    path = write_export_xlsx(tmp_path / "junk.xlsx", frame, ["DANH SÁCH"])
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    cells = list(openpyxl.load_workbook(path).active.iter_rows(min_row=3))
    values = [row[0].value for row in cells]
    assert values == ["=HYPERLINK(\"x\")", "+84912345678", "-", 0, 10**11, None, None, None,
                      "Nguyễn", None, "@SUM(1)"]  # fmt: skip
    assert all(row[0].data_type != "f" for row in cells)


# --- districts, files, CLI, junk ------------------------------------------------------------------
def test_generate_district_mixed_layouts():
    communes = generate_district(
        "095", n_persons=20, seed=1, layout="mixed", rates=ErrorRates.none()
    )
    assert list(communes) == refdata.communes_of_district("095")["commune_code"].tolist()
    assert {sc.layout for sc in communes.values()} == {"wide", "long"}
    names = [set(sc.registry["full_name"]) for sc in communes.values()]
    assert names[0] != names[1]  # communes differ


def test_write_commune_files(tmp_path):
    sc = generate_commune("01420", n_persons=120, seed=2)
    paths = write_commune(sc, tmp_path, fmt="csv")
    assert {p.name for p in paths.values()} == {"export_01420.csv", "registry_01420.parquet",
                                                 "labels_01420.parquet"}  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_parquet(paths["labels"]), sc.labels, check_dtype=False)
    text = paths["export"].read_text(encoding="utf-8-sig").splitlines()
    assert text[0].strip('"') in sc.title_rows[0]
    read_export = pytest.importorskip("vaxutils.io").read_export
    for fmt in ("csv", "xlsx"):
        p = write_commune(sc, tmp_path / fmt, fmt=fmt)["export"]
        assert len(read_export(p).records) == len(_by_record(sc)), fmt
    with pytest.raises(ValueError):
        write_commune(sc, tmp_path, fmt="pdf")


def test_cli_writes_files(tmp_path):
    from typer.testing import CliRunner

    from vaxutils.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--commune", "01420", "--out", str(tmp_path), "--persons", "50",
                                 "--format", "csv", "--clean", "--seed", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "export_01420.csv").exists() and (
        tmp_path / "registry_01420.parquet"
    ).exists()
    labels = pd.read_parquet(tmp_path / "labels_01420.parquet")
    assert set(labels["category"]) <= {"normalized"}
    bad = runner.invoke(app, ["synth", "--out", str(tmp_path)])
    assert bad.exit_code != 0


@pytest.mark.parametrize("code", [None, "", "abc", "99999", 1.5, b"01420", object(), "0" * 10_000])
def test_junk_commune_codes_raise_a_clear_error(code):
    with pytest.raises((refdata.UnknownDivision, ValueError)):
        generate_commune(code, n_persons=10)


@pytest.mark.parametrize("kwargs", [{"n_persons": 0}, {"n_persons": -3}, {"layout": "diagonal"},
                                    {"export_date": date(2020, 1, 1)}])  # fmt: skip
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        generate_commune("01420", **{"n_persons": 10, **kwargs})


@pytest.mark.parametrize("rate", ["x", -0.1, 1.5, float("nan"), b"0.1", object(), [0.1]])
def test_junk_foreigner_rates_raise(rate):
    with pytest.raises(ValueError, match="0–1"):
        generate_population(20, HUB_WARD, foreigner_rate=rate)


def test_scaled_rates():
    doubled = ErrorRates().scaled(2)
    assert doubled.id_empty == pytest.approx(0.03)
    assert doubled.name_uppercase == ErrorRates().name_uppercase
    assert replace(ErrorRates(), id_empty=0.0).id_empty == 0.0
