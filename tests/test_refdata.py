"""Reference data: 2022 divisions, facility levels, lookups, provenance, rebuild script."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils import refdata
from vaxutils.refdata import _files

DATA_FILES = ("provinces.csv", "districts.csv", "communes.csv", "facility_levels.csv")
JUNK = [None, float("nan"), pd.NA, 0, -1, 1.5, 1e300, b"\xff\xfe", object(), "", " ", "x" * 100_000,
        [], {}, True, "01420\x00", "０１４２０"]  # fmt: skip


def test_counts_and_known_codes():
    assert len(refdata.provinces()) == 63
    assert len(refdata.districts()) == 705
    assert len(refdata.communes()) == 10_598
    assert refdata.commune("01420")["name"] == "Xã Thượng Thôn"
    assert refdata.district("045")["name"] == "Huyện Hà Quảng"
    assert refdata.province("04")["name"] == "Cao Bằng"
    assert refdata.province_name("004") == "Cao Bằng"
    assert refdata.province("079")["full_name"] == "Thành phố Hồ Chí Minh"


def test_columns_follow_the_architecture_contract():
    assert {"cccd_code", "gso_code", "name", "name_ascii", "region"} <= set(refdata.provinces())
    assert {"district_code", "name", "province_code"} <= set(refdata.districts())
    assert {"commune_code", "name", "district_code", "district_name", "province_code",
            "province_name"} <= set(refdata.communes())  # fmt: skip
    levels = refdata.facility_levels()
    assert list(levels.columns[:3]) == ["level", "label_vi", "label_en"]
    assert levels["exempt_from_cleaning"].dtype == bool


def test_codes_are_zero_padded_unique_and_consistent():
    p, d, c = refdata.provinces(), refdata.districts(), refdata.communes()
    assert p["cccd_code"].str.fullmatch(r"0\d\d").all() and p["cccd_code"].is_unique
    assert (p["cccd_code"].str[1:] == p["gso_code"]).all()
    assert d["district_code"].str.fullmatch(r"\d{3}").all() and d["district_code"].is_unique
    assert c["commune_code"].str.fullmatch(r"\d{5}").all() and c["commune_code"].is_unique
    assert set(d["province_code"]) == set(p["gso_code"])
    # island districts without commune-level units in 2022 (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn,
    # Côn Đảo)
    assert set(d["district_code"]) - set(c["district_code"]) == {"318", "471", "498", "536", "755"}
    assert set(c["district_code"]) <= set(d["district_code"])
    merged = c.merge(d, on="district_code", suffixes=("", "_d"))
    assert (merged["province_code"] == merged["province_code_d"]).all()
    assert (merged["district_name"] == merged["name_d"]).all()
    assert set(c["division_type"]) == {"xã", "phường", "thị trấn"}


def test_province_names_agree_with_the_id_module():
    ids_provinces = pytest.importorskip("vaxutils.ids._provinces").PROVINCES
    table = refdata.provinces().set_index("cccd_code")["name"].to_dict()
    assert table == ids_provinces


def test_name_ascii_is_plain_and_matches_name():
    p = refdata.provinces()
    assert p["name_ascii"].map(str.isascii).all()
    assert p.set_index("cccd_code").loc["046", "name_ascii"] == "Thua Thien Hue"
    assert p.set_index("cccd_code").loc["048", "name_ascii"] == "Da Nang"


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_has_a_provenance_header(name):
    lines = refdata.provenance(name)
    assert lines[0].startswith("source: ")
    assert any("scripts/build_refdata.py" in line for line in lines)
    assert any(line.startswith("date: ") for line in lines)
    if name != "facility_levels.csv":
        assert "vietnam-provinces 0.5.0" in lines[0]


def test_tables_are_cached_and_callers_get_copies():
    first = refdata.communes()
    first.loc[0, "name"] = "changed"
    assert refdata.communes().loc[0, "name"] != "changed"
    _files.read_table.cache_clear()
    refdata.provinces()
    refdata.provinces()
    info = _files.read_table.cache_info()
    assert info.misses == 1 and info.hits >= 1


def test_lookups_of_children():
    of_district = refdata.communes_of_district("045")
    assert "01420" in set(of_district["commune_code"])
    assert (of_district["district_code"] == "045").all()
    of_province = refdata.communes_of_province("004")
    assert len(of_province) == len(refdata.communes_of_province("04")) > len(of_district)
    assert (of_province["province_code"] == "04").all()
    assert refdata.commune(1420) == refdata.commune("01420")


@pytest.mark.parametrize(
    "text, code",
    [("Tỉnh Cao Bằng", "004"), ("CAO BANG", "004"), ("cao  bằng", "004"), ("TP. Hồ Chí Minh", "079"),
     ("TP.HCM", "079"), ("Thành phố Hà Nội", "001"), ("Hà Nội", "001"), ("Thừa Thiên - Huế", "046"),
     ("Bà Rịa–Vũng Tàu", "077"), ("Tỉnh Hoà Bình", "017"), ("Hòa Bình", "017"), ("Đắk Lắk", "066"),
     ("Dak Lak", "066"), ("Cao Bằng xyz", None), ("Tokyo", None)],
)  # fmt: skip
def test_province_lookup(text, code):
    got = refdata.province_lookup(pd.Series([text], index=[7]))
    assert got.index.tolist() == [7]
    assert (got.iloc[0] if pd.notna(got.iloc[0]) else None) == code


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(range(63)), st.sampled_from(["name", "full_name", "name_ascii"]),
       st.sampled_from([str, str.upper, str.lower, lambda s: f"  {s} "]))  # fmt: skip
def test_every_province_spelling_resolves(row, column, transform):
    p = refdata.provinces().iloc[row]
    got = refdata.province_lookup(pd.Series([transform(p[column])]))
    assert got.iloc[0] == p["cccd_code"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats()), max_size=20)
)
def test_province_lookup_never_raises_and_keeps_the_index(values):
    s = pd.Series(values, dtype=object, index=np.arange(len(values)) * 3)
    before = s.copy()
    got = refdata.province_lookup(s)
    assert got.index.equals(s.index)
    assert got.dropna().isin(refdata.provinces()["cccd_code"]).all()
    pd.testing.assert_series_equal(s, before)


def test_facility_levels_and_exemptions():
    levels = refdata.facility_levels().set_index("level")
    assert levels.index.tolist() == [
        "moh",
        "ministry",
        "province",
        "district",
        "commune",
        "private",
    ]
    assert levels["exempt_from_cleaning"].tolist() == [True, True, True, True, False, False]
    assert levels.loc["moh", "label_vi"] == "Bộ Y tế"
    assert refdata.exempt_levels() == {"moh", "ministry", "province", "district"}


@pytest.mark.parametrize(
    "text, level",
    [("Bộ Y tế", "moh"), ("Trung ương", "moh"), ("TW", "moh"), ("Bộ, ngành", "ministry"),
     ("Bộ ngành", "ministry"), ("Tỉnh", "province"), ("Tuyến tỉnh", "province"), ("Huyện", "district"),
     ("tuyến huyện", "district"), ("Xã", "commune"), ("Tuyến xã", "commune"), ("Tư nhân", "private"),
     ("TƯ NHÂN", "private"), ("khác", "private"), ("tuyến vũ trụ", None), ("", None)],
)  # fmt: skip
def test_facility_level_lookup(text, level):
    got = refdata.facility_level_lookup(pd.Series([text])).iloc[0]
    assert (got if pd.notna(got) else None) == level


@pytest.mark.parametrize("value", JUNK, ids=lambda v: type(v).__name__)
def test_junk_never_crashes_the_lookups(value):
    assert refdata.province_name(value) is None or isinstance(refdata.province_name(value), str)
    for lookup in (refdata.commune, refdata.district, refdata.province):
        try:
            lookup(value)
        except refdata.UnknownDivision as exc:
            assert "Không tìm thấy" in str(exc)
    s = pd.Series([value], dtype=object)
    assert len(refdata.province_lookup(s)) == 1
    assert len(refdata.facility_level_lookup(s)) == 1
    assert _files.fold_key(value) is None or isinstance(_files.fold_key(value), str)


def test_unknown_division_is_a_user_error_and_a_key_error():
    from vaxutils.errors import VaxutilsError

    with pytest.raises(refdata.UnknownDivision) as info:
        refdata.commune("99999")
    assert isinstance(info.value, VaxutilsError) and isinstance(info.value, KeyError)
    assert str(info.value).startswith("Không tìm thấy xã/phường có mã '99999'")


def test_empty_series_returns_empty():
    empty = pd.Series([], dtype=object)
    assert refdata.province_lookup(empty).empty
    assert refdata.facility_level_lookup(empty).empty


def test_vaccines_are_re_exported():
    assert "Pfizer" in set(refdata.vaccines()["product"])
    assert refdata.vaccine_lookup(pd.Series(["Astra Zeneca"])).iloc[0] == "AstraZeneca"


@pytest.mark.skipif(importlib.util.find_spec("vietnam_provinces") is None, reason="dev dependency")
def test_build_script_reproduces_the_data_files(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "build_refdata", Path(__file__).parents[1] / "scripts" / "build_refdata.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT_DIR", tmp_path / "vaxutils" / "refdata" / "data")
    module.OUT_DIR.mkdir(parents=True)
    module.main()
    for name in DATA_FILES:
        fresh = (module.OUT_DIR / name).read_text(encoding="utf-8").splitlines()
        shipped = (_files.DATA_DIR / name).read_text(encoding="utf-8").splitlines()
        strip = [line for line in fresh if not line.startswith("# date:")]
        assert strip == [line for line in shipped if not line.startswith("# date:")], name


def test_no_nan_names():
    for frame in (refdata.provinces(), refdata.districts(), refdata.communes()):
        assert not frame.isna().any().any()
        assert not any(isinstance(v, float) and math.isnan(v) for v in frame["name"])
