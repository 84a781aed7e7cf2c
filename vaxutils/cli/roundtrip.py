"""The S2–S7 round trip on one synthetic commune, played by scripted people (what ``make demo`` and
the end-to-end test run).

Every step is the command a commune health station types (``vaxutils screen``, ``review out``,
``review in``, ``police out``, ``police in``, ``platform``, ``verify``, ``passport``), run in this
process; the people in between are :mod:`vaxutils.synth.people`. The result keeps each step's
exit code and output, the counts of :func:`vaxutils.synth.people.score_round_trip` and S6's
progress.
"""

from __future__ import annotations

import contextlib
import html
import io as _io
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import typer

from vaxutils import io, stages
from vaxutils.cli.screen import vn_number
from vaxutils.synth import ErrorRates, generate_commune, write_commune
from vaxutils.synth.people import (
    Script,
    apply_platform_files,
    fill_police,
    fill_review,
    fix_reported,
    long_export,
    score_round_trip,
)
from vaxutils.workflow.platform import OUTCOMES

EXPORT_DATE = date(2022, 5, 15)
# twice the usual damage: a small commune still shows every kind of mistake
RATES = ErrorRates().scaled(2.0)


@dataclass
class Step:
    name: str
    args: list[str]
    exit_code: int
    output: str


@dataclass
class RoundTrip:
    """What happened: ``steps`` (each command's exit code and output), ``counts`` (the score),
    ``progress`` (S6), ``folder`` (every file of the round trip)."""

    folder: Path
    steps: list[Step] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    progress: dict = field(default_factory=dict)
    s5_counts: dict = field(default_factory=dict)

    def exit_codes(self) -> dict[str, int]:
        return {s.name: s.exit_code for s in self.steps}


def _run(trip: RoundTrip, name: str, *args: str | Path) -> Step:
    """One vaxutils command, in this process, its output kept."""
    from vaxutils.cli import app

    argv = [str(a) for a in args]
    out = _io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            # without standalone mode click hands back the exit code of typer.Exit
            code = typer.main.get_command(app).main(argv, standalone_mode=False) or 0
        except typer.Exit as stop:
            code = stop.exit_code
        except SystemExit as stop:
            code = int(stop.code or 0)
    step = Step(name, argv, code, out.getvalue())
    trip.steps.append(step)
    return step


def run_round_trip(
    folder: str | Path,
    commune_code: str = "01420",
    *,
    n_persons: int = 600,
    seed: int = 2022,
    layout: str = "wide",
) -> RoundTrip:
    """Screen → review out → fill → review in → second round → police out → fill → police in
    (→ second round) → platform → S5 files applied to a copy of the export → verify → passport."""
    folder = Path(folder)
    trip = RoundTrip(folder)
    day = f"{EXPORT_DATE:%d/%m/%Y}"
    commune = generate_commune(
        commune_code, n_persons=n_persons, seed=seed, rates=RATES, layout=layout,
        export_date=EXPORT_DATE,
    )  # fmt: skip
    export = write_commune(commune, folder / "input", fmt="xlsx")["export"]
    script = Script.of(commune, seed)
    screened, review, police, platform = (folder / n for n in ("screen", "review", "police", "s5"))

    # the police's extract of the population database for the commune (S3), as screening reads it
    registry = folder / "input" / f"registry_{commune.commune_code}.parquet"
    screen_args = ("--registry", registry, "--export-date", day)
    _run(trip, "screen", "screen", export, "--out", screened, *screen_args)
    _run(trip, "review out", "review", "out", screened, "--out", folder / "ra_soat.xlsx")
    first = fill_review(folder / "ra_soat.xlsx", folder / "da_ra_soat_1.xlsx", script)
    review_in = ("--screened", screened, "--out", review, "--export-date", day)
    _run(trip, "review in (lần 1)", "review", "in", first, *review_in)
    shutil.copyfile(review / "review_problems.parquet", folder / "review_problems_lan1.parquet")
    # the platform refuses while the review has errors; --partial takes the rows that passed
    _run(trip, "platform (chặn)", "platform", screened, "--review", review, "--out", platform)
    _run(
        trip, "platform --partial", "platform", screened, "--review", review,
        "--out", folder / "s5_partial", "--partial",
    )  # fmt: skip
    second = fix_reported(
        first, folder / "da_ra_soat_2.xlsx", stages.load_review(review).problems, script
    )
    _run(trip, "review in (lần 2)", "review", "in", second, *review_in)

    police_list = folder / "doi_chieu.xlsx"
    _run(trip, "police out", "police", "out", screened, "--review", review, "--out", police_list)
    signed = fill_police(police_list, folder / "da_ky_1.xlsx", script)
    police_in = ("--screened", screened, "--review", review, "--out", police, "--export-date", day)
    if _run(trip, "police in (lần 1)", "police", "in", signed, *police_in).exit_code:
        signed = fix_reported(
            signed, folder / "da_ky_2.xlsx", stages.load_police(police).problems, script,
            police=True,
        )  # fmt: skip
        _run(trip, "police in (lần 2)", "police", "in", signed, *police_in)

    _run(
        trip, "platform", "platform", screened, "--review", review, "--police", police,
        "--out", platform, "--priority-group", "15",
    )  # fmt: skip
    lists = stages.load_platform(platform)
    files = {
        "nhap_nen_tang": lists["imports"],
        "sua_truc_tiep": lists["edits"],
        "gop_trung": lists["merges"],
        "loai_khoi_danh_sach": lists["removals"],
    }
    pending = pd.Index(lists["left_out"]["record_id"]).union(
        pd.Index(files["loai_khoi_danh_sach"]["record_id"])
    )
    trip.s5_counts = lists["outcome"]["outcome"].value_counts().to_dict()

    before = io.read_export(export)
    records, doses = apply_platform_files(
        before.records, before.doses, files["nhap_nen_tang"], files["sua_truc_tiep"],
        files["gop_trung"], files["loai_khoi_danh_sach"],
    )  # fmt: skip
    updated = io.write_csv(
        folder / f"export_{commune.commune_code}_sau_s5.csv", long_export(records, doses)
    )
    verify = folder / "verify"
    _run(
        trip,
        "verify",
        "verify",
        updated,
        "--previous",
        screened,
        "--out",
        verify,
        "--export-date",
        day,
    )
    trip.progress = stages.load_verify(verify).progress
    _run(
        trip, "passport (trước S5, chờ gộp)", "passport", screened, "--out", folder / "passport_truoc",
        "--merges", platform / stages.layout.PLATFORM.merges,
    )  # fmt: skip
    _run(
        trip,
        "passport",
        "passport",
        verify / stages.layout.VERIFY.screen,
        "--out",
        folder / "passport",
    )

    after = io.read_export(updated)
    trip.counts = score_round_trip(
        script, before.records, after.records, files["gop_trung"], pending
    )
    io.write_atomic(
        folder / "bao_cao_vong_ra_soat.html",
        lambda tmp: tmp.write_text(round_trip_page(trip, commune.commune_code), encoding="utf-8"),
    )
    io.write_json(
        folder / "ket_qua_vong_rasoat.json",
        {
            "counts": trip.counts,
            "s5": trip.s5_counts,
            "exit_codes": trip.exit_codes(),
            "progress": trip.progress,
        },
    )
    return trip


COUNT_LABELS = {
    "wrong_at_start": "Hồ sơ sai lúc đầu",
    "fixed": "  đã sửa đúng",
    "wrong_final_value": "  sửa thành giá trị sai",
    "pending_with_reason": "  đang chờ, có lý do",
    "lost": "  bị bỏ sót",
    "correct_at_start": "Hồ sơ đúng lúc đầu",
    "changed_correct": "  bị sửa (không được có)",
}

S5_ORDER = OUTCOMES


def _table(rows: list[tuple[str, object]], head: tuple[str, str]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td class='num'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return (
        f"<table><thead><tr><th>{html.escape(head[0])}</th><th>{html.escape(head[1])}</th></tr>"
        f"</thead><tbody>{cells}</tbody></table>"
    )


def round_trip_page(trip: RoundTrip, commune: str) -> str:
    """A self-contained HTML page: the counts of the round trip, S5's places, S6's progress."""
    from vaxutils.report import html_page

    c, p = trip.counts, trip.progress
    counts = [(label.strip(), vn_number(c[key])) for key, label in COUNT_LABELS.items()]
    s5 = [(o, vn_number(int(trip.s5_counts.get(o, 0)))) for o in S5_ORDER]
    statuses = [(s, vn_number(n)) for s, n in p.get("statuses", {}).items()]
    steps = [
        (s.name, "đạt" if s.exit_code == 0 else f"trả lại (mã {s.exit_code})") for s in trip.steps
    ]
    body = (
        f"<h1>Vòng rà soát S2–S7 — xã {html.escape(commune)} (dữ liệu giả lập)</h1>"
        "<p>Tổ thôn, công an xã và trạm y tế do kịch bản đóng vai, có nhầm lẫn như người thật "
        "(số CCCD gõ thành số, ngày sinh dạng ô ngày, dòng trống, dòng ghi chú, tên lỗi phông, hồ sơ "
        "trùng, người đã mất, đã chuyển đi, người không có trong CSDL dân cư).</p>"
        "<h2>Kết quả trên từng hồ sơ</h2>" + _table(counts, ("Hồ sơ", "Số"))
        + "<h2>Bước S5: mỗi hồ sơ trong danh sách ở đúng một nơi</h2>"
        + _table(s5, ("Kết quả", "Số hồ sơ"))
        + "<h2>Bước S6: đối chiếu sau khi cập nhật nền tảng</h2>"
        + _table(statuses, ("Tình trạng", "Số bản ghi"))
        + "<h2>Các bước đã chạy</h2>" + _table(steps, ("Bước", "Kết quả"))
    )  # fmt: skip
    return html_page(f"Vòng rà soát — {commune}", body)
