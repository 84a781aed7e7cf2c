"""Certificate payloads checked against the DCC 1.3.0 schema (``data/dcc_vaccination_1.3.0.schema.json``).

Two checks: :func:`column_problems`, every payload column-wise on the fields the text is made from
(required fields, patterns, lengths, value sets, ranges, dates, NFC — rules read from the schema
itself; each distinct value checked once), and :func:`schema_problems`, ``jsonschema`` on every
payload of a small batch or on a sample of a large one.
"""

from __future__ import annotations

import functools
import json

import jsonschema
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.passport.arrow_text import arrow_text, as_series, encode
from vaxutils.passport.icao import is_nfc
from vaxutils.passport.products import DCC_VERSION, schema

# jsonschema on every payload up to this many; past it the first of each product × dn × sd and a
# random sample of SCHEMA_SAMPLE (the column checks see them all; jsonschema costs ~0.3 ms each)
FULL_SCHEMA_CHECK = 5_000
SCHEMA_SAMPLE = 2_000
_NO_PROBLEMS = {"row": [], "field": [], "problem": []}


def _resolve(node: dict) -> dict:
    ref = node.get("$ref")
    if ref is None:
        return node
    target = schema()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _text_rule_masks(text: pd.Series, rule: dict) -> list[tuple[np.ndarray, str]]:
    """Per text rule of the schema node, which of the (distinct, present) ``text`` break it."""
    bad = []
    arrow = arrow_text(text)
    length = pc.utf8_length(arrow).to_numpy(zero_copy_only=False)
    if "pattern" in rule:
        ok = pc.fill_null(pc.match_substring_regex(arrow, rule["pattern"]), False)
        bad.append((~ok.to_numpy(zero_copy_only=False), f"không khớp mẫu {rule['pattern']}"))
    if "maxLength" in rule:
        bad.append((length > rule["maxLength"], f"dài quá {rule['maxLength']} ký tự"))
    if "minLength" in rule:
        bad.append((length < rule["minLength"], f"ngắn hơn {rule['minLength']} ký tự"))
    allowed = rule.get("enum", [rule["const"]] if "const" in rule else None)
    if allowed is not None:
        bad.append((~text.isin(allowed).to_numpy(bool), "không thuộc bộ giá trị DCC"))
    if rule.get("format") == "date":
        day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad.append((day.isna().to_numpy(bool), "không phải ngày hợp lệ"))
    bad.append((~is_nfc(text).to_numpy(bool), "không ở dạng Unicode NFC"))
    return bad


def _mostly_distinct(text: pa.Array, probe: int = 10_000) -> bool:
    """Whether most values of a long column differ (judged on its first ``probe`` values)."""
    if len(text) <= 2 * probe:
        return False
    return pc.count_distinct(text.slice(0, probe)).as_py() > probe // 2


def _distinct(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a text column and each row's code (-1: missing); a column of one
    value (the version, country, issuer, target) by one comparison instead of a hash pass."""
    if len(text) and text.null_count == 0:
        first = text[0]
        if pc.all(pc.equal(text, first)).as_py():
            return text.slice(0, 1), np.zeros(len(text), dtype=np.int64)
    return encode(text)


def _rule_problems(values: pd.Series, rule: dict, path: str) -> pd.DataFrame:
    """Rows of ``values`` (NA = absent) that break one field's schema rules, with a message."""
    rule = _resolve(rule)
    bad = []
    if rule.get("type") == "integer":
        present = values.notna()
        number = pd.to_numeric(values, errors="coerce")
        whole = number.notna() & (number % 1 == 0)
        bad.append((present & ~whole, "không phải số nguyên"))
        if "minimum" in rule:
            bad.append((whole & (number < rule["minimum"]), f"nhỏ hơn {rule['minimum']}"))
        if "maximum" in rule:
            bad.append((whole & (number > rule["maximum"]), f"lớn hơn {rule['maximum']}"))
        bad = [(mask.fillna(False).to_numpy(bool), why) for mask, why in bad]
    elif _mostly_distinct(arrow_text(values)):
        # certificate ids: one per row, so encoding them first would only add a hash pass
        present = values.notna().to_numpy(bool)
        bad = [(mask & present, why) for mask, why in _text_rule_masks(values, rule)]
    else:
        # each distinct text checked once, the answer spread back to its rows
        distinct, at = _distinct(arrow_text(values))
        missing = at < 0
        for mask, why in _text_rule_masks(as_series(distinct), rule):
            bad.append((np.append(mask, False)[np.where(missing, len(mask), at)], why))
    parts = [
        pd.DataFrame({"row": np.flatnonzero(mask), "field": path, "problem": why})
        for mask, why in bad
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _fields(payloads: pd.DataFrame) -> dict[str, tuple[pd.Series, dict, bool]]:
    """The payload's fields as columns: schema path → (values, schema node, required)."""
    top = schema()
    name = _resolve(top["properties"]["nam"])
    entry = _resolve(top["$defs"]["vaccination_entry"])

    def column(key: str) -> pd.Series:
        if key in payloads.columns:
            return payloads[key]
        return pd.Series(pd.NA, index=payloads.index, dtype="string")

    cols = {
        f"nam.{k}": (column(k), node, k in name["required"])
        for k, node in name["properties"].items()
    }
    cols["dob"] = (column("dob"), top["properties"]["dob"], True)
    version = as_series(pa.repeat(pa.scalar(DCC_VERSION, pa.large_string()), len(payloads)))
    cols["ver"] = (version.set_axis(payloads.index), top["properties"]["ver"], True)
    for key, node in entry["properties"].items():
        cols[f"v.0.{key}"] = (column(key), node, key in entry["required"])
    return cols


def column_problems(payloads: pd.DataFrame) -> pd.DataFrame:
    """Every payload checked column-wise against the schema's rules (required fields, patterns,
    lengths, value sets, ranges, dates, NFC), on the fields the JSON text is made from
    (:func:`certificate_payloads`' ``FIELD_COLUMNS``): row (position), field, problem."""
    if len(payloads) == 0:
        return pd.DataFrame(_NO_PROBLEMS)
    parts = []
    for path, (values, rule, required) in _fields(payloads.reset_index(drop=True)).items():
        if required:
            missing = np.flatnonzero(values.isna().to_numpy())
            parts.append(pd.DataFrame({"row": missing, "field": path, "problem": "thiếu"}))
        parts.append(_rule_problems(values, rule, path))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(_NO_PROBLEMS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["row", "field"], kind="stable").reset_index(drop=True)


@functools.cache
def validator():
    """A ``jsonschema`` validator of the payload schema, with format checks."""
    cls = jsonschema.validators.validator_for(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def _first_of_each_shape(payloads: pd.DataFrame) -> np.ndarray:
    """Rows that are the first of their product × dn × sd."""
    if not {"mp", "dn", "sd"} <= set(payloads.columns):
        return np.arange(0)
    product = pc.dictionary_encode(arrow_text(payloads["mp"])).indices
    shape = pd.DataFrame(
        {"mp": pc.fill_null(product, -1).to_numpy(zero_copy_only=False),
         "dn": pd.to_numeric(payloads["dn"], errors="coerce").fillna(-1).to_numpy(),
         "sd": pd.to_numeric(payloads["sd"], errors="coerce").fillna(-1).to_numpy()}
    )  # fmt: skip
    return np.flatnonzero(~shape.duplicated().to_numpy())


def schema_problems(
    payloads: pd.DataFrame, sample: int | None = None, seed: int = 0
) -> pd.DataFrame:
    """Payloads validated with ``jsonschema`` against the schema: row, field, problem.

    All of them up to ``FULL_SCHEMA_CHECK``, else the first payload of each product × dn × sd and
    a random ``sample`` (default ``SCHEMA_SAMPLE``) — the column checks cover every row.
    """
    n = len(payloads)
    rows = np.arange(n)
    if n > FULL_SCHEMA_CHECK:
        rng = np.random.default_rng(seed)
        size = min(n, SCHEMA_SAMPLE if sample is None else sample)
        picked = rng.choice(n, size=size, replace=False)
        rows = np.unique(np.concatenate([_first_of_each_shape(payloads), picked]))
    texts = arrow_text(payloads["payload"]).take(pa.array(rows, pa.int64())).to_pylist()
    check = validator()
    found = []
    for row, text in zip(rows, texts, strict=True):  # jsonschema checks one document at a time
        for error in check.iter_errors(json.loads(text)):
            path = ".".join(str(p) for p in error.absolute_path) or "(payload)"
            found.append((int(row), path, error.message))
    return pd.DataFrame(found, columns=["row", "field", "problem"])
