"""Names: normalisation, keys, problems; minority names are never flagged; scalar == vectorised."""

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from vaxutils.text import names

# Synthetic full names of ethnic-minority people (Tày, Nùng, Thái, Mường, Hmong, Dao, Khmer,
# Ê Đê, Gia Rai, M'Nông, Cơ Ho, Cơ Tu, Chăm, Ra Glai): none may get an error or a warning.
MINORITY_NAMES = [
    "Nông Văn Dền",
    "Nông Thị Slam",
    "Hoàng Thị Slam",
    "Lục Văn Pảo",
    "Bế Văn Đàn",
    "Bế Thị Slao",
    "Hoàng Văn Slay",
    "Ma Văn Kháng",
    "Lành Thị Pằn",
    "Mã Văn Slìn",
    "Sầm Văn Pẻng",
    "Lăng Văn Slằn",
    "Nông Thị Pảo",
    "Lục Thị Bế",
    "Lương Văn Slử",
    "Lò Văn Pấu",
    "Lò Thị Ún",
    "Lường Thị Ún",
    "Quàng Văn Bun",
    "Cầm Thị Hoa",
    "Tòng Văn Xôm",
    "Lò Văn Hặc",
    "Bùi Văn Khoang",
    "Quách Thị Mến",
    "Đinh Thị Xoan",
    "Sùng A Páo",
    "Giàng A Chứ",
    "Giàng Seo Phử",
    "Vàng A Sử",
    "Vàng Thị Mỷ",
    "Lầu Thị Mỷ",
    "Thào A Dế",
    "Thào Mí Lử",
    "Ly A Chu",
    "Mùa A Dế",
    "Hờ A Dình",
    "Lầu A Sình",
    "Cháng Thị Dợ",
    "Vừ A Dính",
    "Sùng Thị Mai",
    "Bàn Văn Mẩy",
    "Triệu Thị Mùi",
    "Chảo Láo Lở",
    "Lý Tả Mẩy",
    "Phùn Thị Páo",
    "Thạch Thị Sa Ri",
    "Thạch Sô Phây",
    "Danh Thị Mỹ",
    "Danh Út",
    "Sơn Thị Sa Ly",
    "Chau Sóc Kha",
    "Néang Sa Ly",
    "Chau Ty",
    "Lâm Thị Sa Rươne",
    "Kim Thị Sóc Kha",
    "Sơn Sà Rát",
    "H'Hen Niê",
    "Y Bih",
    "Y Bih Niê Kdăm",
    "H'Bia Mlô",
    "Y Ngông Niê Kdăm",
    "H'Ngia Byă",
    "H'Năm Niê",
    "Y Jút Buôn Krông",
    "H'Mai Adrơng",
    "Y Khuê Byă",
    "Ksor H'Bia",
    "Rơ Mah Hlong",
    "Siu Blim",
    "Kpă Thuyên",
    "Rơ Chăm H'Yuin",
    "Nay Phin",
    "Kpă Pơ Lang",
    "Ksor Kpă",
    "K'Bròk",
    "Điểu K'Lung",
    "Ka Sô Liễng",
    "Bh'riu Thị Nga",
    "Bh'ling Mia",
    "A Lăng Thị Hà",
    "Zơ Râm Chiến",
    "Đàng Năng Thọ",
    "Pi Năng Thị Thu",
    "Y Moan Êban",
    "Siu Hyam",
    "Rahlan Nhiên",
]
# Fully ASCII names that are right as written.
ASCII_NAMES = [
    "Kim Thanh Mai",
    "Lan Anh",
    "Y Bih",
    "Cao Minh Nam",
    "Chu Thanh Long",
    "Ma Kim Lan",
    "Ksor Bia",
    "Nay Phin",
    "Lê Thi",
    "Mai Anh Thi",
    "Siu Blim",
]
SERIOUS = {"error", "warning"}
SEVERITY = {
    "name_missing": "error",
    "name_legacy_encoding": "error",
    "name_d_lookalike": "error",
    "name_invalid_characters": "error",
    "name_no_diacritics": "warning",
    "name_unicode_form": "info",
    "name_whitespace": "info",
    "name_case": "info",
}


def test_minority_names_are_never_flagged():
    assert len(MINORITY_NAMES) >= 60
    found = names.issues_series(pd.Series(MINORITY_NAMES))
    assert found.empty, found.assign(name=[MINORITY_NAMES[r] for r in found["row"]])


@pytest.mark.parametrize("name", ASCII_NAMES)
def test_legitimate_ascii_names_are_not_no_diacritics(name):
    assert not names.is_missing_diacritics(name)
    assert all(SEVERITY[code] not in SERIOUS for code, _ in names.issues(name))


@pytest.mark.parametrize(
    "name",
    [
        "Nguyen Van Nam",
        "TRAN THI LAN",
        "Pham Duc Anh",
        "Hoang Thi Huong",
        "Le Thi Hoa",
        "Nguyễn Van Nam",
        "Bui Quynh",
        "Dang Tuan",
    ],
)
def test_names_typed_without_diacritics_are_flagged(name):
    assert names.is_missing_diacritics(name)
    assert ("name_no_diacritics", None) in names.issues(name)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  NGUYỄN   văn  nam ", "Nguyễn Văn Nam"),
        ("đặng thị ý", "Đặng Thị Ý"),
        ("ĐỖ THỊ ỚT", "Đỗ Thị Ớt"),
        ("nguye\u0302\u0303n va\u0306n", "Nguyễn Văn"),  # decomposed: NFC before casing
        ("a\u0323\u0301nh", "Ạ́nh"),  # two tones do not compose: no capital after the mark
        ("Nguye\u0302\u0303n Văn Nam", "Nguyễn Văn Nam"),
        ("h'hen niê", "H'Hen Niê"),
        ("BH'RIU THỊ NGA", "Bh'riu Thị Nga"),
        ("Lê\u00a0Thị\tHoa\u200b", "Lê Thị Hoa"),
        ("NguyÔn V¨n Nam", "Nguyễn Văn Nam"),
        ("NGUYÔN V¡N AN", "Nguyễn Văn An"),
        ("Nguyeãn Vaên Nam", "Nguyễn Văn Nam"),
        ("ÐẶNG VĂN ÐỨC", "Đặng Văn Đức"),
        ("Lê Thị Hòa", "Lê Thị Hòa"),  # tone placement is kept as written
        ("Lê Thị Hoà", "Lê Thị Hoà"),
    ],
)
def test_normalize(raw, normalized):
    assert names.normalize(raw) == normalized


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, "", "   ", "-", "0", "..."])
def test_blank_and_letterless_cells_normalize_to_missing(blank):
    assert names.normalize(blank) is None
    assert names.issues(blank) == [("name_missing", None)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hòa", "Hoà"),
        ("Thủy", "Thuỷ"),
        ("Hòe", "Hoè"),
        ("Khỏe", "Khoẻ"),
        ("NGUYỄN THỊ THÚY", "nguyễn thị thuý"),
        ("Nguyễn  Văn Hoà", "nguyễn văn hòa"),
        ("NguyÔn V¨n", "Nguyễn Văn"),
    ],
)
def test_match_key_folds_tone_placement_and_case(a, b):
    assert names.match_key(a) == names.match_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Hòa", "Hoa"), ("Thủy", "Thúy"), ("Văn", "Vân"), ("Đức", "Dức")]
)
def test_match_key_keeps_diacritics(a, b):
    assert names.match_key(a) != names.match_key(b)


def test_ascii_key_strips_diacritics_for_matching_only():
    assert names.ascii_key("Đặng Thị Thuỷ") == "dang thi thuy"
    assert names.ascii_key("Ðỗ Văn Đức") == "do van duc"
    assert names.normalize("Đặng Thị Thuỷ") == "Đặng Thị Thuỷ"


@pytest.mark.parametrize(
    ("raw", "code", "suggestion"),
    [
        ("NguyÔn V¨n Nam", "name_legacy_encoding", "Nguyễn Văn Nam"),
        ("Ðinh Văn An", "name_d_lookalike", "Đinh Văn An"),
        ("Nguyễn Văn Nam 2", "name_invalid_characters", "Nguyễn Văn Nam"),
        ("Nguyễn Văn Nam.", "name_invalid_characters", "Nguyễn Văn Nam"),
        ("* Lê Thị Hoa", "name_invalid_characters", "Lê Thị Hoa"),
        ("Ng2yễn Văn", "name_invalid_characters", None),  # a digit inside a word: not obvious
        ("Lê Thị Hoa (mẹ)", "name_invalid_characters", None),  # a note in brackets
        ("Lê Thị.Hoa", "name_invalid_characters", None),
        ("NGUYỄN VĂN NAM", "name_case", "Nguyễn Văn Nam"),
        ("Nguyễn  Văn Nam", "name_whitespace", "Nguyễn Văn Nam"),
        ("Nguye\u0302\u0303n Văn Nam", "name_unicode_form", "Nguyễn Văn Nam"),
    ],
)
def test_issue_codes_and_suggestions(raw, code, suggestion):
    assert (code, suggestion) in names.issues(raw)


def test_normalisations_are_not_reported_next_to_errors():
    assert names.issues("  NGUYỄN VĂN NAM 2 ") == [("name_invalid_characters", "Nguyễn Văn Nam")]
    assert names.issues("Nguyễn Văn Nam") == []


def test_all_caps_and_decomposed_names_are_info_only():
    for raw in ["NGUYỄN THỊ HOA", "Nguye\u0302\u0303n Thị Hoa", " lê văn tám "]:
        assert {SEVERITY[c] for c, _ in names.issues(raw)} == {"info"}


def test_series_keep_index_and_na_and_do_not_mutate():
    s = pd.Series(
        ["  lê thị HOA", None, "Nguyen Van", "  lê thị HOA", np.nan], index=[10, 3, 7, 1, 0]
    )
    before = s.copy()
    out = names.normalize_series(s)
    assert list(out.index) == [10, 3, 7, 1, 0]
    assert out.tolist()[0] == "Lê Thị Hoa" and out.isna().tolist() == [
        False,
        True,
        False,
        False,
        True,
    ]
    found = names.issues_series(s)
    assert list(found.columns[:3]) == ["row", "code", "suggestion"]
    assert set(found.loc[found["code"] == "name_missing", "row"]) == {3, 0}
    pd.testing.assert_series_equal(s, before)


def test_empty_series():
    for function in (names.normalize_series, names.match_key_series, names.ascii_key_series):
        assert function(pd.Series([], dtype=object)).empty
    assert list(names.issues_series(pd.Series([], dtype="str")).columns) == [
        "row",
        "code",
        "suggestion",
    ]


def test_string_dtypes_give_the_same_answers():
    values = ["Nguyen Van Nam", None, "ÐINH VĂN AN", "NguyÔn V¨n"]
    expected = names.issues_series(pd.Series(values, dtype=object))
    for dtype in ("str", "string"):
        got = names.issues_series(pd.Series(values, dtype=dtype))
        pd.testing.assert_frame_equal(got, expected)


JUNK = [
    None,
    np.nan,
    pd.NaT,
    0,
    12,
    1.5,
    float("inf"),
    b"Nguy\xe1\xbb\x85n",
    b"\xff\xfe",
    object(),
    ["a"],
    {"b": 1},
    "x" * 200_000,
    "\x00\x01",
    "🙂 Lan",
    True,
]


@pytest.mark.parametrize("junk", JUNK, ids=lambda v: type(v).__name__)
def test_junk_never_raises(junk):
    names.normalize(junk)
    names.match_key(junk)
    names.ascii_key(junk)
    names.is_missing_diacritics(junk)
    for code, _ in names.issues(junk):
        assert code in SEVERITY


def test_junk_series_never_raises():
    s = pd.Series(JUNK, dtype=object)
    assert len(names.normalize_series(s)) == len(JUNK)
    assert set(names.issues_series(s)["code"]) <= set(SEVERITY)


NAME_PARTS = [
    "Nguyễn",
    "NGUYỄN",
    "nguyen",
    "Thị",
    "thi",
    "Văn",
    "Hòa",
    "Hoà",
    "H'Hen",
    "Niê",
    "Ð",
    "NguyÔn",
    "V¨n",
    "Nguyeãn",
    "Vaên",
    "2",
    ".",
    "  ",
    "\u00a0",
    "Nguye\u0302\u0303n",
    "Slam",
]
cells = st.one_of(
    st.none(),
    st.lists(st.sampled_from(NAME_PARTS), min_size=0, max_size=4).map(" ".join),
    st.text(max_size=12),
)


@settings(max_examples=15, deadline=None)
@given(st.lists(cells, min_size=1, max_size=5))
def test_scalar_and_vectorised_agree(values):
    s = pd.Series(values, dtype=object, index=np.arange(len(values))[::-1])
    for scalar, vector in [
        (names.normalize, names.normalize_series),
        (names.match_key, names.match_key_series),
        (names.ascii_key, names.ascii_key_series),
    ]:
        got = [None if pd.isna(v) else v for v in vector(s)]
        assert got == [scalar(v) for v in values]
    found = names.issues_series(s)
    for label, value in zip(s.index, values, strict=True):
        rows = found[found["row"] == label]
        got = [
            (c, None if pd.isna(x) else x)
            for c, x in zip(rows["code"], rows["suggestion"], strict=True)
        ]
        assert got == names.issues(value)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=4).map(" ".join))
def test_normalize_is_idempotent_and_keys_are_stable(name):
    once = names.normalize(name)
    if once is not None:
        assert names.normalize(once) == once
        assert names.match_key(once) == names.match_key(name)


def test_catalogue_lists_every_name_code_with_its_severity():
    from vaxutils.screen import catalogue

    table = catalogue.load()
    for code, severity in SEVERITY.items():
        assert table.loc[code, "severity"] == severity
        assert table.loc[code, "category"] == (
            "normalized" if severity == "info" else "personal_info"
        )
