"""Legacy encodings: full TCVN3/VNI tables, repair of mojibake, no false alarms on Unicode."""

import unicodedata

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from vaxutils.text import legacy

# Every lowercase Vietnamese letter with a mark (12 vowels x 6 tones - plain a e i o u y, + đ).
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
VIETNAMESE_LOWER = {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | {"đ"}
MARKED_LOWER = VIETNAMESE_LOWER - set("aeiouy")

GOOD_UNICODE = [
    "Nguyễn Văn Nam",
    "Lê Thu Hà",
    "Hoà",
    "Hoá Lê",
    "Thuý",
    "Tô Thị Bé",
    "H'Hen Niê",
    "Y Bih",
    "Lò Văn Pấu",
    "Êban",
    "Trần Thị Ánh Tuyết",
    "José Martí",
    "Müller",
    "Đỗ Thị Ý",
    "Lý Ánh",
    "Hồ Thị Ngọc Ân",
    "Võ Thị Sáu",
    "Phó Đức Chính",
    "Lê Văn Tám",
    "Nguyễn Thị Út",
]


def _encode(text: str, table: dict[str, str]) -> str:
    """Unicode -> legacy bytes via the inverse table, the way a keyboard driver typed: the
    shortest code, with mark bytes in the case of the letter."""
    inverse: dict[str, str] = {}
    for code, letter in table.items():
        same_case = code[1:] == (code[1:].upper() if letter.isupper() else code[1:].lower())
        best = inverse.get(letter)
        if same_case and (best is None or len(code) < len(best)):
            inverse[letter] = code
    return "".join(inverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def test_tcvn3_table_covers_every_marked_lowercase_letter():
    assert MARKED_LOWER <= set(legacy.TCVN3_TO_UNICODE.values())
    assert {"Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"} <= set(legacy.TCVN3_TO_UNICODE.values())
    # one byte per letter, all in the Latin-1 upper half
    assert all(len(k) == 1 and 0xA1 <= ord(k) <= 0xFE for k in legacy.TCVN3_TO_UNICODE)


def test_tcvn3_known_code_points():
    table = legacy.TCVN3_TO_UNICODE
    assert table["\u00b8"] == "á" and table["\u00b5"] == "à" and table["\u00a8"] == "ă"
    assert table["\u00d4"] == "ễ" and table["\u00ae"] == "đ" and table["\u00a7"] == "Đ"
    assert table["\u00ad"] == "ư" and table["\u00de"] == "ị" and table["\u00fe"] == "ỵ"


def test_vni_table_covers_every_letter_in_both_cases():
    values = set(legacy.VNI_TO_UNICODE.values())
    assert MARKED_LOWER <= values
    assert {ch.upper() for ch in MARKED_LOWER} <= values
    assert legacy.VNI_TO_UNICODE["eã"] == "ễ" and legacy.VNI_TO_UNICODE["aê"] == "ă"
    assert legacy.VNI_TO_UNICODE["ôù"] == "ớ" and legacy.VNI_TO_UNICODE["Ñ"] == "Đ"


@pytest.mark.parametrize(
    ("mojibake", "encoding", "unicode"),
    [
        ("NguyÔn V¨n Nam", "tcvn3", "Nguyễn Văn Nam"),
        ("Lª ThÞ Hoa", "tcvn3", "Lê Thị Hoa"),
        ("§ç V¨n §øc", "tcvn3", "Đỗ Văn Đức"),
        ("Ph¹m Quúnh Hoa", "tcvn3", "Phạm Quỳnh Hoa"),
        ("TrÇn ThÞ Thuû", "tcvn3", "Trần Thị Thuỷ"),
        ("Nguyeãn Vaên Nam", "vni", "Nguyễn Văn Nam"),
        ("Ñoã Vaên Ñöùc", "vni", "Đỗ Văn Đức"),
        ("Traàn Thò Thuûy", "vni", "Trần Thị Thủy"),
        ("Ñinh Coâng Lyù", "vni", "Đinh Công Lý"),
        ("NGUYEÃN THÒ LAN", "vni", "NGUYỄN THỊ LAN"),
        ("Phan Thò AÙnh", "vni", "Phan Thị Ánh"),
    ],
)
def test_detects_and_repairs(mojibake, encoding, unicode):
    assert legacy.detect_legacy_encoding(mojibake) == encoding
    assert legacy.repair_legacy_encoding(mojibake) == unicode


def test_tcvn3_capitals_come_back_lowercase_and_are_recased_by_names():
    # VN3 has no capital toned letters: ".VnTimeH" fonts drew capitals from lowercase bytes.
    assert legacy.repair_legacy_encoding("NGUYÔN V¡N AN") == "NGUYễN VĂN AN"


@pytest.mark.parametrize("text", GOOD_UNICODE)
def test_good_unicode_is_not_legacy(text):
    assert legacy.detect_legacy_encoding(text) is None
    assert legacy.repair_legacy_encoding(text) == text


def test_eth_alone_is_not_legacy():
    assert legacy.detect_legacy_encoding("Ðào Thu Hà") is None


@pytest.mark.parametrize("junk", [None, float("nan"), 5, 1.5, b"\xff", object(), "", "x" * 100_000])
def test_junk_never_raises(junk):
    assert legacy.detect_legacy_encoding(junk) is None
    legacy.repair_legacy_encoding(junk)


SYLLABLES = [
    "nguyễn",
    "văn",
    "thị",
    "hoa",
    "đức",
    "trần",
    "quỳnh",
    "phạm",
    "lê",
    "hương",
    "tuấn",
    "ngọc",
    "ánh",
    "thủy",
    "hoàng",
    "dũng",
    "bích",
    "xuân",
    "yến",
    "khoa",
    "lụa",
    "ước",
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4))
def test_roundtrip_is_never_wrong_and_found_when_marked(words):
    name = " ".join(w.capitalize() for w in words)
    for encoded, expected, markers in [
        (_encode(name, legacy.VNI_TO_UNICODE), name, "øûïåäëüöñæîØÛÏÅÄËÜÖÑÆÎ"),
        (
            _encode(name.lower(), legacy.TCVN3_TO_UNICODE),
            name.lower(),
            "¨©ª«¬®µ¶·¸¹»¼½¾ÆÇËÎÏÑÖ×ØÜÞß",
        ),
    ]:
        repaired = legacy.repair_legacy_encoding(encoded)
        assert repaired in (expected, encoded)  # a repair is never a wrong text
        if any(ch in markers for ch in encoded):
            assert repaired == expected


def test_series_functions_match_scalar_and_keep_index():
    s = pd.Series(
        ["NguyÔn V¨n", None, "Lê Văn", "Nguyeãn Vaên", "NguyÔn V¨n"], index=[9, 8, 7, 6, 5]
    )
    before = s.copy()
    assert legacy.detect_series(s).tolist() == [legacy.detect_legacy_encoding(v) for v in s]
    assert legacy.repair_series(s).tolist() == [
        "Nguyễn Văn",
        None,
        None,
        "Nguyễn Văn",
        "Nguyễn Văn",
    ]
    assert list(legacy.repair_series(s).index) == [9, 8, 7, 6, 5]
    pd.testing.assert_series_equal(s, before)
    assert legacy.repair_series(pd.Series([], dtype=object)).empty
