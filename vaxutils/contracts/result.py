"""What a contract check found, in words a health worker reads (compute, then present).

:class:`ContractResult` is built from a Great Expectations validation result but holds plain
Python values; the GX object rides along only for :func:`vaxutils.contracts.build_data_docs`.
Examples of failing values are masked (``004*******45``): summaries end up in shared reports.

>>> r = ContractResult(suite="records", success=False, n_rows=8000, n_expectations=12, failures=[
...     ContractFailure("expect_column_values_to_be_unique", "record_id",
...                     "Mã đối tượng không được trùng.", 2, 0.025, ("R00012: R00012",))])
>>> print(r.summary_vi())
Bộ kiểm tra «records»: KHÔNG ĐẠT — 1/12 điều kiện không đạt, 8.000 dòng.
  ✗ [record_id] Mã đối tượng không được trùng. — 2 giá trị (0,025%); ví dụ: R00012: R00012
>>> list(r.to_frame().columns)[:4]
['suite', 'expectation', 'column', 'description']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from vaxutils.masking import mask_text

#: How many failing values a failure quotes.
N_EXAMPLES = 3
#: How many characters of a failing value a failure quotes.
DISPLAY_LENGTH = 60

FAILURE_COLUMN_LABELS_VI: dict[str, str] = {
    "suite": "Bộ kiểm tra",
    "expectation": "Điều kiện (GX)",
    "column": "Cột",
    "description": "Mô tả",
    "unexpected_count": "Số giá trị không đạt",
    "unexpected_percent": "Tỉ lệ không đạt (%)",
    "examples": "Ví dụ (đã che số)",
}

_MISSING_COLUMN = re.compile(r'The column "([^"]+)" in BatchData does not exist')


class ContractFailure(NamedTuple):
    """One expectation that did not hold."""

    expectation: str
    column: str | None
    description: str
    unexpected_count: int | None
    unexpected_percent: float | None
    examples: tuple[str, ...]


@dataclass
class ContractResult:
    """The outcome of validating one frame against one suite."""

    suite: str
    success: bool
    n_rows: int
    n_expectations: int
    failures: list[ContractFailure] = field(default_factory=list)
    context: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    gx_result: Any = field(default=None, repr=False, compare=False)

    def summary_vi(self) -> str:
        """Compact plain-text summary in Vietnamese, one line per failure."""
        where = f" ({self.context})" if self.context else ""
        if self.success:
            return (
                f"Bộ kiểm tra «{self.suite}»{where}: ĐẠT — {self.n_expectations}/"
                f"{self.n_expectations} điều kiện, {format_int_vi(self.n_rows)} dòng."
            )
        lines = [
            f"Bộ kiểm tra «{self.suite}»{where}: KHÔNG ĐẠT — {len(self.failures)}/"
            f"{self.n_expectations} điều kiện không đạt, {format_int_vi(self.n_rows)} dòng."
        ]
        lines += [f"  ✗ {_failure_line(f)}" for f in self.failures]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per failure (empty with the same columns when the suite passed)."""
        rows = [
            {**f._asdict(), "suite": self.suite, "examples": "; ".join(f.examples)}
            for f in self.failures
        ]
        return pd.DataFrame(rows, columns=list(FAILURE_COLUMN_LABELS_VI))

    def __str__(self) -> str:
        return self.summary_vi()


def _failure_line(failure: ContractFailure) -> str:
    text = f"[{failure.column}] {failure.description}" if failure.column else failure.description
    if failure.unexpected_count:
        text += f" — {format_int_vi(failure.unexpected_count)} giá trị"
        if failure.unexpected_percent is not None:
            text += f" ({format_percent_vi(failure.unexpected_percent)})"
    if failure.examples:
        text += ("; ví dụ: " if failure.unexpected_count else " — ") + ", ".join(failure.examples)
    return text


def format_int_vi(n: int) -> str:
    """``8000`` → ``'8.000'`` (Vietnamese thousands separator).

    >>> format_int_vi(1234567)
    '1.234.567'
    """
    return f"{int(n):,}".replace(",", ".")


def format_percent_vi(percent: float) -> str:
    """``12.5`` → ``'12,5%'``; small shares keep three significant digits.

    >>> format_percent_vi(0.0125), format_percent_vi(33.333)
    ('0,0125%', '33,3%')
    """
    text = f"{percent:.3g}" if percent < 100 else f"{percent:.0f}"
    return text.replace(".", ",") + "%"


def mask_value(value: Any) -> str:
    """Show a value for a report: at most 60 characters, digit runs of 7+ (ID, phone) masked.

    The masking is :func:`vaxutils.masking.mask_text`; this only adds the display rules.

    >>> mask_value("004095012345"), mask_value("Nguyễn Văn Nam"), mask_value(None)
    ('004*******45', 'Nguyễn Văn Nam', '(trống)')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "(trống)"
    if value is pd.NA:
        return "(trống)"
    return mask_text(str(value))[:DISPLAY_LENGTH]


def from_gx(gx_result, suite: str, n_rows: int, id_column: str | None, **extra) -> ContractResult:
    """Turn a GX ``ExpectationSuiteValidationResult`` into a :class:`ContractResult`."""
    failures = [_failure(r, id_column) for r in gx_result.results if not r.success]
    return ContractResult(
        suite=suite,
        success=bool(gx_result.success),
        n_rows=n_rows,
        n_expectations=len(gx_result.results),
        failures=failures,
        gx_result=gx_result,
        **extra,
    )


def _failure(result, id_column: str | None) -> ContractFailure:
    config = result.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or ", ".join(
        str(c) for c in (kwargs.get("column_list") or _pair(kwargs))
    )
    description = config.description or config.type
    details = result.result or {}
    error = _exception_message(result.exception_info)
    if error is not None:
        missing = _MISSING_COLUMN.search(error)
        reason = f"thiếu cột «{missing[1]}»" if missing else error[:200]
        return ContractFailure(
            config.type,
            column or None,
            description,
            None,
            None,
            (f"không kiểm tra được: {reason}",),
        )
    count = details.get("unexpected_count")
    percent = details.get("unexpected_percent")
    return ContractFailure(
        expectation=config.type,
        column=column or None,
        description=description,
        unexpected_count=None if count is None else int(count),
        unexpected_percent=None if percent is None else float(percent),
        examples=_examples(details, id_column),
    )


def _pair(kwargs: dict) -> list:
    return [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]


def _exception_message(info) -> str | None:
    if not info:
        return None
    entries = info.values() if "raised_exception" not in info else [info]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "lỗi không rõ")
    return None


def _examples(details: dict, id_column: str | None) -> tuple[str, ...]:
    indexed = details.get("partial_unexpected_index_list") or []
    if indexed and isinstance(indexed[0], dict):
        out = []
        for row in indexed[:N_EXAMPLES]:
            ident = row.get(id_column) if id_column else None
            values = [mask_value(v) for k, v in row.items() if k != id_column]
            shown = ", ".join(values) if values else mask_value(ident)
            out.append(f"{mask_value(ident)}: {shown}" if ident is not None else shown)
        return tuple(out)
    if details.get("partial_unexpected_list"):
        return tuple(mask_value(v) for v in details["partial_unexpected_list"][:N_EXAMPLES])
    if "observed_value" in details:
        return (f"giá trị quan sát: {mask_value(details['observed_value'])}",)
    mismatched = (details.get("details") or {}).get("mismatched") or {}
    if mismatched.get("missing"):
        return ("thiếu cột: " + ", ".join(map(str, mismatched["missing"])),)
    return ()
