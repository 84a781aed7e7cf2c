"""S2–S7 end to end on a synthetic commune, played by scripted people who make real mistakes.

screen → review out → fill (IDs typed as numbers, dates as date cells, a blank row, a note row,
a sheet moved, legacy-font names answered both ways, duplicates, a death, a move, a non-resident)
→ review in → second round on the reported problems → police out → fill (an ID typed as a number,
a person the database does not hold) → police in (→ second round) → platform → the S5 files
applied to a copy of the export → verify → passport. Nothing may end wrong, lost, or changed when
it was right.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from vaxutils import io
from vaxutils.cli.roundtrip import run_round_trip
from vaxutils.synth import generate_commune
from vaxutils.synth.people import Script
from vaxutils.workflow.platform import NOT_IN_DATABASE


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    return run_round_trip(tmp_path_factory.mktemp("vong"), "01420", n_persons=400, seed=2022)


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="string", encoding="utf-8-sig")


def test_nothing_wrong_lost_or_changed(trip):
    c = trip.counts
    print(
        "\nHồ sơ sai lúc đầu: {wrong_at_start} — sửa đúng {fixed}, sai {wrong_final_value}, chờ có lý do "
        "{pending_with_reason}, bỏ sót {lost}; hồ sơ đúng lúc đầu: {correct_at_start} — bị sửa "
        "{changed_correct}".format(**c)
    )
    assert c["wrong_final_value"] == 0, c["wrong_ids"]
    assert c["lost"] == 0, c["lost_ids"]
    assert c["changed_correct"] == 0, c["changed_correct_ids"]
    assert c["wrong_at_start"] > 60 and c["fixed"] >= c["wrong_at_start"] - 10
    assert c["fixed"] + c["pending_with_reason"] == c["wrong_at_start"]
    # S6 sees it too: most records with problems before are fixed in the re-export
    assert trip.progress["statuses"]["đã sửa"] >= c["fixed"] // 2


def test_steps_refuse_until_the_mistakes_are_fixed(trip):
    codes = trip.exit_codes()
    assert codes["review in (lần 1)"] == 1 and codes["platform (chặn)"] == 1
    assert codes["review in (lần 2)"] == 0
    assert codes["police in (lần 1)"] == 1 and codes["police in (lần 2)"] == 0
    assert codes["platform"] == codes["verify"] == codes["passport"] == 0
    refused = next(s for s in trip.steps if s.name == "platform (chặn)").output
    assert "S2" in refused and "review_problems" in refused and "dòng" in refused


def test_the_first_round_mistakes_were_caught(trip):
    problems = io.read_parquet(trip.folder / "review_problems_lan1.parquet")
    errors = problems[problems["severity"].eq("error")]
    text = " ".join(errors["message"])
    assert "mất số 0" in text  # IDs typed as numbers
    assert "ô ngày của Excel" in text  # a date cell that could be day/month swapped
    assert "không có trong danh sách đã gửi" in text  # the note row under a table
    assert "chưa ghi mã đối tượng của hồ sơ còn lại" in text  # "Trùng" without the other
    assert errors["sheet"].notna().all() and errors["row"].notna().all()
    assert errors["column"].notna().all()
    # the record id as printed in the workbook, never masked
    assert not errors["record_id"].str.contains(r"\*", regex=True).fillna(False).any()
    shown = next(s for s in trip.steps if s.name == "review in (lần 1)").output
    assert "Không có lỗi" not in shown


def test_partial_takes_only_rows_that_passed(trip):
    codes = trip.exit_codes()
    assert codes["platform --partial"] == 0
    part = trip.folder / "s5_partial"
    problems = io.read_parquet(trip.folder / "review_problems_lan1.parquet")
    failed = problems[problems["severity"].eq("error") & problems["record_id"].str.match(r"\d{5}-")]
    left = _csv(part / "chua_nhap_duoc.csv").set_index("record_id")
    assert set(failed["record_id"]) <= set(left.index)
    assert left.loc[list(set(failed["record_id"])), "reason"].str.contains("S2").all()
    written = pd.concat(
        [
            _csv(part / "nhap_nen_tang.csv")["id_number"],
            _csv(part / "sua_truc_tiep.csv")["new_value"],
        ]
    )
    # a value that failed validation at S2 is never written
    assert not written.isin(failed["value"].dropna()).any()


def test_every_record_of_the_lists_ends_in_one_place(trip):
    outcome = _csv(trip.folder / "s5" / "ket_qua_s5.csv")
    assert outcome["record_id"].is_unique and outcome["outcome"].notna().all()
    files = {
        "nhập Excel": "nhap_nen_tang.csv",
        "gộp hồ sơ": "gop_trung.csv",
        "loại khỏi danh sách": "loai_khoi_danh_sach.csv",
        "chưa nhập được": "chua_nhap_duoc.csv",
        "đã đúng": "da_xac_nhan.csv",
        "sửa trực tiếp": "sua_truc_tiep.csv",
    }
    for place, name in files.items():
        listed = set(_csv(trip.folder / "s5" / name)["record_id"])
        assert listed == set(outcome.loc[outcome["outcome"].eq(place), "record_id"]), place
    review = io.read_parquet(trip.folder / "review" / "review.parquet")
    assert set(review["record_id"]) <= set(outcome["record_id"])


def test_legacy_names_reach_the_platform_both_ways(trip):
    script = _script()
    legacy = sorted(script.legacy_names)
    assert len(legacy) >= 2
    review = io.read_parquet(trip.folder / "review" / "review.parquet").set_index("record_id")
    assert {"Đúng", "Sửa"} <= set(review.loc[legacy, "decision"])
    edits = _csv(trip.folder / "s5" / "sua_truc_tiep.csv")
    imports = _csv(trip.folder / "s5" / "nhap_nen_tang.csv").set_index("record_id")
    names = edits[edits["field"].eq("Họ và tên")].set_index("record_id")
    for rid in legacy:
        new = names["new_value"].get(rid, imports["full_name"].get(rid))
        assert new == script.truth.loc[rid, "full_name"], rid
    before = io.read_export(trip.folder / "input" / "export_01420.xlsx").records
    platform_value = before.set_index("record_id")["full_name"]
    shown = names.loc[names.index.isin(legacy), "old_value"]
    assert (shown == platform_value.reindex(shown.index)).all()  # the export's own value
    assert names["who"].notna().all()  # "Người xác nhận" filled on village edits too


def test_duplicates_merge_and_passport_counts_one_person(trip):
    merges = _csv(trip.folder / "s5" / "gop_trung.csv")
    assert {"record_id", "keep_record_id"} <= set(merges.columns) and len(merges) >= 3
    script = _script()
    person = script.truth["person_id"]
    assert (
        person.reindex(merges["record_id"]).to_numpy()
        == person.reindex(merges["keep_record_id"]).to_numpy()
    ).all()
    # S7 before the merge: the duplicate's doses are blocked, numbers run over the merged history
    worklist = _csv(trip.folder / "passport_truoc" / "ky_ho_chieu_20220515.csv")
    pair = worklist[
        worklist["record_id"].isin(set(merges["record_id"]) | set(merges["keep_record_id"]))
    ]
    duplicate = pair[pair["record_id"].isin(merges["record_id"])]
    assert len(duplicate) and duplicate["reason"].str.contains("chờ gộp").all()
    keep_of = dict(zip(merges["record_id"], merges["keep_record_id"], strict=True))
    person_key = pair["record_id"].map(keep_of).fillna(pair["record_id"])
    numbers = (
        pair.assign(person=person_key)
        .groupby("person")["dose_number"]
        .agg(lambda n: sorted(n.astype(int).tolist()))
    )
    assert all(n == list(range(1, len(n) + 1)) for n in numbers)


def test_deaths_moves_and_the_police_not_finding_someone(trip):
    script = _script()
    removals = _csv(trip.folder / "s5" / "loai_khoi_danh_sach.csv").set_index("record_id")
    for rid, decision in script.events.items():
        assert removals.loc[rid, "decision"] == decision and pd.notna(
            removals.loc[rid, "platform_action"]
        )
    left = _csv(trip.folder / "s5" / "chua_nhap_duoc.csv").set_index("record_id")
    for rid in script.unknown_to_police:
        assert left.loc[rid, "reason"] == NOT_IN_DATABASE and pd.notna(left.loc[rid, "action"])


@functools.cache
def _script() -> Script:
    from vaxutils.cli.roundtrip import EXPORT_DATE, RATES

    commune = generate_commune(
        "01420", n_persons=400, seed=2022, rates=RATES, layout="wide", export_date=EXPORT_DATE
    )
    return Script.of(commune, 2022)
