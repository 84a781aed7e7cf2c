"""Vaccine-passport certificate payloads (EU DCC 1.3, which Vietnam's QR certificates follow).

For every dose the worklist calls ready to sign, one payload (DESIGN §2.5; Decision 5772/QĐ-BYT)::

    {"ver": "1.3.0",
     "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn Nam", "gnt": "VAN<NAM"},
     "dob": "1980-05-12",                     # "1980" when only the year is known
     "v": [{"tg": "840539006", "vp": "J07BX03", "mp": "EU/1/21/1529", "ma": "ORG-100001699",
            "dn": 2, "sd": 2, "dt": "2021-08-30", "co": "VN", "is": "Bộ Y tế Việt Nam",
            "ci": "URN:UVCI:01:VN:…#K"}]}

- ``vp``/``mp``/``ma`` come from the EU DCC value sets for the eight passport products
  (``data/dcc_products.json``, with its sources);
- ``dn``/``sd`` are counted over the person's *merged* dose history: the records screening found
  to be one person (``duplicate_person``) are one history, a dose recorded twice on one day counts
  once. ``sd`` is the product's primary series (1 Janssen, 3 Abdala, else 2); a booster after a
  multi-dose series is written ``dn``/``dn`` (3/3, 4/4) and after a one-dose series ``dn``/1, as the
  EU guidance on boosters asks (dn ≥ sd marks a completed series);
- ``ci`` is a UVCI, ``URN:UVCI:01:VN:<13>/<13>#<c>``: 128 bits of a keyed hash of the dose
  (record, dose number, date, product) in base 36 and a Luhn mod 36 check character — the same
  dose gives the same id on every run, and different doses different ids;
- strings are NFC; names are split "Family | Middle Given" and transliterated (:mod:`.icao`).

Payloads are built column by column and serialised by string concatenation of escaped columns (no
per-row ``json.dumps``). They are checked against ``data/dcc_vaccination_1.3.0.schema.json``, which
encodes the published DCC schema's constraints: column-wise for all of them
(:func:`column_problems`, rules read from the schema itself) and with ``jsonschema`` for every
payload of a small batch or a sample of a large one (:func:`schema_problems`).

>>> luhn36("0A1B")
'T'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io import write_atomic
from vaxutils.io.cells import text_column
from vaxutils.passport.icao import is_nfc, transliterate_series
from vaxutils.passport.worklist import READY
from vaxutils.refdata import vaccines

DCC_VERSION = "1.3.0"
TARGET_COVID19 = "840539006"  # SNOMED CT: COVID-19 (DCC value set disease-agent-targeted)
COUNTRY = "VN"
ISSUER = "Bộ Y tế Việt Nam"  # Ministry of Health: it signs centrally (Decision 5772/QĐ-BYT)
PAYLOAD_COLUMNS = (
    "facility",
    "work_date",
    "record_id",
    "dose_number",
    "ci",
    "dn",
    "sd",
    "payload",
)
# jsonschema on every payload up to this many; past it the first of each product × dn × sd and a
# random sample of SCHEMA_SAMPLE (the column checks see them all; jsonschema costs ~0.3 ms each)
FULL_SCHEMA_CHECK = 5_000
SCHEMA_SAMPLE = 2_000
_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_HASH_KEYS = ("vaxutils-uvci-01", "vaxutils-uvci-02")  # 16 bytes each, fixed: ids must not change


@functools.cache
def products() -> pd.DataFrame:
    """The DCC codes (mp, ma, vp) of the eight passport products, indexed by canonical product."""
    text = (
        resources.files("vaxutils.passport").joinpath("data/dcc_products.json").read_text("utf-8")
    )
    table = pd.DataFrame.from_dict(json.loads(text)["products"], orient="index")
    primary = vaccines().set_index("product")["primary_doses"]
    table["primary_doses"] = primary.reindex(table.index).astype("Int64")
    return table


@functools.cache
def schema() -> dict:
    """The JSON schema a payload must meet (package data)."""
    path = "data/dcc_vaccination_1.3.0.schema.json"
    return json.loads(resources.files("vaxutils.passport").joinpath(path).read_text("utf-8"))


# --- certificate identifiers --------------------------------------------------------------


def _base36(values: np.ndarray, width: int = 13) -> np.ndarray:
    """uint64 → fixed-width base-36 digit codes (n, width) uint8, most significant first."""
    digits = np.empty((len(values), width), dtype=np.uint8)
    rest = values.astype(np.uint64)
    for i in range(width - 1, -1, -1):
        digits[:, i] = (rest % np.uint64(36)).astype(np.uint8)
        rest = rest // np.uint64(36)
    return digits


def _luhn36(digits: np.ndarray) -> np.ndarray:
    """Luhn mod 36 check digit of each row of base-36 digit codes (ISO/IEC 7064 style, as the
    UVCI guidelines ask): from the right, every other digit doubled, digit sums in base 36."""
    n = 36
    factor = np.where(np.arange(digits.shape[1])[::-1] % 2 == 0, 2, 1)
    addend = digits.astype(np.int64) * factor
    total = (addend // n + addend % n).sum(axis=1)
    return ((n - total % n) % n).astype(np.uint8)


def luhn36(text: str) -> str:
    """The Luhn mod 36 check character of a text of 0-9A-Z (scalar twin of the vectorised one)."""
    codes = np.array([[int(c, 36) for c in text.upper()]], dtype=np.uint8)
    return chr(_ALPHABET[_luhn36(codes)[0]])


def certificate_ids(doses: pd.DataFrame) -> pd.Series:
    """A UVCI per dose, deterministic from record_id, dose_number, dose_date and product.

    >>> d = pd.DataFrame({"record_id": ["A", "A"], "dose_number": [1, 2],
    ...                   "dose_date": pd.to_datetime(["2021-08-02", "2021-08-30"]),
    ...                   "product": ["AstraZeneca", "AstraZeneca"]})
    >>> ids = certificate_ids(d)
    >>> bool(ids.str.match(r"^URN:UVCI:01:VN:[0-9A-Z]{13}/[0-9A-Z]{13}#[0-9A-Z]$").all()), ids.is_unique
    (True, True)
    >>> ids.tolist() == certificate_ids(d.iloc[::-1]).iloc[::-1].tolist()
    True
    """
    if len(doses) == 0:
        return pd.Series([], index=doses.index, dtype="string")
    # the record id is hashed once per distinct id (keyed, stable across runs and machines); the
    # other parts are numbers mixed in, then each 64-bit half goes through the splitmix64 finaliser
    rid = text_column(doses, "record_id").fillna("").to_numpy(dtype=object)
    number = pd.to_numeric(doses["dose_number"], errors="coerce").fillna(0).to_numpy(np.uint64)
    days = pd.to_datetime(doses["dose_date"], errors="coerce").to_numpy("datetime64[D]")
    day = np.where(np.isnat(days), 0, days.astype(np.int64) + 100_000).astype(np.uint64)
    names = sorted(products().index)  # a fixed order: the ids must not depend on the data
    product = text_column(doses, "product")
    pcode = (pd.Index(names).get_indexer(product.fillna("")) + 2).astype(np.uint64)
    mixed = (number << np.uint64(40)) ^ (day << np.uint64(8)) ^ pcode
    halves = []
    for key in _HASH_KEYS:
        h = pd.util.hash_array(rid, hash_key=key, categorize=True)
        halves.append(_splitmix64(h ^ _splitmix64(mixed + np.uint64(len(halves) + 1))))
    digits = np.concatenate([_base36(h) for h in halves], axis=1)
    check = _luhn36(digits)
    chars = _ALPHABET[np.concatenate([digits, check[:, None]], axis=1)]
    prefix = np.frombuffer(f"URN:UVCI:01:{COUNTRY}:".encode(), dtype=np.uint8)
    slash, hash_ = np.frombuffer(b"/", dtype=np.uint8), np.frombuffer(b"#", dtype=np.uint8)
    n = len(chars)
    full = np.concatenate(
        [np.tile(prefix, (n, 1)), chars[:, :13], np.tile(slash, (n, 1)), chars[:, 13:26],
         np.tile(hash_, (n, 1)), chars[:, 26:]],
        axis=1,
    )  # fmt: skip
    text = full.view(f"S{full.shape[1]}").ravel().astype(str)
    return pd.Series(text, index=doses.index, dtype="string")


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele et al. 2014): a bijective mix of 64-bit integers."""
    with np.errstate(over="ignore"):
        x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


# --- the merged dose history ------------------------------------------------------------------


def person_groups(record_ids: pd.Series, findings: pd.DataFrame | None) -> pd.Series:
    """Per record id, the id that stands for its person: the smallest record id of its duplicate
    group (``duplicate_person`` findings name the others in ``related``), else itself."""
    ids = record_ids.astype("string")
    if findings is None or findings.empty or "related" not in findings.columns:
        return ids
    dup = findings.loc[findings["code"].eq("duplicate_person"), ["record_id", "related"]]
    if dup.empty:
        return ids
    pairs = dup.assign(other=dup["related"].astype("string").str.split(",")).explode("other")
    pairs["other"] = pairs["other"].str.strip()
    members = pd.concat(
        [pairs[["record_id", "other"]], pairs[["record_id"]].assign(other=pairs["record_id"])]
    )
    smallest = members.astype({"other": "string"}).groupby("record_id")["other"].min()
    return ids.map(smallest).fillna(ids).astype("string")


def _merged_positions(doses: pd.DataFrame, group: pd.Series, work_date) -> pd.DataFrame:
    """For the doses of records merged with others (``group`` differs from the record id): the
    position ``dn`` in the person's dated history up to the work day (a day counts once) and the
    primary series ``primary`` of the person's first dated known product. Other rows: NA."""
    out = pd.DataFrame({"dn": pd.NA, "primary": pd.NA}, index=doses.index, dtype="Int64")
    rid = text_column(doses, "record_id")
    merged_ids = pd.Index(group[group.to_numpy() != rid.to_numpy()].unique())
    members = group.isin(merged_ids).to_numpy()
    if not members.any():
        return out
    day = pd.to_datetime(doses["dose_date"], errors="coerce")
    frame = pd.DataFrame(
        {"group": group[members].to_numpy(), "day": day[members].to_numpy(),
         "product": text_column(doses, "product")[members].to_numpy()},
        index=doses.index[members],
    )  # fmt: skip
    dated = frame[frame["day"].notna() & (frame["day"] <= pd.Timestamp(work_date))]
    days = dated.drop_duplicates(["group", "day"]).sort_values(["group", "day"])
    days["dn"] = days.groupby("group").cumcount() + 1
    primary = products()["primary_doses"]
    known = days[days["product"].isin(primary.index)]
    first = known.drop_duplicates("group").set_index("group")["product"].map(primary)
    dn = frame[["group", "day"]].merge(
        days[["group", "day", "dn"]], on=["group", "day"], how="left"
    )
    out.loc[frame.index, "dn"] = dn["dn"].to_numpy()
    out.loc[frame.index, "primary"] = frame["group"].map(first).to_numpy()
    return out.astype("Int64")


def _primary_by_record(doses: pd.DataFrame) -> pd.Series:
    """Per record id: the primary series of its first known product (by dose number)."""
    primary = products()["primary_doses"]
    d = pd.DataFrame({"record_id": text_column(doses, "record_id"),
                      "n": pd.to_numeric(doses["dose_number"], errors="coerce"),
                      "product": text_column(doses, "product")})  # fmt: skip
    d = d[d["product"].isin(primary.index)].sort_values(["record_id", "n"], kind="stable")
    first = d.drop_duplicates("record_id").set_index("record_id")["product"]
    return first.map(primary).astype("Int64")


# --- building and serialising ---------------------------------------------------------------

# The payload's fields as columns (one row per certificate); the JSON text is made from them.
FIELD_COLUMNS = ("fn", "fnt", "gn", "gnt", "dob", "tg", "vp", "mp", "ma", "dn", "sd", "dt",
                 "co", "is", "ci")  # fmt: skip


def _arrow_text(s) -> pa.Array:
    """A text column as an Arrow large_string array (zero-copy for Arrow-backed pandas text)."""
    if isinstance(s, pa.ChunkedArray):
        s = s.combine_chunks()
    if not isinstance(s, pa.Array):
        series = pd.Series(s)
        if not isinstance(series.dtype, pd.StringDtype):
            series = series.astype("string")
        s = pa.array(series)
        if isinstance(s, pa.ChunkedArray):
            s = s.combine_chunks()
    return s.cast(pa.large_string())


def _series(text: pa.Array, index) -> pd.Series:
    """An Arrow text array as a pandas string Series without a round trip through Python objects."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return pd.Series(pd.arrays.ArrowStringArray(text.cast(pa.large_string())), index=index)


def _join(*parts) -> pa.Array:
    """Element-wise concatenation of Arrow text arrays and literal strings."""
    parts = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))


def _json_escape(text: pa.Array) -> pa.Array:
    """Text as the inside of a JSON string literal: backslash, quote and control characters escaped
    (\\uXXXX for the rare controls a cleaned name may still hold)."""
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    if pc.any(pc.match_substring_regex(text, "[\\x00-\\x1f]")).as_py():
        for code in range(32):
            text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return text


def _names(full_name: pd.Series) -> pd.DataFrame:
    """fn, fnt, gn, gnt per distinct name (Arrow kernels), spread back to every row."""
    codes, uniques = pd.factorize(full_name)
    text = _arrow_text(pd.Series(uniques, dtype="string"))
    text = pc.utf8_normalize(text, "NFC")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    parts = pc.extract_regex(text, r"^(?P<fn>[^ ]+)(?: (?P<gn>.+))?$")
    fn = pc.struct_field(parts, "fn")
    gn = pc.struct_field(parts, "gn")
    gn = pc.if_else(pc.equal(gn, ""), pa.scalar(None, pa.large_string()), gn)
    table = pd.DataFrame({"fn": fn.to_pandas(), "gn": gn.to_pandas()}, dtype="string")
    table["fnt"] = transliterate_series(table["fn"]).to_numpy()
    table["gnt"] = transliterate_series(table["gn"]).to_numpy()
    table.loc[table["gn"].isna(), "gnt"] = pd.NA
    table = pd.concat(
        [table, pd.DataFrame([[pd.NA] * 4], columns=table.columns)], ignore_index=True
    )
    return table.take(np.where(codes < 0, len(uniques), codes)).reset_index(drop=True)


def _dob_text(records: pd.DataFrame) -> pd.Series:
    """dob at its precision: "1980-05-12", "1980-05", "1980"; unknown: "" (DCC 1.3 allows it)."""
    if "dob" not in records:
        return pd.Series("", index=records.index, dtype="string")
    days = pd.to_datetime(records["dob"], errors="coerce").to_numpy("datetime64[D]")
    text = pd.Series(np.datetime_as_string(days, unit="D"), index=records.index, dtype="string")
    text = text.mask(np.isnat(days), "")
    precision = text_column(records, "dob_precision").fillna("day")
    text = text.mask(precision.eq("month").to_numpy(), text.str.slice(0, 7))
    text = text.mask(precision.eq("year").to_numpy(), text.str.slice(0, 4))
    return text.fillna("")


def payload_text(fields: pd.DataFrame) -> pd.Series:
    """The JSON text of each certificate from its fields (``FIELD_COLUMNS``), by Arrow string
    concatenation: no per-row ``json.dumps``. Absent given names leave ``gn``/``gnt`` out."""
    if len(fields) == 0:
        return pd.Series([], index=fields.index, dtype="string")

    def esc(column: str) -> pa.Array:
        # escaped once per distinct value (codes, names repeat), then spread back
        coded = pc.dictionary_encode(_arrow_text(fields[column]))
        return pc.take(_json_escape(coded.dictionary), coded.indices)

    def num(column: str) -> pa.Array:
        values = pa.array(pd.to_numeric(fields[column], errors="coerce").astype("Int64"))
        return pc.fill_null(pc.cast(values, pa.large_string()), "null")

    given = _join(',"gn":"', esc("gn"), '","gnt":"', esc("gnt"), '"')
    given = pc.fill_null(given, "")
    parts = [
        '{"ver":"', DCC_VERSION, '","nam":{"fn":"', pc.fill_null(esc("fn"), ""), '","fnt":"',
        pc.fill_null(esc("fnt"), ""), '"', given, '},"dob":"', pc.fill_null(esc("dob"), ""),
        '","v":[{"tg":"', esc("tg"), '","vp":"', esc("vp"), '","mp":"', esc("mp"),
        '","ma":"', esc("ma"), '","dn":', num("dn"), ',"sd":', num("sd"), ',"dt":"', esc("dt"),
        '","co":"', esc("co"), '","is":"', esc("is"), '","ci":"', esc("ci"), '"}]}',
    ]  # fmt: skip
    parts = [pc.fill_null(p, "") if isinstance(p, pa.Array) else p for p in parts]
    return _series(_join(*parts), fields.index)


def certificate_payloads(
    worklist: pd.DataFrame,
    doses: pd.DataFrame,
    records: pd.DataFrame,
    findings: pd.DataFrame | None = None,
    *,
    issuer: str = ISSUER,
) -> pd.DataFrame:
    """One DCC payload per ready dose of ``worklist`` (:func:`vaxutils.passport.passport_worklist`).

    ``doses``/``records``/``findings`` are screening's: the doses give the merged history (with the
    ``duplicate_person`` findings), the records the name and birth date. Returns the columns
    ``PAYLOAD_COLUMNS`` (``payload`` is the JSON text, UTF-8, no spaces) and the payload's fields
    ``FIELD_COLUMNS`` the text is made from (:func:`column_problems` checks those).
    """
    ready = worklist[worklist["status"].eq(READY)].reset_index(drop=True)
    if ready.empty:
        empty = {c: pd.Series(dtype="object") for c in (*PAYLOAD_COLUMNS, *FIELD_COLUMNS)}
        return pd.DataFrame(empty)
    codes = products()
    d = doses.reset_index(drop=True)
    # dose numbers: as typed, except for a person whose records are merged (then over the history)
    group = person_groups(text_column(d, "record_id"), findings)
    history = _merged_positions(d, group, ready["work_date"].max())
    # matched on record and date: the worklist may already number a merged person's doses anew
    history["record_id"] = text_column(d, "record_id").to_numpy()
    history["dose_date"] = pd.to_datetime(d["dose_date"], errors="coerce").to_numpy()
    history = history[history["dn"].notna()].drop_duplicates(["record_id", "dose_date"])
    rid = ready["record_id"].astype("string")
    number = pd.to_numeric(ready["dose_number"], errors="coerce").astype("Int64")
    when = pd.to_datetime(ready["dose_date"], errors="coerce")
    at = pd.DataFrame({"record_id": rid, "dose_date": when}).merge(
        history[["record_id", "dose_date", "dn", "primary"]],
        on=["record_id", "dose_date"],
        how="left",
    )
    dn = at["dn"].fillna(number).astype("Int64")
    own_primary = rid.map(_primary_by_record(d)).astype("Int64")
    primary = at["primary"].fillna(own_primary).fillna(ready["product"].map(codes["primary_doses"]))
    primary = primary.astype("Int64")
    booster = (dn > primary).fillna(False)
    sd = primary.where(~booster, dn.where(primary > 1, 1)).astype("Int64")

    # the person: one lookup per dose into the records (positions, not a reindex of the frame)
    person = records.drop_duplicates("record_id")
    at_person = pd.Index(person["record_id"].astype("string")).get_indexer(rid)
    take = np.where(at_person < 0, 0, at_person)
    full_name = text_column(person, "full_name").to_numpy(dtype=object, na_value=None)[take]
    full_name = pd.Series(full_name, dtype="string").mask(at_person < 0)
    names = _names(full_name)
    dob = _dob_text(person.reset_index(drop=True)).to_numpy(dtype=object)[take]
    product = ready["product"].astype("string")
    days = pd.to_datetime(ready["dose_date"], errors="coerce").to_numpy("datetime64[D]")
    fields = pd.DataFrame(
        {
            # no name (a record signed at an exempt site): fn/fnt written empty, as fnt must be there
            "fn": names["fn"].fillna(""), "fnt": names["fnt"].fillna(""),
            "gn": names["gn"], "gnt": names["gnt"],
            "dob": pd.Series(dob, dtype="string").mask(at_person < 0, ""),
            "tg": TARGET_COVID19,
            "vp": product.map(codes["vp"]), "mp": product.map(codes["mp"]),
            "ma": product.map(codes["ma"]),
            "dn": dn, "sd": sd,
            "dt": pd.Series(np.datetime_as_string(days, unit="D"), dtype="string").mask(np.isnat(days)),
            "co": COUNTRY, "is": issuer,
            "ci": certificate_ids(ready).to_numpy(),
        }
    )  # fmt: skip
    head = pd.DataFrame(
        {
            "facility": ready["facility"],
            "work_date": ready["work_date"],
            "record_id": ready["record_id"],
            "dose_number": ready["dose_number"],
            "ci": fields["ci"],
            "dn": dn,
            "sd": sd,
            "payload": payload_text(fields),
        }
    )
    return pd.concat([head, fields.drop(columns=["ci", "dn", "sd"])], axis=1)


# --- checking against the schema ------------------------------------------------------------


def _resolve(node: dict) -> dict:
    ref = node.get("$ref")
    if ref is None:
        return node
    target = schema()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _rule_problems(values: pd.Series, rule: dict, path: str) -> pd.DataFrame:
    """Rows of ``values`` (NA = absent) that break one field's schema rules, with a message."""
    rule = _resolve(rule)
    bad = []
    present = values.notna()
    if rule.get("type") == "integer":
        number = pd.to_numeric(values, errors="coerce")
        whole = number.notna() & (number % 1 == 0)
        bad.append((present & ~whole, "không phải số nguyên"))
        if "minimum" in rule:
            bad.append((whole & (number < rule["minimum"]), f"nhỏ hơn {rule['minimum']}"))
        if "maximum" in rule:
            bad.append((whole & (number > rule["maximum"]), f"lớn hơn {rule['maximum']}"))
    else:
        text = values.astype("string")
        arrow = pa.array(text, type=pa.large_string())
        length = pd.Series(pc.utf8_length(arrow).to_pandas(), index=values.index)
        if "pattern" in rule:
            ok = pc.match_substring_regex(arrow, rule["pattern"]).to_pandas()
            bad.append((present & ~pd.Series(ok, index=values.index).fillna(False).astype(bool),
                        f"không khớp mẫu {rule['pattern']}"))  # fmt: skip
        if "maxLength" in rule:
            bad.append((length > rule["maxLength"], f"dài quá {rule['maxLength']} ký tự"))
        if "minLength" in rule:
            bad.append((length < rule["minLength"], f"ngắn hơn {rule['minLength']} ký tự"))
        allowed = rule.get("enum", [rule["const"]] if "const" in rule else None)
        if allowed is not None:
            bad.append((present & ~text.isin(allowed), "không thuộc bộ giá trị DCC"))
        if rule.get("format") == "date":
            day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            bad.append((present & day.isna(), "không phải ngày hợp lệ"))
        bad.append((present & ~is_nfc(text), "không ở dạng Unicode NFC"))
    parts = [
        pd.DataFrame({"row": np.flatnonzero(mask.fillna(False).to_numpy(bool)), "field": path,
                      "problem": why})
        for mask, why in bad
    ]  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _fields(payloads: pd.DataFrame) -> dict[str, tuple[pd.Series, dict, bool]]:
    """The payload's fields as columns: schema path → (values, schema node, required)."""
    top = schema()
    name = _resolve(top["properties"]["nam"])
    entry = _resolve(top["$defs"]["vaccination_entry"])
    n = len(payloads)

    def column(key: str) -> pd.Series:
        if key in payloads.columns:
            return payloads[key]
        return pd.Series(pd.NA, index=payloads.index, dtype="string")

    cols = {
        f"nam.{k}": (column(k), node, k in name["required"])
        for k, node in name["properties"].items()
    }
    cols["dob"] = (column("dob"), top["properties"]["dob"], True)
    cols["ver"] = (pd.Series(DCC_VERSION, index=payloads.index[:n]), top["properties"]["ver"], True)
    for key, node in entry["properties"].items():
        cols[f"v.0.{key}"] = (column(key), node, key in entry["required"])
    return cols


def column_problems(payloads: pd.DataFrame) -> pd.DataFrame:
    """Every payload checked column-wise against the schema's rules (required fields, patterns,
    lengths, value sets, ranges, dates, NFC), on the fields the JSON text is made from
    (:func:`certificate_payloads`' ``FIELD_COLUMNS``): row (position), field, problem."""
    if len(payloads) == 0:
        return pd.DataFrame({"row": [], "field": [], "problem": []})
    parts = []
    for path, (values, rule, required) in _fields(payloads.reset_index(drop=True)).items():
        if required:
            missing = np.flatnonzero(values.isna().to_numpy())
            parts.append(pd.DataFrame({"row": missing, "field": path, "problem": "thiếu"}))
        parts.append(_rule_problems(values, rule, path))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"row": [], "field": [], "problem": []})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["row", "field"], kind="stable").reset_index(drop=True)


@functools.cache
def _validator():
    import jsonschema  # a dependency; imported on first use (it costs ~0.1 s)

    cls = jsonschema.validators.validator_for(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


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
        if {"mp", "dn", "sd"} <= set(payloads.columns):
            shape = payloads[["mp", "dn", "sd"]].reset_index(drop=True)
            firsts = np.flatnonzero(~shape.duplicated().to_numpy())
        else:
            firsts = np.arange(0)
        rng = np.random.default_rng(seed)
        size = min(n, SCHEMA_SAMPLE if sample is None else sample)
        rows = np.unique(np.concatenate([firsts, rng.choice(n, size=size, replace=False)]))
    validator = _validator()
    texts = payloads["payload"].to_numpy(dtype=object)
    found = []
    for row in rows:  # jsonschema checks one document at a time
        for error in validator.iter_errors(json.loads(texts[row])):
            path = ".".join(str(p) for p in error.absolute_path) or "(payload)"
            found.append((int(row), path, error.message))
    return pd.DataFrame(found, columns=["row", "field", "problem"])


# --- files --------------------------------------------------------------------------------------


def facility_file_stem(facility: str) -> str:
    """A safe file name for a facility: its ASCII transliteration, lowercase, with a short hash
    (two facilities whose names fold alike still get two files).

    >>> facility_file_stem("Trạm Y tế xã Thượng Thôn")
    'tram-y-te-xa-thuong-thon-...'
    """
    folded = transliterate_series(pd.Series([facility], dtype="string")).iloc[0].lower()
    folded = re.sub(r"<+", "-", folded)[:60].strip("-") or "co-so"
    digest = hashlib.sha1(facility.encode("utf-8")).hexdigest()[:6]
    return f"{folded}-{digest}"


def write_payload_files(folder: str | os.PathLike, payloads: pd.DataFrame) -> list[Path]:
    """JSON Lines per facility and day: ``folder/<yyyymmdd>/<facility>.jsonl``, one line per
    certificate ``{"record_id", "dose_number", "facility", "dcc": payload}``; atomically."""
    written = []
    if len(payloads) == 0:
        return written

    def quoted(column: str) -> pa.Array:
        return _join('"', _json_escape(_arrow_text(payloads[column])), '"')

    number = pa.array(payloads["dose_number"].astype("Int64").astype("string").to_numpy(na_value=None),
                      pa.large_string())  # fmt: skip
    text = _join(
        '{"record_id":', quoted("record_id"), ',"dose_number":', pc.fill_null(number, "null"),
        ',"facility":', quoted("facility"), ',"dcc":', _arrow_text(payloads["payload"]), "}",
    )  # fmt: skip
    day = pd.to_datetime(payloads["work_date"]).dt.strftime("%Y%m%d").to_numpy(dtype=object)
    facility = payloads["facility"].astype(str).to_numpy(dtype=object)
    order = np.lexsort((day, facility))
    key = pd.DataFrame({"f": facility[order], "d": day[order]})
    starts = np.flatnonzero(~key.duplicated().to_numpy())
    bounds = np.append(starts, len(order))
    lines = text.take(pa.array(order))
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        # one file's lines joined by Arrow into one text (no Python string per line)
        chunk = lines.slice(start, end - start)
        listed = pa.ListArray.from_arrays([0, len(chunk)], chunk.cast(pa.string()))
        body = pc.binary_join(listed, "\n")[0].as_py()
        name = f"{facility_file_stem(str(key['f'].iat[start]))}.jsonl"
        path = Path(folder) / key["d"].iat[start] / name
        written.append(write_atomic(path, lambda tmp, b=body: tmp.write_text(b + "\n", "utf-8")))
    return written
