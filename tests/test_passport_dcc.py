"""Vaccine-passport certificate payloads (EU DCC 1.3): names, value sets, ids, schema, files."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_helpers import screened_commune

from vaxutils.passport import READY, dcc, passport_worklist, schema_check
from vaxutils.passport.icao import split_name, transliterate, transliterate_series

EXPORT_DATE = date(2022, 5, 15)
# The published EU DCC value sets (ehn-dcc-development/eu-dcc-valuesets, vaccine-encoding-instructions)
EXPECTED_CODES = {
    "Pfizer": ("EU/1/20/1528", "ORG-100030215", "1119349007"),
    "Moderna": ("EU/1/20/1507", "ORG-100031184", "1119349007"),
    "AstraZeneca": ("EU/1/21/1529", "ORG-100001699", "J07BX03"),
    "Janssen": ("EU/1/20/1525", "ORG-100001417", "J07BX03"),
    "Vero Cell": ("BBIBP-CorV", "ORG-100020693", "J07BX03"),
    "Sputnik V": ("Sputnik-V", "Gamaleya-Research-Institute", "J07BX03"),
    "Hayat-Vax": ("Hayat-Vax", "ORG-100023050", "J07BX03"),
    "Abdala": ("Abdala", "CIGB", "J07BX03"),
}
PRIMARY = {"Pfizer": 2, "Moderna": 2, "AstraZeneca": 2, "Janssen": 1, "Vero Cell": 2,
           "Sputnik V": 2, "Hayat-Vax": 2, "Abdala": 3}  # fmt: skip
VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _no_findings() -> pd.DataFrame:
    """Findings of a clean commune (one error on a record outside it: the worklist of a commune
    with nothing blocked is the hostile helper's fix)."""
    return pd.DataFrame(
        {"record_id": ["ZZ"], "category": ["missing_id"], "severity": ["error"],
         "code": ["id_missing"], "related": [pd.NA]}
    )  # fmt: skip


def _validator():
    schema = dcc.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# --- transliteration -------------------------------------------------------------------------


def test_every_vietnamese_letter_transliterates_to_its_base_letter():
    letters, expected = [], []
    for vowel in VOWELS:
        base = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}.get(vowel, vowel)
        for tone in TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            assert len(letter) == 1, letter  # every one is a precomposed letter
            letters += [letter, letter.upper()]
            expected += [base.upper()] * 2
    letters += ["đ", "Đ", "Ð"]  # and the look-alike eth that legacy files hold
    expected += ["D", "D", "D"]
    assert len(set(letters)) == 12 * 6 * 2 + 3
    got = transliterate_series(pd.Series(letters, dtype="string")).tolist()
    assert got == expected
    # decomposed input (NFD, as some Mac keyboards type it) gives the same
    nfd = [unicodedata.normalize("NFD", t) for t in letters]
    assert transliterate_series(pd.Series(nfd, dtype="string")).tolist() == expected


@pytest.mark.parametrize(
    ("name", "icao"),
    [
        ("Nguyễn Văn Nam", "NGUYEN<VAN<NAM"),
        ("Đỗ Thị Ỹ", "DO<THI<Y"),
        ("  trần   thị  HẠNH ", "TRAN<THI<HANH"),
        ("H'Hen Niê", "HHEN<NIE"),
        ("Lê-Trương Ngọc", "LE<TRUONG<NGOC"),
        ("Nguyễn Văn Nam 2", "NGUYEN<VAN<NAM"),
        ("---", ""),
        ("Ksor H’Luy", "KSOR<HLUY"),
    ],
)
def test_transliteration_examples(name, icao):
    assert transliterate(name) == icao


@settings(deadline=None, max_examples=60)
@given(st.text(max_size=120))
def test_transliteration_always_meets_the_dcc_pattern(text):
    out = transliterate(text)
    assert re.fullmatch(r"[A-Z<]*", out) and len(out) <= 80
    assert not out.startswith("<") and not out.endswith("<") and "<<" not in out
    assert transliterate_series(pd.Series([text], dtype="string")).iloc[0] == out


def test_family_name_first_then_given_names():
    parts = split_name(pd.Series(["Nguyễn Văn Nam", " Thạch  Sô Phia ", "Lan", None, "  "]))
    assert parts["fn"].tolist()[:3] == ["Nguyễn", "Thạch", "Lan"]
    assert parts["gn"].tolist()[:2] == ["Văn Nam", "Sô Phia"]
    assert parts["gn"].isna().tolist() == [False, False, True, True, True]
    assert parts["fn"].isna().tolist() == [False, False, False, True, True]


# --- payloads for every product and dose position --------------------------------------------


def _one_person_per_product():
    """Per product: a person with the primary series then two boosters (Pfizer), 190 days apart."""
    doses, records = [], []
    for k, product in enumerate(EXPECTED_CODES):
        rid = f"R{k}"
        records.append((rid, f"Nguyễn Thị Ánh {chr(65 + k)}", pd.Timestamp(1960 + k, 3, 4), "day"))
        n = PRIMARY[product] + 2
        day = pd.Timestamp("2021-03-10")
        for dose in range(1, n + 1):
            given_product = product if dose <= PRIMARY[product] else "Pfizer"
            doses.append((rid, dose, given_product, day, "Trạm Y tế xã Thượng Thôn"))
            day += pd.Timedelta(days=190)
    d = pd.DataFrame(
        doses, columns=["record_id", "dose_number", "product", "dose_date", "facility"]
    )
    d["dose_number"] = d["dose_number"].astype("Int64")
    d["vaccine"] = d["product"]
    d["dose_date_precision"] = "day"
    d["source_row"] = np.arange(len(d)) + 2
    r = pd.DataFrame(records, columns=["record_id", "full_name", "dob", "dob_precision"])
    r["source_row"] = np.arange(len(r)) + 2
    r["id_compact"] = [f"0010{60 + k:02d}00000{k}" for k in range(len(r))]
    return d, r


def test_payloads_for_every_product_and_dose_position_meet_the_schema():
    doses, records = _one_person_per_product()
    no_findings = _no_findings()
    worklist = passport_worklist(doses, records, no_findings, work_date=date(2024, 1, 1))
    assert (worklist["status"] == READY).all(), worklist[["product", "reason"]]
    payloads = dcc.certificate_payloads(worklist, doses, records, no_findings)
    assert len(payloads) == len(doses)
    validator = _validator()
    seen = set()
    for row in payloads.itertuples():
        doc = json.loads(row.payload)
        errors = [e.message for e in validator.iter_errors(doc)]
        assert not errors, (row.payload, errors)
        v = doc["v"][0]
        product = worklist.set_index(["record_id", "dose_number"]).loc[
            (row.record_id, row.dose_number), "product"
        ]
        assert (v["mp"], v["ma"], v["vp"]) == EXPECTED_CODES[product]
        primary = PRIMARY[worklist.loc[worklist["record_id"] == row.record_id, "product"].iloc[0]]
        assert v["dn"] == row.dose_number
        if row.dose_number <= primary:
            assert v["sd"] == primary
        else:  # a booster: dn ≥ sd marks it (3/3 after two doses, 2/1 after Janssen)
            assert v["sd"] == (1 if primary == 1 else row.dose_number)
        assert (v["tg"], v["co"], doc["ver"]) == ("840539006", "VN", "1.3.0")
        assert doc["nam"]["fnt"] == "NGUYEN" and doc["nam"]["gnt"].startswith("THI<ANH<")
        seen.add((product, v["dn"], v["sd"]))
    assert {p for p, *_ in seen} == set(EXPECTED_CODES)
    assert dcc.column_problems(payloads).empty
    assert dcc.schema_problems(payloads).empty


def _one_persons_doses(products: list[str], first_day: str) -> pd.DataFrame:
    """Person "P"'s doses of ``products`` in order, 200 days apart, at a commune station."""
    n = len(products)
    return pd.DataFrame(
        {
            "record_id": "P",
            "dose_number": pd.array(range(1, n + 1), dtype="Int64"),
            "product": products,
            "vaccine": products,
            "dose_date": pd.date_range(first_day, periods=n, freq="200D"),
            "dose_date_precision": "day",
            "facility": "Trạm Y tế xã Thượng Thôn",
            "source_row": np.arange(n) + 2,
        }
    )


@pytest.mark.parametrize("product", list(EXPECTED_CODES))
def test_every_product_at_every_position_it_can_hold_meets_the_schema(product):
    """A person given one product only, its primary series then boosters of the same product up
    to the DCC's last position (dn 9): each dose's payload validates, with the product's codes
    and the EU booster encoding (n/2 → 3/3 → 4/4…; Janssen 1/1 → 2/1 → 3/1)."""
    primary = PRIMARY[product]
    n = 9
    doses = _one_persons_doses([product] * n, "2021-03-10")
    records = pd.DataFrame(
        {"record_id": ["P"], "source_row": [2], "full_name": ["Đặng Thị Ngọc Hường"],
         "dob": pd.to_datetime(["1961-11-30"]), "dob_precision": ["day"],
         "id_compact": ["001161000456"]}
    )  # fmt: skip
    worklist = passport_worklist(doses, records, _no_findings(), work_date=date(2026, 1, 1))
    ready = worklist[worklist["status"] == READY]
    payloads = dcc.certificate_payloads(worklist, doses, records, _no_findings())
    assert len(payloads) == len(ready) == n, worklist["reason"].tolist()
    validator = _validator()
    for text in payloads["payload"]:
        doc = json.loads(text)
        assert not [e.message for e in validator.iter_errors(doc)], text
        v = doc["v"][0]
        assert (v["mp"], v["ma"], v["vp"]) == EXPECTED_CODES[product]
        sd = primary if v["dn"] <= primary else (1 if primary == 1 else v["dn"])
        assert v["sd"] == sd, (v["dn"], v["sd"])
        assert doc["nam"] == {"fn": "Đặng", "fnt": "DANG", "gn": "Thị Ngọc Hường",
                              "gnt": "THI<NGOC<HUONG"}  # fmt: skip
    assert dcc.column_problems(payloads).empty


def test_dob_keeps_its_precision_and_names_stay_nfc():
    doses, records = _one_person_per_product()
    records.loc[0, "dob_precision"] = "year"
    records.loc[1, "dob_precision"] = "month"
    records.loc[2, "full_name"] = unicodedata.normalize("NFD", "Hoàng Thuỳ Linh")
    none = _no_findings()
    worklist = passport_worklist(doses, records, none, work_date=date(2024, 1, 1))
    payloads = dcc.certificate_payloads(worklist, doses, records, none)
    docs = {r.record_id: json.loads(r.payload) for r in payloads.itertuples()}
    assert docs["R0"]["dob"] == "1960" and docs["R1"]["dob"] == "1961-03"
    assert docs["R3"]["dob"] == "1963-03-04"
    assert docs["R2"]["nam"]["gn"] == unicodedata.normalize("NFC", "Thuỳ Linh")
    assert docs["R2"]["nam"]["fnt"] == "HOANG"


def test_quotes_and_backslashes_in_names_stay_valid_json():
    doses, records = _one_person_per_product()
    records.loc[0, "full_name"] = 'Nguyễn "Tí" \\ Văn'
    none = _no_findings()
    worklist = passport_worklist(doses, records, none, work_date=date(2024, 1, 1))
    payloads = dcc.certificate_payloads(worklist, doses, records, none)
    doc = json.loads(payloads.loc[payloads["record_id"] == "R0", "payload"].iloc[0])
    assert doc["nam"]["gn"] == '"Tí" \\ Văn' and doc["nam"]["gnt"] == "TI<VAN"
    assert dcc.column_problems(payloads).empty


# --- certificate ids -------------------------------------------------------------------------


def test_certificate_ids_are_deterministic_unique_and_checked():
    doses, _ = _one_person_per_product()
    ids = dcc.certificate_ids(doses)
    assert ids.is_unique
    again = dcc.certificate_ids(doses.sample(frac=1, random_state=3)).reindex(doses.index)
    assert (again == ids).all()
    changed = doses.assign(dose_date=doses["dose_date"] + pd.Timedelta(days=1))
    assert not (dcc.certificate_ids(changed) == ids).any()
    for uvci in ids:
        assert re.fullmatch(r"URN:UVCI:01:VN:[0-9A-Z]{13}/[0-9A-Z]{13}#[0-9A-Z]", uvci)
        opaque, check = uvci[15:].replace("/", "").split("#")
        assert dcc.luhn36(opaque) == check
        # Luhn mod 36: the payload with its check character sums to 0 (factor 1 on the right)
        digits = [int(c, 36) for c in opaque + check][::-1]
        total = sum((d * (2 if i % 2 else 1)) // 36 + (d * (2 if i % 2 else 1)) % 36
                    for i, d in enumerate(digits))  # fmt: skip
        assert total % 36 == 0
    # one changed character is caught by the check character
    opaque = ids.iloc[0][15:].replace("/", "").split("#")[0]
    typo = ("1" if opaque[4] != "1" else "2").join([opaque[:4], opaque[5:]])
    assert dcc.luhn36(typo) != dcc.luhn36(opaque)


def test_many_ids_do_not_collide():
    n = 200_000
    doses = pd.DataFrame(
        {
            "record_id": [f"01420-{i:06d}" for i in range(n // 2)] * 2,
            "dose_number": np.repeat([1, 2], n // 2),
            "dose_date": pd.Timestamp("2021-08-01"),
            "product": "Pfizer",
        }
    )
    assert dcc.certificate_ids(doses).is_unique


# --- on a screened commune -------------------------------------------------------------------


@pytest.fixture(scope="module")
def commune_payloads(tmp_path_factory):
    _, result = screened_commune(tmp_path_factory.mktemp("dcc"), "01420", 1200, 5, EXPORT_DATE)
    worklist = passport_worklist(
        result.doses, result.records, result.findings, work_date=EXPORT_DATE
    )
    payloads = dcc.certificate_payloads(worklist, result.doses, result.records, result.findings)
    return result, worklist, payloads


def test_every_ready_dose_of_a_commune_has_a_valid_payload(commune_payloads):
    _, worklist, payloads = commune_payloads
    ready = worklist[worklist["status"] == READY]
    assert len(payloads) == len(ready) > 1000
    assert payloads["ci"].is_unique
    validator = _validator()
    bad = [p for p in payloads["payload"] if not validator.is_valid(json.loads(p))]
    assert not bad, bad[:3]
    assert dcc.column_problems(payloads).empty


def test_split_person_is_counted_over_the_merged_history():
    """A booster recorded on a second record of the same person is dose 3 of 3, not 1 of 2."""
    records = pd.DataFrame(
        {
            "record_id": ["A", "B"],
            "source_row": [2, 3],
            "full_name": ["Thạch Thị Sa", "Thạch Thị Sa"],
            "dob": pd.to_datetime(["1975-06-01", "1975-06-01"]),
            "dob_precision": ["day", "day"],
            "id_compact": [pd.NA, "094175000111"],
        }
    )
    # A, the record kept, holds only the booster (numbered 1 there); B, to be merged into A, the
    # primary series
    doses = pd.DataFrame(
        {
            "record_id": ["B", "B", "A"],
            "source_row": [3, 3, 2],
            "dose_number": pd.array([1, 2, 1], dtype="Int64"),
            "product": ["AstraZeneca", "AstraZeneca", "Pfizer"],
            "vaccine": ["AstraZeneca", "AstraZeneca", "Pfizer"],
            "dose_date": pd.to_datetime(["2021-07-01", "2021-09-01", "2022-02-01"]),
            "dose_date_precision": "day",
            "facility": ["TYT xã", "TYT xã", "Bệnh viện Đa khoa tỉnh Sóc Trăng"],
            "exempt_from_cleaning": [False, False, True],
        }
    )
    findings = pd.DataFrame(
        {
            "record_id": ["A", "B"],
            "category": "duplicate",
            "severity": "error",
            "code": "duplicate_person",
            "related": ["B", "A"],
        }
    )
    worklist = passport_worklist(doses, records, findings, work_date=date(2022, 5, 1))
    payloads = dcc.certificate_payloads(worklist, doses, records, findings)
    booster = payloads[payloads["record_id"] == "A"]
    assert len(booster) == 1  # signed by a province hospital (S8) although the record is not clean
    v = json.loads(booster["payload"].iloc[0])["v"][0]
    assert (v["dn"], v["sd"], v["mp"]) == (3, 3, "EU/1/20/1528")


def test_column_checks_agree_with_jsonschema_on_broken_payloads(commune_payloads):
    _, _, payloads = commune_payloads
    sample = payloads.head(8).copy().reset_index(drop=True)
    breaks = [
        ("fnt", "Nguyen"),  # lowercase in a transliteration
        ("dn", 12),  # past the range 1–9
        ("mp", "Nanocovax"),  # not in the value set
        ("dt", "2021-02-30"),  # not a date
        ("co", "Viet Nam"),
        ("ci", None),  # no certificate id (written empty)
        ("gn", "Tha\u0300nh"),  # not NFC
        ("is", "x" * 81),  # too long
    ]
    for i, (field, value) in enumerate(breaks):
        sample[field] = sample[field].astype(object)
        sample.at[i, field] = value
    sample["payload"] = dcc.payload_text(sample)
    by_columns = set(dcc.column_problems(sample)["row"].astype(int))
    by_schema = dcc.schema_problems(sample)
    # jsonschema has no NFC rule: the column checks go further there
    assert set(by_schema["row"].astype(int)) == set(range(len(breaks))) - {6}
    assert by_columns == set(range(len(breaks)))


def test_payload_files_per_facility_and_day(commune_payloads, tmp_path):
    _, _, payloads = commune_payloads
    files = dcc.write_payload_files(tmp_path / "chung_nhan", payloads)
    assert len(files) == payloads["facility"].nunique()
    assert {f.parent.name for f in files} == {"20220515"}
    lines = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]
    assert len(lines) == len(payloads)
    assert {(x["record_id"], x["dose_number"]) for x in lines} == set(
        zip(payloads["record_id"], payloads["dose_number"].astype(int), strict=True)
    )
    assert all(
        f.name.endswith(".jsonl") and re.fullmatch(r"[a-z0-9-]+\.jsonl", f.name) for f in files
    )


# --- boosters: Commission Implementing Decision (EU) 2021/2301 (see vaxutils.passport.history) ---


@pytest.mark.parametrize(
    ("products_given", "expected"),
    [
        # two-dose primary series, then boosters: an additional dose with dn = sd
        (["Pfizer", "Pfizer", "Pfizer", "Moderna"], [(1, 2), (2, 2), (3, 3), (4, 4)]),
        # one-dose primary (Janssen): the booster keeps sd = 1, whatever its product
        (["Janssen", "Pfizer", "Pfizer"], [(1, 1), (2, 1), (3, 1)]),
        (["Janssen", "Janssen"], [(1, 1), (2, 1)]),
        # Janssen given as a booster after two doses: the primary series decides
        (["AstraZeneca", "AstraZeneca", "Janssen"], [(1, 2), (2, 2), (3, 3)]),
        # three-dose primary (Abdala), then a booster
        (["Abdala", "Abdala", "Abdala", "Pfizer"], [(1, 3), (2, 3), (3, 3), (4, 4)]),
        # an unfinished primary series stays n/2
        (["Vero Cell"], [(1, 2)]),
    ],
)
def test_booster_dn_sd_follow_the_eu_encoding(products_given, expected):
    doses = _one_persons_doses(list(products_given), "2021-06-01")
    records = pd.DataFrame(
        {"record_id": ["P"], "source_row": [2], "full_name": ["Lò Văn Páo"],
         "dob": pd.to_datetime(["1970-02-03"]), "dob_precision": ["day"],
         "id_compact": ["011070000123"]}
    )  # fmt: skip
    worklist = passport_worklist(doses, records, _no_findings(), work_date=date(2024, 1, 1))
    assert (worklist["status"] == READY).all(), worklist["reason"].tolist()
    payloads = dcc.certificate_payloads(worklist, doses, records, _no_findings())
    got = [
        (v["dn"], v["sd"])
        for v in (json.loads(p)["v"][0] for p in payloads.sort_values("dose_number")["payload"])
    ]
    assert got == expected
    assert dcc.schema_problems(payloads).empty


def test_encode_series_edges():
    dn = pd.array([1, 3, pd.NA, 2, 5], dtype="Int64")
    primary = pd.array([2, 2, 2, pd.NA, 1], dtype="Int64")
    got = [None if pd.isna(x) else int(x) for x in dcc.encode_series(dn, primary)]
    assert got == [2, 3, 2, None, 1]  # no position: the series still is 2; no series: unknown


def test_payload_text_rebuilds_the_payloads_byte_for_byte(commune_payloads):
    """The JSON text comes from the field columns alone: re-serialising them gives the same bytes
    (what column_problems checks is what is written)."""
    _, _, payloads = commune_payloads
    again = dcc.payload_text(payloads.assign(ci=payloads["ci"], dn=payloads["dn"]))
    assert again.tolist() == payloads["payload"].tolist()


def test_column_checks_of_mostly_distinct_columns_find_the_same_problems(
    commune_payloads, monkeypatch
):
    """Columns of mostly distinct values (the ids) are checked row by row on a large input rather
    than once per distinct value: both ways give the same problems, absent values aside."""
    _, _, payloads = commune_payloads
    sample = payloads.head(12).copy().reset_index(drop=True)
    broken = {"ci": ["URN:UVCI:01:VN:abc", None, "x" * 90], "dob": ["1990-13-01", "", None],
              "fnt": ["Nguyen", "NGUYỄN", None], "dt": ["2021-02-30", None, "2021-8-1"]}  # fmt: skip
    for field, values in broken.items():
        sample[field] = sample[field].astype(object)
        for i, value in enumerate(values):
            sample.at[3 * list(broken).index(field) + i, field] = value
    by_distinct = dcc.column_problems(sample)
    monkeypatch.setattr(schema_check, "_mostly_distinct", lambda text, probe=0: True)
    by_row = dcc.column_problems(sample)
    pd.testing.assert_frame_equal(by_row, by_distinct)
    assert {"v.0.ci", "dob", "nam.fnt", "v.0.dt"} <= set(by_row["field"])


def test_payload_files_do_not_depend_on_the_payloads_order(commune_payloads, tmp_path):
    """Payloads in the worklist's order (by facility) are written without a gather; in any other
    order they are grouped first: the files hold the same lines, in the payloads' order."""
    _, _, payloads = commune_payloads
    sorted_files = dcc.write_payload_files(tmp_path / "a", payloads)
    facilities = sorted(payloads["facility"].unique(), reverse=True)
    shuffled = pd.concat([payloads[payloads["facility"] == f] for f in facilities])
    other_files = dcc.write_payload_files(tmp_path / "b", shuffled)
    assert sorted(f.relative_to(tmp_path / "a") for f in sorted_files) == sorted(
        f.relative_to(tmp_path / "b") for f in other_files
    )
    for f in sorted_files:
        assert (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes() == f.read_bytes()
    # and a file holds its facility's payloads in their order
    first = payloads[payloads["facility"] == payloads["facility"].iloc[0]]
    name = dcc.facility_file_stem(first["facility"].iloc[0]) + ".jsonl"
    lines = (tmp_path / "a" / "20220515" / name).read_text("utf-8").splitlines()
    assert [json.loads(x)["dcc"] for x in lines] == [json.loads(p) for p in first["payload"]]
