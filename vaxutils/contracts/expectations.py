"""vaxutils' own Great Expectations, registered with GX when this module is imported.

Each expectation is a thin GX adapter around a vectorised layer-1 validator — the same code
that screening uses, never a second implementation:

==================================================  ==========================================
expectation (type in the suite JSON)                 logic
==================================================  ==========================================
expect_column_values_to_be_valid_personal_id         ``vaxutils.ids.series.classify_ids``
expect_id_consistent_with_sex_and_birth_year         ``vaxutils.ids.series.cccd_consistency``
expect_column_values_to_be_well_formed_vietnamese_name  ``vaxutils.text.names.issues_series``
expect_dose_dates_in_order                           ``vaxutils.dates.parse_dates``
==================================================  ==========================================

Missing cells are not these expectations' business (GX skips them; a suite says
``expect_column_values_to_not_be_null`` where a value is required).

Importing this module imports Great Expectations (~2.5 s): only :mod:`vaxutils.contracts`
does so, lazily, before building a suite.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer

from vaxutils import catalogue, dates, sex
from vaxutils.ids import series as ids
from vaxutils.text import names

#: Identifier kinds of ``classify_ids`` that are a usable personal ID.
PERSONAL_ID_KINDS = ("cccd", "cmnd", "passport")

_LIBRARY_METADATA = {
    "maturity": "production",
    "tags": ["vaxutils", "vietnam", "covid-19 vaccination"],
    "contributors": ["@vaxutils"],
    "requirements": [],
    "has_full_test_suite": True,
    "manually_reviewed_code": True,
}

_MULTICOLUMN_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


def _sentence(template: str):
    """A Data Docs renderer that prints ``template`` (``$column`` etc. filled from kwargs)."""

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None):
        # GX calls renderers with either a configuration or a result (see its docstring).
        if configuration is None and result is not None:
            configuration = result.expectation_config
        kwargs = dict(configuration.kwargs) if configuration is not None else {}
        if isinstance(kwargs.get("column_list"), list):
            kwargs["column_list"] = ", ".join(map(str, kwargs["column_list"]))
        params = {k: str(v) for k, v in kwargs.items()}
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={"template": template, "params": params},
            )
        ]

    return _prescriptive_renderer


def _check_three_columns(column_list: list) -> list:
    if len(column_list) != 3:
        raise ValueError(
            f"Cần đúng 3 cột, nhận được {len(column_list)}: {column_list}. / Exactly 3 columns."
        )
    return column_list


# --- valid personal ID -------------------------------------------------------------------


class ColumnValuesValidPersonalId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.vaxutils_valid_personal_id"
    condition_value_keys = ("accepted_kinds", "require_canonical")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, accepted_kinds=("cccd",), require_canonical=False, **kwargs):
        classified = ids.classify_ids(column)
        ok = classified["id_kind"].isin(list(accepted_kinds)).fillna(False)
        if require_canonical:
            # The file goes to the platform as is: the cell must already be the compact form.
            as_text = column.astype("string")
            ok &= (as_text == classified["id_compact"].astype("string")).fillna(False)
        return ok.astype(bool)


class ExpectColumnValuesToBeValidPersonalId(ColumnMapExpectation):
    """Số giấy tờ phải hợp lệ: CCCD 12 số (mã tỉnh 2022, chữ số thế kỷ 0–3), và nếu cho phép,
    CMND 9 số hoặc hộ chiếu. Values must be a valid personal ID (CCCD; optionally CMND/passport).

    ``accepted_kinds``: subset of ``["cccd", "cmnd", "passport"]`` (default CCCD only).
    ``require_canonical``: the cell must already be the compact value (no spaces/separators),
    e.g. for a file imported into the platform.
    """

    accepted_kinds: list[Literal["cccd", "cmnd", "passport"]] | SuiteParameterDict = ["cccd"]
    require_canonical: bool | SuiteParameterDict = False

    library_metadata: ClassVar[dict] = _LIBRARY_METADATA
    map_metric = "column_values.vaxutils_valid_personal_id"
    success_keys = ("accepted_kinds", "require_canonical", "mostly")
    args_keys = ("column", "accepted_kinds")

    _prescriptive_renderer = _sentence(
        "Giá trị cột $column phải là số giấy tờ hợp lệ (loại chấp nhận: $accepted_kinds)."
    )


# --- ID digits agree with sex and birth year -----------------------------------------------


def _birth_years(values: pd.Series) -> pd.Series:
    """Birth year from a year column, a datetime column or date text (day-first)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.year.astype("Int64")
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").round().astype("Int64")
    return dates.parse_dates(values)["date"].dt.year.astype("Int64")


class IdConsistentWithSexAndBirthYear(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.vaxutils_id_consistent_with_sex_and_birth_year"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        id_col, sex_col, birth_col = column_list.columns[:3]
        compact = ids.classify_ids(column_list[id_col])["id_compact"]
        check = ids.cccd_consistency(
            compact,
            sex.normalize_series(column_list[sex_col]),
            _birth_years(column_list[birth_col]),
        )
        # NA means "cannot tell" (not a CCCD, sex unknown): not this expectation's failure.
        return (check["sex_ok"].fillna(True) & check["year_ok"].fillna(True)).astype(bool)


class ExpectIdConsistentWithSexAndBirthYear(MulticolumnMapExpectation):
    """Giới tính và năm sinh phải khớp với các chữ số của số CCCD (chữ số thứ 4: thế kỷ và giới
    tính; chữ số 5–6: năm sinh). The CCCD's sex/century digit and birth-year digits must agree
    with the record's sex and date (or year) of birth.

    ``column_list``: ``[id column, sex column, dob or birth-year column]`` in that order.
    Rows with any of the three missing are skipped; IDs that are not CCCD are not checked.
    """

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = (
        "any_value_is_missing"
    )

    library_metadata: ClassVar[dict] = _LIBRARY_METADATA
    map_metric = "multicolumn_values.vaxutils_id_consistent_with_sex_and_birth_year"
    success_keys = ("mostly",)
    args_keys = ("column_list",)

    _check_columns = pydantic.validator("column_list", allow_reuse=True)(_check_three_columns)

    _prescriptive_renderer = _sentence(
        "Số CCCD, giới tính và năm sinh (các cột $column_list) phải khớp nhau."
    )


# --- well-formed Vietnamese name -----------------------------------------------------------


def _passing_name_codes() -> set[str]:
    """Name issue codes that do not make a name ill-formed: the catalogue's ``info`` codes.

    A code missing from the catalogue counts as a failure: a contract errs on the safe side.
    """
    table = catalogue.load()
    return set(table.loc[table["severity"] == "info", "code"])


class ColumnValuesWellFormedVietnameseName(ColumnMapMetricProvider):
    condition_metric_name = "column_values.vaxutils_well_formed_vietnamese_name"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        issues = names.issues_series(column)
        blocking = ~issues["code"].isin(_passing_name_codes())
        return pd.Series(~column.index.isin(issues.loc[blocking, "row"]), index=column.index)


class ExpectColumnValuesToBeWellFormedVietnameseName(ColumnMapExpectation):
    """Họ tên phải viết đúng: có dấu, không chữ số hay ký hiệu, không lỗi mã cũ (TCVN3/VNI).
    Names must be well formed: Vietnamese diacritics, no digits or symbols, no legacy encoding.

    A name fails when ``names.issues_series`` reports an error- or warning-severity code for it;
    info codes (case, spacing, Unicode form) pass. Ethnic-minority names pass.
    """

    library_metadata: ClassVar[dict] = _LIBRARY_METADATA
    map_metric = "column_values.vaxutils_well_formed_vietnamese_name"
    success_keys = ("mostly",)

    _prescriptive_renderer = _sentence(
        "Họ tên trong cột $column phải viết đúng (có dấu, không chữ số, không lỗi mã cũ)."
    )


# --- dose dates in order -------------------------------------------------------------------


def _as_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return dates.parse_dates(values)["date"]


def dose_dates_in_order(record_ids: pd.Series, dose_numbers: pd.Series, dose_dates: pd.Series):
    """True where a dose is not dated before any lower-numbered dose of the same record.

    Unparseable numbers or dates are True (other expectations guard them).
    """
    work = pd.DataFrame(
        {
            "rid": record_ids.astype("string"),
            "num": pd.to_numeric(dose_numbers, errors="coerce"),
            "date": _as_dates(dose_dates),
        },
        index=record_ids.index,
    )
    latest = work.dropna().groupby(["rid", "num"], sort=True)["date"].max()
    # Latest date among the record's strictly lower dose numbers.
    before = latest.groupby(level="rid").cummax().groupby(level="rid").shift(1)
    keys = pd.MultiIndex.from_frame(work[["rid", "num"]])
    previous = pd.Series(before.reindex(keys).to_numpy(), index=work.index)
    return ~(work["date"] < previous).fillna(False).astype(bool)


class DoseDatesInOrder(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.vaxutils_dose_dates_in_order"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        rid, number, date = column_list.columns[:3]
        return dose_dates_in_order(column_list[rid], column_list[number], column_list[date])


class ExpectDoseDatesInOrder(MulticolumnMapExpectation):
    """Ngày tiêm của từng đối tượng phải tăng dần theo số mũi (mũi sau không trước mũi trước).
    Per record, dose dates must not decrease as the dose number increases.

    ``column_list``: ``[record id column, dose number column, dose date column]``.
    """

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = (
        "any_value_is_missing"
    )

    library_metadata: ClassVar[dict] = _LIBRARY_METADATA
    map_metric = "multicolumn_values.vaxutils_dose_dates_in_order"
    success_keys = ("mostly",)
    args_keys = ("column_list",)

    _check_columns = pydantic.validator("column_list", allow_reuse=True)(_check_three_columns)

    _prescriptive_renderer = _sentence(
        "Ngày tiêm phải tăng dần theo số mũi của từng đối tượng (các cột $column_list)."
    )


CUSTOM_EXPECTATIONS: tuple[type, ...] = (
    ExpectColumnValuesToBeValidPersonalId,
    ExpectIdConsistentWithSexAndBirthYear,
    ExpectColumnValuesToBeWellFormedVietnameseName,
    ExpectDoseDatesInOrder,
)
