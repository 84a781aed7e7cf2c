"""Vaccine-passport certificate payloads (EU DCC 1.3, which Vietnam's QR certificates follow).

For every dose the worklist calls ready to sign, one payload (DESIGN §2.5; Decision 5772/QĐ-BYT)::

    {"ver": "1.3.0",
     "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn Nam", "gnt": "VAN<NAM"},
     "dob": "1980-05-12",                     # "1980" when only the year is known
     "v": [{"tg": "840539006", "vp": "J07BX03", "mp": "EU/1/21/1529", "ma": "ORG-100001699",
            "dn": 2, "sd": 2, "dt": "2021-08-30", "co": "VN", "is": "Bộ Y tế Việt Nam",
            "ci": "URN:UVCI:01:VN:…#K"}]}

- ``vp``/``mp``/``ma`` come from the EU DCC value sets (:mod:`.products`);
- ``dn``/``sd`` over the person's merged history, boosters as the EU rules ask (:mod:`.history`);
- ``ci`` a deterministic UVCI (:mod:`.uvci`);
- strings are NFC; names are split "Family | Middle Given" and transliterated (:mod:`.icao`).

Built column by column in Arrow: the name fields once per distinct name, the birth date once per
record, then taken to the doses; the JSON text is a concatenation of escaped Arrow columns (no
per-row ``json.dumps``, no Python string per row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io.cells import text_column
from vaxutils.passport.arrow_text import (
    arrow_text,
    as_series,
    encode,
    escaped,
    fixed_width_chars,
    fixed_width_text,
    join,
    positions,
    positions_of,
    take,
)
from vaxutils.passport.history import (
    encode_series,
    merged_positions,
    person_groups,
    primary_by_record,
)
from vaxutils.passport.icao import transliterate_series
from vaxutils.passport.products import DCC_VERSION, TARGET_COVID19, products
from vaxutils.passport.uvci import COUNTRY
from vaxutils.passport.uvci import certificate_ids as _uvci
from vaxutils.passport.worklist import READY

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
# The payload's fields as columns (one row per certificate); the JSON text is made from them.
FIELD_COLUMNS = ("fn", "fnt", "gn", "gnt", "dob", "tg", "vp", "mp", "ma", "dn", "sd", "dt",
                 "co", "is", "ci")  # fmt: skip
_NULL = pa.scalar(None, pa.large_string())


def certificate_ids(doses: pd.DataFrame, encoded=None) -> pd.Series:
    """A UVCI per dose (:func:`vaxutils.passport.uvci.certificate_ids`), the product codes fixed
    by the sorted list of passport products.

    >>> d = pd.DataFrame({"record_id": ["A"], "dose_number": [1], "product": ["Pfizer"],
    ...                   "dose_date": pd.to_datetime(["2021-08-02"])})
    >>> certificate_ids(d).iloc[0][:15]
    'URN:UVCI:01:VN:'
    """
    return _uvci(doses, sorted(products().index), encoded)


def _name_parts(names: pa.Array) -> dict[str, pa.Array]:
    """fn, fnt, gn, gnt of each name (NFC, spaces collapsed; the family name is the first word;
    no given name: gn/gnt null; no name: all null)."""
    text = pc.utf8_normalize(names, "NFC")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    parts = pc.extract_regex(text, r"^(?P<fn>[^ ]+)(?: (?P<gn>.+))?$")
    fn = pc.struct_field(parts, "fn")
    gn = pc.struct_field(parts, "gn")
    gn = pc.if_else(pc.equal(gn, ""), _NULL, gn)
    gnt = arrow_text(transliterate_series(as_series(gn)))
    return {
        "fn": fn,
        "fnt": arrow_text(transliterate_series(as_series(fn))),
        "gn": gn,
        "gnt": pc.if_else(pc.is_null(gn), _NULL, gnt),
    }


def _date_text(values) -> pa.Array:
    """Dates as "YYYY-MM-DD" (null when missing or not a date)."""
    days = pd.to_datetime(pd.Series(values), errors="coerce")
    return pa.array(days).cast(pa.date32()).cast(pa.large_string())


def _dob_text(records: pd.DataFrame) -> pa.Array:
    """dob at its precision: "1980-05-12", "1980-05", "1980"; unknown: "" (DCC 1.3 allows it)."""
    if "dob" not in records:
        return pa.repeat(pa.scalar("", pa.large_string()), len(records))
    text = _date_text(records["dob"].to_numpy())
    precision = pc.fill_null(arrow_text(text_column(records, "dob_precision")), "day")
    text = pc.if_else(pc.equal(precision, "month"), pc.utf8_slice_codeunits(text, 0, 7), text)
    text = pc.if_else(pc.equal(precision, "year"), pc.utf8_slice_codeunits(text, 0, 4), text)
    return pc.fill_null(text, "")


def payload_text(fields: pd.DataFrame) -> pd.Series:
    """The JSON text of each certificate from its fields (``FIELD_COLUMNS``), by Arrow string
    concatenation: no per-row ``json.dumps``. Absent given names leave ``gn``/``gnt`` out."""
    if len(fields) == 0:
        return pd.Series([], index=fields.index, dtype="string")

    def esc(column: str) -> pa.Array:
        return escaped(arrow_text(fields[column]))

    def num(column: str) -> pa.Array:
        values = pa.array(pd.to_numeric(fields[column], errors="coerce").astype("Int64"))
        return pc.fill_null(pc.cast(values, pa.large_string()), "null")

    given = pc.fill_null(join(',"gn":"', esc("gn"), '","gnt":"', esc("gnt"), '"'), "")
    parts = [
        '{"ver":"', DCC_VERSION, '","nam":{"fn":"', esc("fn"), '","fnt":"', esc("fnt"), '"',
        given, '},"dob":"', esc("dob"), '","v":[{"tg":"', esc("tg"), '","vp":"', esc("vp"),
        '","mp":"', esc("mp"), '","ma":"', esc("ma"), '","dn":', num("dn"), ',"sd":', num("sd"),
        ',"dt":"', esc("dt"), '","co":"', esc("co"), '","is":"', esc("is"), '","ci":"', esc("ci"),
        '"}]}',
    ]  # fmt: skip
    parts = [pc.fill_null(p, "") if isinstance(p, pa.Array) else p for p in parts]
    return as_series(join(*parts), fields.index)


def _payload_text_fast(
    fields: pd.DataFrame, distinct: dict[str, pa.Array], name_at: np.ndarray, product: np.ndarray
) -> pd.Series:
    """:func:`payload_text` of :func:`certificate_payloads`' fields, made from a few larger parts:
    the name part once per distinct name, the vaccine part once per product × dn × sd, then
    taken to the doses (a 30-part join over 2 million rows costs seconds). Same bytes: the tests
    compare it with :func:`payload_text`."""
    name_fields = pd.DataFrame(
        {k: as_series(pc.fill_null(v, "") if k in ("fn", "fnt") else v)
         for k, v in distinct.items()}
    )  # fmt: skip
    name_fields.loc[len(name_fields)] = ["", "", pd.NA, pd.NA]  # no name: fn/fnt empty
    given = pc.fill_null(
        join(',"gn":"', escaped(arrow_text(name_fields["gn"])), '","gnt":"',
             escaped(arrow_text(name_fields["gnt"])), '"'),
        "",
    )  # fmt: skip
    name_part = join(
        '{"ver":"', DCC_VERSION, '","nam":{"fn":"', escaped(arrow_text(name_fields["fn"])),
        '","fnt":"', escaped(arrow_text(name_fields["fnt"])), '"', given, '},"dob":"',
    )  # fmt: skip
    name_at = np.where(name_at < 0, len(name_fields) - 1, name_at)
    dn = pd.to_numeric(fields["dn"], errors="coerce").astype("Int64")
    sd = pd.to_numeric(fields["sd"], errors="coerce").astype("Int64")
    combos = pd.DataFrame(
        {
            "p": product,
            "dn": dn.fillna(-1).to_numpy(np.int64),
            "sd": sd.fillna(-1).to_numpy(np.int64),
        }
    )
    shape = combos.groupby(["p", "dn", "sd"], sort=False).ngroup().to_numpy()
    first = np.flatnonzero(~pd.Series(shape).duplicated().to_numpy())
    one = fields.iloc[first]
    vaccine_part = payload_parts(one, ["tg", "vp", "mp", "ma"], dn.iloc[first], sd.iloc[first])
    spread = np.empty(len(first), dtype=np.int64)
    spread[shape[first]] = np.arange(len(first))
    tail = '","co":"' + _escape_one(fields["co"].iloc[0]) + '","is":"'
    tail += _escape_one(fields["is"].iloc[0]) + '","ci":"'
    head = [name_part.take(pa.array(name_at)), escaped(arrow_text(fields["dob"])),
            vaccine_part.take(pa.array(spread[shape]))]  # fmt: skip
    dt, ci = arrow_text(fields["dt"]), arrow_text(fields["ci"])
    dt_chars, ci_chars = fixed_width_chars(dt), fixed_width_chars(ci)
    if dt_chars is not None and ci_chars is not None:
        # every date and id present, of one length: the end of each payload is a fixed-width
        # row of bytes made in numpy (fewer parts for the join over millions of rows)
        n = len(fields)
        ends = [np.frombuffer(t.encode("utf-8"), np.uint8) for t in (tail, '"}]}')]
        rows = [dt_chars, np.broadcast_to(ends[0], (n, len(ends[0]))), ci_chars,
                np.broadcast_to(ends[1], (n, len(ends[1])))]  # fmt: skip
        text = join(*head, fixed_width_text(np.concatenate(rows, axis=1)))
    else:
        text = join(*head, pc.fill_null(dt, ""), tail, pc.fill_null(ci, ""), '"}]}')
    return as_series(text, fields.index)


def _escape_one(value: str) -> str:
    return escaped(arrow_text(pd.Series([value]))).to_pylist()[0]


def payload_parts(one: pd.DataFrame, codes: list[str], dn: pd.Series, sd: pd.Series) -> pa.Array:
    """The vaccination entry from ``"vp"`` up to the opening quote of ``dt`` (shared by many)."""
    esc = {c: pc.fill_null(escaped(arrow_text(one[c])), "") for c in codes}

    def num(values: pd.Series) -> pa.Array:
        return pc.fill_null(
            pc.cast(pa.array(values.astype("Int64").array), pa.large_string()), "null"
        )

    return join(
        '","v":[{"tg":"', esc["tg"], '","vp":"', esc["vp"], '","mp":"', esc["mp"], '","ma":"',
        esc["ma"], '","dn":', num(dn), ',"sd":', num(sd), ',"dt":"',
    )  # fmt: skip


def _series_positions(
    ready: pd.DataFrame, keys: tuple[pa.Array, np.ndarray], d: pd.DataFrame, findings
) -> tuple[pd.Series, ...]:
    """``dn`` and ``sd`` of each ready dose (``keys``: its record ids, :func:`encode`d): dose
    numbers as typed, except for a person whose records are merged (then over the merged
    history); ``sd`` by :func:`encode_series`."""
    codes = products()
    group = person_groups(text_column(d, "record_id"), findings)
    history = merged_positions(d, group, ready["work_date"].max())
    # matched on record and date: the worklist may already number a merged person's doses anew
    numbered = np.flatnonzero(history["dn"].notna().to_numpy())  # merged persons' doses only
    history = history.iloc[numbered].assign(
        record_id=text_column(d, "record_id").iloc[numbered].to_numpy(),
        dose_date=pd.to_datetime(d["dose_date"].iloc[numbered], errors="coerce").to_numpy(),
    )
    history = history.drop_duplicates(["record_id", "dose_date"])
    rid = arrow_text(ready["record_id"])
    number = pd.to_numeric(ready["dose_number"], errors="coerce").astype("Int64")
    when = pd.to_datetime(ready["dose_date"], errors="coerce")
    dn = pd.Series(pd.NA, index=ready.index, dtype="Int64")
    primary = pd.Series(pd.NA, index=ready.index, dtype="Int64")
    merged = np.flatnonzero(positions_of(keys, history["record_id"]) >= 0)
    if len(merged):
        at = pd.DataFrame(
            {"record_id": as_series(rid.take(pa.array(merged))).to_numpy(),
             "dose_date": when.iloc[merged].to_numpy()}
        ).merge(history[["record_id", "dose_date", "dn", "primary"]],
                on=["record_id", "dose_date"], how="left")  # fmt: skip
        dn.iloc[merged] = at["dn"].to_numpy()
        primary.iloc[merged] = at["primary"].to_numpy()
    dn = dn.fillna(number).astype("Int64")
    _, own = primary_by_record(d, codes["primary_doses"], keys[0])
    own_primary = np.append(own, np.nan)[keys[1]]
    by_product = codes["primary_doses"].to_numpy(float)
    at_product = positions(ready["product"], codes.index.to_series())
    of_product = np.append(by_product, np.nan)[at_product]
    filled = np.where(np.isnan(own_primary), of_product, own_primary)
    primary = primary.fillna(pd.Series(filled, index=ready.index)).astype("Int64")
    return dn, encode_series(dn, primary)


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
    used = ["facility", "work_date", "record_id", "dose_number", "dose_date", "product"]
    ready = worklist.loc[worklist["status"].eq(READY).to_numpy(), used].reset_index(drop=True)
    if ready.empty:
        empty = {c: pd.Series(dtype="object") for c in (*PAYLOAD_COLUMNS, *FIELD_COLUMNS)}
        return pd.DataFrame(empty)
    codes = products()
    d = doses.reset_index(drop=True)
    keys = encode(ready["record_id"])  # looked up three times: each distinct id hashed
    dn, sd = _series_positions(ready, keys, d, findings)

    # the person: one lookup per dose into the records (the first record of an id), then the
    # name fields once per distinct name and the birth date once per record
    at_person = positions_of(keys, text_column(records, "record_id"))
    coded = pc.dictionary_encode(arrow_text(text_column(records, "full_name")))
    name_code = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    name_at = np.where(at_person < 0, -1, name_code[np.maximum(at_person, 0)])
    distinct = _name_parts(coded.dictionary)
    names = {k: take(v, name_at) for k, v in distinct.items()}
    dob = pc.fill_null(take(_dob_text(records.reset_index(drop=True)), at_person), "")
    product = positions(ready["product"], codes.index.to_series())

    def code(column: str) -> pd.Series:
        return as_series(take(arrow_text(codes[column]), product))

    def constant(value: str) -> pd.Series:
        return as_series(pa.repeat(pa.scalar(value, pa.large_string()), len(ready)))

    fields = pd.DataFrame(
        {
            # no name (a record signed at an exempt site): fn/fnt written empty, as fnt must be there
            "fn": as_series(pc.fill_null(names["fn"], "")),
            "fnt": as_series(pc.fill_null(names["fnt"], "")),
            "gn": as_series(names["gn"]), "gnt": as_series(names["gnt"]),
            "dob": as_series(dob), "tg": constant(TARGET_COVID19),
            "vp": code("vp"), "mp": code("mp"), "ma": code("ma"),
            "dn": dn, "sd": sd,
            "dt": as_series(_date_text(ready["dose_date"].to_numpy())),
            "co": constant(COUNTRY), "is": constant(issuer),
            "ci": certificate_ids(ready, keys).array,
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
            "payload": _payload_text_fast(fields, distinct, name_at, product),
        }
    )
    return pd.concat([head, fields.drop(columns=["ci", "dn", "sd"])], axis=1)
