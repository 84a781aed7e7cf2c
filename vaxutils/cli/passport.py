"""``vaxutils passport SCREEN_DIR --out DIR``: step S7, each facility's list of doses to sign;
``--payloads`` adds the certificate payloads (EU DCC 1.3, JSON Lines per facility and day);
``vaxutils passport signed FILE --out DIR`` records what a facility signed (the signing ledger)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.review import screening_results
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir


def _table(path: Path | None, needed: tuple[str, ...]) -> pd.DataFrame | None:
    """A CSV a person or an earlier step wrote, as text; a clear message when a column is missing."""
    if path is None:
        return None
    if not path.is_file():
        raise VaxutilsError(f"Không có tệp '{path}'. / No file '{path}'.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = pd.read_excel(path, dtype="string", engine="calamine")
    else:
        table = pd.read_csv(path, dtype="string", encoding="utf-8-sig")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise VaxutilsError(
            f"Tệp '{path}' thiếu cột {', '.join(missing)} (cần: {', '.join(needed)}). / "
            f"'{path}' lacks the column(s) {', '.join(missing)}."
        )
    return table


def _sites(path: Path | None) -> pd.DataFrame | None:
    table = _table(path, ("co_so", "tuyen"))
    return None if table is None else table.rename(columns={"co_so": "facility", "tuyen": "level"})


@app.command("passport")
def passport_command(
    screened: Path = typer.Argument(
        ...,
        help="Thư mục kết quả của 'vaxutils screen' — hoặc 'signed' để ghi sổ các mũi đã ký.",
    ),
    signed_file: Path | None = typer.Argument(
        None,
        help="Với 'signed': danh sách ký cơ sở gửi lại (cột Đã ký) hoặc CSV Mã đối tượng, Mũi.",
    ),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi danh sách ký."),
    day: str | None = typer.Option(
        None, "--date", help="Ngày ký (dd/mm/yyyy); mặc định: ngày xuất dữ liệu lúc sàng lọc."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Chỉ các mũi tiêm từ ngày này (dd/mm/yyyy), ví dụ hôm qua."
    ),
    merges: Path | None = typer.Option(
        None,
        "--merges",
        help="Danh sách gộp hồ sơ trùng của bước S5 (gop_trung.csv): hồ sơ chờ gộp tính như một người.",
    ),
    sites: Path | None = typer.Option(
        None,
        "--sites",
        help="Tệp CSV ánh xạ cơ sở tiêm → tuyến (cột 'co_so' và 'tuyen'), ưu tiên hơn cột Tuyến và tên cơ sở.",
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu passport_worklist."
    ),
    payloads: bool = typer.Option(
        False,
        "--payloads",
        help="Ghi dữ liệu chứng nhận (EU DCC 1.3, JSON Lines) cho mỗi mũi sẵn sàng ký, theo cơ sở và ngày.",
    ),
    facility: str | None = typer.Option(
        None, "--facility", help="Với 'signed': cơ sở tiêm đã ký (khi tệp không có cột Cơ sở tiêm)."
    ),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Mã xã (hoặc tên xã) của danh sách; bắt buộc khi thư mục sàng lọc có nhiều xã.",
    ),
) -> None:
    """Danh sách ký xác nhận hộ chiếu vắc xin theo cơ sở tiêm (bước S7) / Passport worklist.

    Mỗi mũi tiêm: sẵn sàng ký, hoặc bị chặn kèm lý do. Các mũi đã ghi trong sổ ký
    (``vaxutils passport signed FILE --out DIR``) không còn trong danh sách.
    """
    from vaxutils import io

    if str(screened) == "signed" and not screened.is_dir():
        _record_signed(signed_file, out, parse_day(day), facility)
        return
    if signed_file is not None:
        raise typer.BadParameter(
            f"Thừa tham số '{signed_file}'. Dùng: vaxutils passport THƯ_MỤC_SÀNG_LỌC --out DIR, "
            "hoặc vaxutils passport signed TỆP --out DIR."
        )
    from vaxutils.passport import READY, ledger, passport_worklist, write_passport_workbook

    check_out_dir(out)
    records, findings, summary = screening_results(screened, ("doses.parquet",))
    doses = io.read_parquet(screened / "doses.parquet")
    mine = io.one_commune(
        records, findings, doses, commune
    )  # a shared export's folder: one commune
    records, findings, doses = mine.records, mine.findings, mine.doses
    work_date = parse_day(day) or (
        date.fromisoformat(summary["export_date"]) if "export_date" in summary else date.today()
    )
    full = passport_worklist(
        doses,
        records,
        findings,
        work_date=work_date,
        since=parse_day(since),
        merges=_table(merges, ("record_id", "keep_record_id")),
        sites=_sites(sites),
    )
    # doses the ledger says were signed are off the list; the backlog counts what is left
    signing = ledger.read_ledger(out)
    backlog = ledger.backlog_table(full, signing, work_date)
    worklist = ledger.leave_out_signed(full, signing)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"ky_ho_chieu_{work_date:%Y%m%d}"
    workbook = write_passport_workbook(out / f"{stem}.xlsx", worklist)
    io.write_parquet(out / f"{stem}.parquet", worklist)
    io.write_csv(out / f"{stem}.csv", worklist)
    console = Console()
    table = Table(title=f"Ký hộ chiếu vắc xin ngày {work_date:%d/%m/%Y}")
    for label in ("Cơ sở tiêm", "Sẵn sàng ký", "Bị chặn"):
        table.add_column(label, justify="right" if label != "Cơ sở tiêm" else "left")
    for facility, rows in worklist.groupby("facility", sort=True):
        ready = int(rows["status"].eq(READY).sum())
        table.add_row(str(facility), vn_number(ready), vn_number(len(rows) - ready))
    console.print(table)
    if len(full) > len(worklist):
        console.print(
            f"{vn_number(len(full) - len(worklist))} mũi đã ký (theo sổ ký) không còn trong danh sách."
        )
    io.write_csv(out / f"ton_dong_{work_date:%Y%m%d}.csv", backlog)
    _print_backlog(console, backlog)
    dated = doses["dose_date"].notna().sum()
    left_out = int(dated) - len(full) if since is None else None
    if left_out:
        console.print(
            f"{vn_number(left_out)} mũi tiêm không đưa vào danh sách (sau ngày ký, thiếu số mũi, trùng "
            "số mũi hoặc sai thứ tự ngày): xem findings.csv của bước sàng lọc."
        )
    if not no_contracts:
        from vaxutils import contracts

        checked = contracts.validate(worklist, "passport_worklist", context=workbook.name)
        console.print(checked.summary_vi(), highlight=False)
        if not checked.success:
            raise typer.Exit(1)
    console.print(f"Đã ghi [bold]{workbook}[/] (mỗi cơ sở tiêm một trang) và {stem}.csv.")
    if payloads:
        _write_payloads(out, worklist, doses, records, findings, console)


def _print_backlog(console: Console, backlog) -> None:
    """Ready doses not yet signed, by age (the Ministry asks for signing within a day)."""
    waiting = [c for c in backlog.columns if c.startswith("chưa ký")]
    if backlog.empty or not backlog[waiting].to_numpy().any():
        return
    table = Table(title="Mũi sẵn sàng chưa ký, theo số ngày từ khi tiêm / backlog by age")
    table.add_column("Cơ sở tiêm")
    for column in waiting:
        table.add_column(column.removeprefix("chưa ký "), justify="right")
    for row in backlog.itertuples(index=False):
        values = [int(getattr(row, "_" + str(backlog.columns.get_loc(c)))) for c in waiting]
        if any(values):
            table.add_row(str(row.facility), *(vn_number(v) for v in values))
    console.print(table)


def _write_payloads(out: Path, worklist, doses, records, findings, console: Console) -> None:
    """Certificate payloads of the ready doses, checked against the DCC schema, as JSON Lines."""
    from vaxutils import io
    from vaxutils.passport import dcc

    payloads = dcc.certificate_payloads(worklist, doses, records, findings)
    problems = dcc.column_problems(payloads)
    checked = dcc.schema_problems(payloads)
    problems = problems.merge(checked, how="outer") if len(checked) else problems
    bad = problems["row"].astype("int64").unique() if len(problems) else []
    good = payloads.drop(index=payloads.index[bad]) if len(bad) else payloads
    files = dcc.write_payload_files(out / "chung_nhan", good)
    if len(bad):
        rows = payloads.iloc[bad][["facility", "record_id", "dose_number"]].reset_index(drop=True)
        listed = problems.merge(rows.assign(row=bad), on="row")
        io.write_csv(out / "chung_nhan_loi.csv", listed.drop(columns="row"))
        console.print(
            f"[bold red]{vn_number(len(bad))} chứng nhận không đạt lược đồ DCC[/] (không ghi): xem "
            "chung_nhan_loi.csv."
        )
    console.print(
        f"Đã ghi {vn_number(len(good))} chứng nhận (EU DCC {dcc.DCC_VERSION}) vào {len(files)} tệp "
        f"JSON Lines trong [bold]{out / 'chung_nhan'}[/] (một tệp mỗi cơ sở tiêm và ngày)."
    )


def _record_signed(signed_file: Path | None, out: Path, day, facility: str | None) -> None:
    """``vaxutils passport signed FILE --out DIR``: add what a facility signed to the ledger."""
    from vaxutils import io
    from vaxutils.passport import ledger

    if signed_file is None:
        raise typer.BadParameter("Thiếu tệp: vaxutils passport signed TỆP --out THƯ_MỤC_KÝ.")
    signed, problems = ledger.read_signed(signed_file, signed_on=day, facility=facility)
    lists = sorted(out.glob("ky_ho_chieu_*.parquet")) if out.is_dir() else []
    if lists and len(signed):
        # a dose that was on none of the lists given to the facilities cannot have been signed from them
        listed = pd.concat([io.read_parquet(p)[["record_id", "dose_number"]] for p in lists])
        key = pd.MultiIndex.from_frame(
            listed.astype({"record_id": "string", "dose_number": "Int64"})
        )
        known = pd.MultiIndex.from_frame(signed[["record_id", "dose_number"]]).isin(key)
        for row in signed[~known].itertuples(index=False):
            problems.loc[len(problems)] = [None, None, "Mã đối tượng", f"{row.record_id} mũi {row.dose_number}",
                                           "Mũi này không có trong danh sách ký nào đã gửi: kiểm tra mã đối tượng và số mũi."]  # fmt: skip
        signed = signed[known]
    book = ledger.record_signed(ledger.read_ledger(out), signed)
    io.write_parquet(out / ledger.LEDGER_FILE, book)
    io.write_csv(out / ledger.LEDGER_FILE.replace(".parquet", ".csv"), book)
    console = Console()
    console.print(
        f"Đã ghi {vn_number(len(signed))} mũi đã ký từ '{signed_file.name}' vào sổ ký "
        f"[bold]{out / ledger.LEDGER_FILE}[/] ({vn_number(len(book))} mũi trong sổ)."
    )
    if len(problems):
        table = Table(title=f"{vn_number(len(problems))} dòng không ghi được vào sổ ký")
        for label in ("Trang", "Dòng", "Cột", "Giá trị", "Vấn đề"):
            table.add_column(label)
        for row in problems.head(20).itertuples(index=False):
            table.add_row(*("" if pd.isna(v) else str(v) for v in row))
        console.print(table)
        raise typer.Exit(1)
