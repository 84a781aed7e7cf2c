"""vaxutils.masking: the one masking of ID and phone numbers (reports, contract summaries)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxutils import masking, report
from vaxutils.contracts.result import mask_value

JUNK = [
    None,
    float("nan"),
    pd.NA,
    0,
    12,
    4.09501e10,
    b"004095012345",
    object(),
    "x" * 100_000,
    "9" * 100_000,
    "",
    " ",
    True,
]
UNMASKED_ID = re.compile(r"(?<![\d*])\d{9}(?:\d{3})?(?![\d*])")
CELLS = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.from_regex(r"\A\d{6,14}\Z"))


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def test_mask_examples():
    assert masking.mask_id("004095012345") == "004*******45"
    assert masking.mask_id("012345678") == "012****78"
    assert masking.mask_phone("0912345678") == "091*****78"
    assert masking.mask_id("Không có") == "Không có"
    assert masking.mask_id("123") == "***"
    assert masking.mask_id(b"004095012345") == "004*******45"


def test_mask_text_examples():
    assert masking.mask_text("DT000001") == "DT000001"  # 6 digits: a record code, not an ID
    assert masking.mask_text("1234567") == "123**67"
    assert masking.mask_text("A004095012345B, 0912345678") == "A004*******45B, 091*****78"
    assert masking.mask_text("sinh 01/06/2022, 2022-06-01") == "sinh 01/06/2022, 2022-06-01"
    assert masking.mask_text("Nguyễn Văn Nam") == "Nguyễn Văn Nam"


def test_report_and_contracts_use_the_one_implementation():
    assert report.mask_id is masking.mask_id and report.mask_frame is masking.mask_frame
    assert mask_value("004095012345") == masking.mask_text("004095012345") == "004*******45"
    assert mask_value("x" * 80 + "004095012345") == "x" * 60  # display cut after masking


@pytest.mark.parametrize("junk", JUNK, ids=lambda v: repr(v)[:20])
def test_scalar_masks_never_raise_on_junk(junk):
    for fn in (masking.mask_id, masking.mask_phone, masking.mask_text):
        out = fn(junk)
        if is_missing(junk):
            assert out is junk
        else:
            assert isinstance(out, str)
            assert not UNMASKED_ID.search(out)


def test_series_masks_take_junk_and_keep_index_missing_and_input():
    s = pd.Series(JUNK, index=range(10, 10 + len(JUNK)), dtype=object)
    before = s.copy()
    for fn in (masking.mask_series, masking.mask_text_series):
        out = fn(s)
        assert out.index.equals(s.index)
        assert out[10] is None and out[12] is pd.NA and math.isnan(out[11])
        assert not any(UNMASKED_ID.search(v) for v in out.dropna() if isinstance(v, str))
        pd.testing.assert_series_equal(s, before)
        assert fn(pd.Series([], dtype=object)).empty


def test_mask_series_keeps_index_and_missing_and_does_not_mutate():
    s = pd.Series(["004095012345", None, float("nan"), 12345678901], index=[5, 7, 9, 11])
    out = masking.mask_series(s)
    assert out.index.tolist() == [5, 7, 9, 11]
    assert out[5] == "004*******45" and pd.isna(out[7]) and pd.isna(out[9])
    assert out[11] == "123******01"


@given(st.text(alphabet="0123456789", min_size=6, max_size=40))
def test_mask_keeps_shape_and_hides_the_middle(digits):
    masked = masking.mask_id(digits)
    assert len(masked) == len(digits)
    assert masked[:3] == digits[:3] and masked[-2:] == digits[-2:]
    assert set(masked[3:-2]) <= {"*"}
    assert masking.mask_text(digits) == (masked if len(digits) >= 7 else digits)


@given(st.text(max_size=60))
def test_mask_text_changes_only_digits_of_long_runs(text):
    masked = masking.mask_text(text)
    assert len(masked) == len(text)
    assert all(a == b or (b == "*" and a.isdigit()) for a, b in zip(text, masked, strict=True))
    assert not re.search(r"[0-9]{7}", masked)  # no run long enough to be a number survives


@settings(deadline=None, max_examples=60)
@given(st.lists(CELLS, max_size=20))
def test_vectorised_equals_scalar(values):
    s = pd.Series(values, dtype=object)
    for vector, scalar in (
        (masking.mask_series, masking.mask_id),
        (masking.mask_text_series, masking.mask_text),
    ):
        got = [None if pd.isna(v) else v for v in vector(s).tolist()]
        assert got == [scalar(v) for v in values]
