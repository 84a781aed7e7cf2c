"""Hostile values through every public function that takes user data (issue 13, item 12).

Each function that promises never to raise (``is_valid``, ``diagnose``, ``names.normalize``,
``dates.parse_date``, ``sex.normalize``, the legacy detector, masking, every Series function) is
fed what a hostile or broken file can hold: lone surrogates, ``Decimal('sNaN')``, bytes that are
not UTF-8, full-width and other scripts' digits, NUL and control characters, formula prefixes,
strings of hundreds of thousands of characters. It must not raise, and its Series form must give
the scalar form's answer for every cell. ``validate`` may raise, but only its own ValidationError.
"""

from __future__ import annotations

import decimal
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaxutils import dates, masking, sex
from vaxutils.ids import bhyt, cccd, cmnd, damage, passport, phone
from vaxutils.ids import series as ids
from vaxutils.ids.exceptions import ValidationError
from vaxutils.io.paths import commune_code, inside, is_commune_code, safe_part
from vaxutils.io.writers import escape_formulas, formula_like
from vaxutils.text import cell_text, legacy, names

# every code point, surrogates (category Cs) included: st.text() leaves them out by default
ANY_CHAR = st.characters(codec=None, categories=None, exclude_categories=())
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=16),
    st.text(
        st.sampled_from("\ud800\udfff\x00\r\n\t=+-@$\\{}<>/.０１２３４５６７８９٠١٢ ①Ð"),
        max_size=16,
    ),
    st.sampled_from(["\r=2+2", "\t=1", '=HYPERLINK("//x")', "$\\foo{x$", "../../x", "/etc/passwd"]),
    st.from_regex(r"\A[0-9０-９]{9,12}\Z"),
)
HOSTILE = st.one_of(
    st.none(),
    HOSTILE_TEXT,
    st.sampled_from(
        [decimal.Decimal("sNaN"), decimal.Decimal("NaN"), decimal.Decimal("1E+400"), float("nan")]
    ),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.binary(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
)
HUGE = ["x" * 200_000, "9" * 200_000, "Nguyễn " * 30_000, "\ud800" * 50_000, "=" * 100_000]
NEVER_RAISE = [
    cccd.is_valid,
    cmnd.is_valid,
    passport.is_valid,
    phone.is_valid,
    bhyt.is_valid,
    damage.diagnose,
    phone.diagnose,
    bhyt.diagnose,
    names.normalize,
    names.match_key,
    names.ascii_key,
    names.issues,
    names.is_missing_diacritics,
    dates.parse_date,
    sex.normalize,
    sex.issues,
    legacy.detect_legacy_encoding,
    legacy.repair_legacy_encoding,
    cell_text,
    masking.mask_id,
    masking.mask_text,
    is_commune_code,
    safe_part,
]
VALIDATORS = [cccd.validate, cmnd.validate, passport.validate, phone.validate, bhyt.validate]
SERIES = [
    ids.classify_ids,
    ids.phone_numbers,
    ids.issues_series,
    names.normalize_series,
    names.match_key_series,
    names.ascii_key_series,
    names.issues_series,
    dates.parse_dates,
    dates.issues_series,
    sex.normalize_series,
    sex.issues_series,
    legacy.detect_series,
    legacy.repair_series,
    masking.mask_series,
    masking.mask_text_series,
]
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def _na(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return None if isinstance(value, float) and math.isnan(value) else value


def _name(func) -> str:
    return f"{func.__module__}.{func.__name__}"


@PROPERTY
@given(HOSTILE)
def test_scalar_functions_never_raise(value):
    for func in NEVER_RAISE:
        func(value)
    for func in VALIDATORS:
        try:
            func(value)
        except ValidationError:
            pass


@pytest.mark.parametrize("func", NEVER_RAISE + SERIES, ids=_name)
def test_huge_cells(func):
    if func in SERIES:
        func(pd.Series(HUGE, dtype=object))
    else:
        for value in HUGE:
            func(value)


@PROPERTY
@given(st.lists(HOSTILE, min_size=1, max_size=6))
def test_series_functions_never_raise_keep_index_and_input(values):
    s = pd.Series(values, dtype=object, index=np.arange(len(values))[::-1] + 100)
    before = [repr(v) for v in s]  # (a sNaN cannot be compared: compare the reprs)
    for func in SERIES:
        out = func(s)
        if "row" in out.columns if isinstance(out, pd.DataFrame) else False:
            assert set(out["row"]) <= set(s.index), _name(func)
        else:
            assert list(out.index) == list(s.index), _name(func)
    assert [repr(v) for v in s] == before


@PROPERTY
@given(st.lists(HOSTILE, min_size=1, max_size=6))
def test_series_equals_scalar_on_hostile_cells(values):
    s = pd.Series(values, dtype=object)
    for scalar, vector in [
        (names.normalize, names.normalize_series),
        (names.match_key, names.match_key_series),
        (names.ascii_key, names.ascii_key_series),
        (sex.normalize, sex.normalize_series),
        (legacy.detect_legacy_encoding, legacy.detect_series),
        (masking.mask_id, masking.mask_series),
        (masking.mask_text, masking.mask_text_series),
    ]:
        got = [_na(v) for v in vector(s)]
        expected = [_na(scalar(v)) for v in values]
        if scalar in (masking.mask_id, masking.mask_text):  # missing stays missing, as itself
            expected = [
                None if masking._is_missing(v) else e for v, e in zip(values, expected, strict=True)
            ]
        assert got == expected, _name(scalar)
    # repair_series names the repair only where the cell is legacy text (documented)
    repaired = [_na(v) for v in legacy.repair_series(s)]
    expected = [
        legacy.repair_legacy_encoding(v) if legacy.detect_legacy_encoding(v) else None
        for v in values
    ]
    assert repaired == expected
    parsed = dates.parse_dates(s)
    for (_, row), value in zip(parsed.iterrows(), values, strict=True):
        expected = dates.parse_date(value)
        assert (None if pd.isna(row["date"]) else row["date"].date()) == expected.date
        assert _na(row["code"]) == expected.code
    table = ids.classify_ids(s)
    for position, value in enumerate(values):
        row = table.iloc[position]
        got = damage.Diagnosis(
            row["id_kind"], _na(row["id_compact"]), _na(row["id_code"]), _na(row["id_suggestion"])
        )
        assert got == damage.diagnose(value)
    for scalar, vector in [(names.issues, names.issues_series), (sex.issues, sex.issues_series)]:
        found = vector(s)
        for label, value in zip(s.index, values, strict=True):
            rows = found[found["row"] == label]
            pairs = [(c, _na(x)) for c, x in zip(rows["code"], rows["suggestion"], strict=True)]
            assert pairs == scalar(value), _name(scalar)


@PROPERTY
@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=8))
def test_no_cell_we_escape_can_start_a_formula(values):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    escaped = escape_formulas(frame)["v"]
    assert not formula_like(escaped).any()
    # only a leading apostrophe is ever added: the value a person sees is kept
    for raw, out in zip(values, escaped, strict=True):
        assert out == raw or out == "'" + raw


@PROPERTY
@given(HOSTILE)
def test_a_path_made_from_data_stays_inside_the_folder(tmp_path_factory, value):
    root = tmp_path_factory.mktemp("out", numbered=True)
    assert inside(root, safe_part(value)).parent == root.resolve()
    if is_commune_code(value):
        assert commune_code(value) == value and inside(root, value).name == value


@PROPERTY
@given(st.lists(st.lists(HOSTILE_TEXT, min_size=2, max_size=2), min_size=1, max_size=6))
def test_csv_round_trip_keeps_rows_and_what_a_person_sees(tmp_path_factory, rows):
    import csv

    from vaxutils.io.writers import write_csv

    frame = pd.DataFrame(rows, columns=["a", "=b"], dtype=object)
    path = write_csv(tmp_path_factory.mktemp("csv") / "t.csv", frame)
    with open(path, encoding="utf-8-sig", newline="") as f:
        back = list(csv.reader(f))
    assert back[0] == ["a", "'=b"] and len(back) == len(rows) + 1  # no row split, none lost
    for raw_row, read_row in zip(rows, back[1:], strict=True):
        for raw, read in zip(raw_row, read_row, strict=True):
            shown = raw.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate is '?'
            assert read in (shown, "'" + shown)
            assert not formula_like(pd.Series([read])).iloc[0]


@PROPERTY
@given(st.lists(HOSTILE, min_size=1, max_size=12), st.sampled_from([1, 2]))
def test_screen_takes_hostile_cells_in_any_column(values, threads):
    """A caller's frame (not a reader's: bytes, lone surrogates, objects) in every person and dose
    column is screened on one thread or two, without raising and with one record per row."""
    from datetime import date

    from vaxutils.io import Export
    from vaxutils.screen import screen

    n = len(values)
    records = pd.DataFrame(
        {column: pd.Series(values, dtype=object) for column in
         ("full_name", "dob", "sex", "id_number", "phone", "village", "commune_code")}
    )  # fmt: skip
    records["record_id"] = pd.Series(values, dtype=object)
    records["source_row"] = np.arange(2, n + 2)
    doses = pd.DataFrame(
        {column: pd.Series(values, dtype=object) for column in
         ("record_id", "dose_date", "dose_number", "vaccine", "facility")}
    )  # fmt: skip
    doses["source_row"] = np.arange(2, n + 2)
    result = screen(
        Export(records=records, doses=doses), export_date=date(2022, 5, 15), threads=threads
    )
    assert len(result.records) == n
    assert result.findings["code"].notna().all()
