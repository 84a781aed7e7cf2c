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
from vaxutils.passport.icao import is_nfc, split_name, transliterate_series
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
# jsonschema on every payload up to this many; past it a sample (the column checks see them all)
FULL_SCHEMA_CHECK = 20_000
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
    key = pd.DataFrame(
        {
            "record_id": text_column(doses, "record_id").fillna(""),
            "dose_number": pd.to_numeric(doses["dose_number"], errors="coerce").astype("Int64"),
            "dose_date": pd.to_datetime(doses["dose_date"], errors="coerce")
            .dt.strftime("%Y-%m-%d")
            .fillna(""),
            "product": text_column(doses, "product").fillna(""),
        }
    ).reset_index(drop=True)
    halves = [
        pd.util.hash_pandas_object(key, index=False, hash_key=k).to_numpy(np.uint64)
        for k in _HASH_KEYS
    ]
    digits = np.concatenate([_base36(h) for h in halves], axis=1)
    check = _luhn36(digits)
    chars = _ALPHABET[np.concatenate([digits, check[:, None]], axis=1)]
    opaque = chars.view(f"S{chars.shape[1]}").ravel().astype(str)
    ids = pd.Series(opaque, dtype="string", index=doses.index)
    return (
        f"URN:UVCI:01:{COUNTRY}:"
        + ids.str.slice(0, 13)
        + "/"
        + ids.str.slice(13, 26)
        + "#"
        + ids.str.slice(26)
    )


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
    """Per dose (index of ``doses``): its position ``dn`` in the person's dated history up to the
    work day and the person's primary series ``primary`` (of the first dated known product)."""
    day = pd.to_datetime(doses["dose_date"], errors="coerce")
    frame = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "day": day.to_numpy(),
            "product": text_column(doses, "product"),
        },
        index=doses.index,
    )
    dated = frame[frame["day"].notna() & (frame["day"] <= pd.Timestamp(work_date))]
    # one dose however many records hold it: the same day counts once
    days = dated.drop_duplicates(["group", "day"]).sort_values(["group", "day"])
    days["dn"] = days.groupby("group").cumcount() + 1
    primary = products()["primary_doses"]
    known = days[days["product"].isin(primary.index)]
    first = known.drop_duplicates("group").set_index("group")["product"].map(primary)
    # a left merge keeps the left rows in order
    dn = frame[["group", "day"]].merge(
        days[["group", "day", "dn"]], on=["group", "day"], how="left"
    )
    return pd.DataFrame(
        {"dn": dn["dn"].to_numpy(), "primary": frame["group"].map(first).to_numpy()},
        index=doses.index,
    ).astype("Int64")


# --- building and serialising ---------------------------------------------------------------


def _json_str(s: pd.Series) -> pd.Series:
    """Each text as a JSON string literal (quotes included); NA stays NA. Control characters are
    rare in a cleaned name: those few rows go through ``json.dumps``."""
    text = s.astype("string")
    escaped = text.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    control = text.str.contains(r"[\x00-\x1f\u2028\u2029]", regex=True).fillna(False)
    if control.any():
        escaped[control] = text[control].map(lambda t: json.dumps(t, ensure_ascii=False)[1:-1])
    return '"' + escaped + '"'


def _dob_text(records: pd.DataFrame) -> pd.Series:
    """dob at its precision: "1980-05-12", "1980-05", "1980"; unknown: "" (DCC 1.3 allows it)."""
    dob = pd.to_datetime(records["dob"], errors="coerce") if "dob" in records else None
    if dob is None:
        return pd.Series("", index=records.index, dtype="string")
    precision = text_column(records, "dob_precision").fillna("day")
    text = dob.dt.strftime("%Y-%m-%d").astype("string")
    text = text.mask(precision.eq("month").to_numpy(), text.str.slice(0, 7))
    text = text.mask(precision.eq("year").to_numpy(), text.str.slice(0, 4))
    return text.fillna("")


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
    ``PAYLOAD_COLUMNS``; ``payload`` is the JSON text (UTF-8, no spaces).
    """
    ready = worklist[worklist["status"].eq(READY)].reset_index(drop=True)
    if ready.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PAYLOAD_COLUMNS})
    codes = products()
    d = doses.reset_index(drop=True)
    group = person_groups(text_column(d, "record_id"), findings)
    history = _merged_positions(d, group, ready["work_date"].max())
    history["record_id"] = text_column(d, "record_id").to_numpy()
    history["dose_number"] = pd.to_numeric(d["dose_number"], errors="coerce").astype("Int64")
    history = history.drop_duplicates(["record_id", "dose_number"])
    at = (
        ready[["record_id", "dose_number"]]
        .astype({"record_id": "string"})
        .merge(history.astype({"record_id": "string"}), on=["record_id", "dose_number"], how="left")
    )
    dn = at["dn"].fillna(ready["dose_number"]).astype("Int64")
    primary = at["primary"].fillna(ready["product"].map(codes["primary_doses"])).astype("Int64")
    booster = dn > primary
    sd = primary.where(~booster, dn.where(primary > 1, 1)).astype("Int64")

    person = records.drop_duplicates("record_id").set_index("record_id")
    who = person.reindex(ready["record_id"].astype(str).to_numpy())
    names = split_name(text_column(who, "full_name").reset_index(drop=True))
    fnt = transliterate_series(names["fn"])
    gnt = transliterate_series(names["gn"])
    dob = _dob_text(who.reset_index(drop=True))
    product = ready["product"].astype("string")
    ci = certificate_ids(ready)

    nam = '"nam":{"fn":' + _json_str(names["fn"]).fillna('""') + ',"fnt":"' + fnt + '"'
    with_given = names["gn"].notna()
    given = (',"gn":' + _json_str(names["gn"]) + ',"gnt":"' + gnt + '"').where(with_given, "")
    entry = (
        '"v":[{"tg":"' + TARGET_COVID19
        + '","vp":"' + product.map(codes["vp"]).fillna("")
        + '","mp":"' + product.map(codes["mp"]).fillna("")
        + '","ma":"' + product.map(codes["ma"]).fillna("")
        + '","dn":' + dn.astype("string").fillna("null")
        + ',"sd":' + sd.astype("string").fillna("null")
        + ',"dt":"' + ready["dose_date"].dt.strftime("%Y-%m-%d").astype("string").fillna("")
        + '","co":"' + COUNTRY
        + '","is":' + _json_str(pd.Series(issuer, index=ready.index))
        + ',"ci":"' + ci + '"}]'
    )  # fmt: skip
    payload = '{"ver":"' + DCC_VERSION + '",' + nam + given + '},"dob":"' + dob + '",' + entry + "}"
    return pd.DataFrame(
        {
            "facility": ready["facility"],
            "work_date": ready["work_date"],
            "record_id": ready["record_id"],
            "dose_number": ready["dose_number"],
            "ci": ci,
            "dn": dn,
            "sd": sd,
            "payload": payload.astype("string"),
        }
    )


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
    """The payload's fields as columns: path → (values, schema node, required)."""
    top = schema()
    name = _resolve(top["properties"]["nam"])
    entry = _resolve(top["$defs"]["vaccination_entry"])
    parsed = payloads["payload"].astype("string")
    cols = {}
    # the fields are read back out of the JSON text, so the check sees what is written
    for key in name["properties"]:
        value = parsed.str.extract(rf'"{key}":"((?:[^"\\]|\\.)*)"', expand=False)
        cols[f"nam.{key}"] = (_unescape(value), name["properties"][key], key in name["required"])
    dob = parsed.str.extract(r'"dob":"((?:[^"\\]|\\.)*)"', expand=False)
    cols["dob"] = (dob, top["properties"]["dob"], True)
    cols["ver"] = (
        parsed.str.extract(r'"ver":"([^"]*)"', expand=False),
        top["properties"]["ver"],
        True,
    )
    for key, node in entry["properties"].items():
        if _resolve(node).get("type") == "integer":
            value = parsed.str.extract(rf'"{key}":(-?[0-9.eE+]+)', expand=False)
        else:
            value = _unescape(parsed.str.extract(rf'"{key}":"((?:[^"\\]|\\.)*)"', expand=False))
        cols[f"v.0.{key}"] = (value, node, key in entry["required"])
    return cols


def _unescape(s: pd.Series) -> pd.Series:
    return s.str.replace('\\"', '"', regex=False).str.replace("\\\\", "\\", regex=False)


def column_problems(payloads: pd.DataFrame) -> pd.DataFrame:
    """Every payload checked column-wise against the schema's rules (required fields, patterns,
    lengths, value sets, ranges, dates, NFC): row (position), field, problem."""
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

    All of them up to ``FULL_SCHEMA_CHECK`` (or ``sample``), else the first payload of each
    product × dn × sd and a random sample (the column checks cover every row).
    """
    n = len(payloads)
    limit = FULL_SCHEMA_CHECK if sample is None else sample
    rows = np.arange(n)
    if n > limit:
        text = payloads["payload"].astype("string").reset_index(drop=True)
        shape = text.str.extract(r'"mp":"([^"]*)".*"dn":(\d+),"sd":(\d+)')
        firsts = np.flatnonzero(~shape.duplicated().to_numpy())
        rng = np.random.default_rng(seed)
        rows = np.unique(np.concatenate([firsts, rng.choice(n, size=limit, replace=False)]))
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
    line = (
        '{"record_id":' + _json_str(payloads["record_id"])
        + ',"dose_number":' + payloads["dose_number"].astype("string")
        + ',"facility":' + _json_str(payloads["facility"])
        + ',"dcc":' + payloads["payload"] + "}"
    )  # fmt: skip
    day = pd.to_datetime(payloads["work_date"]).dt.strftime("%Y%m%d")
    for (facility, when), rows in line.groupby([payloads["facility"], day], sort=True):
        path = Path(folder) / when / f"{facility_file_stem(str(facility))}.jsonl"
        body = "\n".join(rows.tolist()) + "\n"
        written.append(write_atomic(path, lambda tmp, body=body: tmp.write_text(body, "utf-8")))
    return written
