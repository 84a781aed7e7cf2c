"""``vaxutils passport SCREEN_DIR --out DIR``: step S7, each facility's list of doses to sign."""

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
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
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
) -> None:
    """Danh sách ký xác nhận hộ chiếu vắc xin theo cơ sở tiêm (bước S7) / Passport worklist.

    Mỗi mũi tiêm: sẵn sàng ký, hoặc bị chặn kèm lý do.
    """
    from vaxutils import io
    from vaxutils.passport import READY, passport_worklist, write_passport_workbook

    check_out_dir(out)
    records, findings, summary = screening_results(screened, ("doses.parquet",))
    doses = io.read_parquet(screened / "doses.parquet")
    work_date = parse_day(day) or (
        date.fromisoformat(summary["export_date"]) if "export_date" in summary else date.today()
    )
    worklist = passport_worklist(
        doses,
        records,
        findings,
        work_date=work_date,
        since=parse_day(since),
        merges=_table(merges, ("record_id", "keep_record_id")),
        sites=_sites(sites),
    )
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
    dated = doses["dose_date"].notna().sum()
    left_out = int(dated) - len(worklist) if since is None else None
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
