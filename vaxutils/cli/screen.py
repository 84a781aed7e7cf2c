"""``vaxutils screen INPUT --out DIR``: step S1 for one export file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir
from vaxutils.schema import CATEGORY_LABELS_VI


def parse_day(value: str | None) -> date | None:
    """A dd/mm/yyyy or yyyy-mm-dd option value."""
    if value is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise VaxutilsError(
        f"Ngày '{value}' không hợp lệ: dùng dạng dd/mm/yyyy hoặc yyyy-mm-dd."
        f" / Invalid date '{value}': use dd/mm/yyyy or yyyy-mm-dd."
    )


def vn_number(n: int) -> str:
    """Thousands separated by dots, as Vietnamese readers write them.

    >>> vn_number(12802)
    '12.802'
    """
    return f"{n:,}".replace(",", ".")


@app.command("screen")
def screen_command(
    input: Path = typer.Argument(
        ..., help="Tệp xuất từ nền tảng tiêm chủng (xlsx, xls, csv, parquet)."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Thư mục ghi kết quả (findings.csv, records.parquet…)."
    ),
    columns: Path | None = typer.Option(
        None, "--columns", help="Tệp YAML ánh xạ cột: {tên_chuẩn: 'Tiêu đề trong tệp'}."
    ),
    registry: Path | None = typer.Option(
        None, "--registry", help="Trích xuất CSDL quốc gia về dân cư để đối chiếu."
    ),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất dữ liệu (dd/mm/yyyy); mặc định: hôm nay."
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Tên trang tính (mặc định: trang đầu)."),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu (nhanh hơn)."
    ),
) -> None:
    """Sàng lọc dữ liệu tiêm chủng của một xã (bước S1) / Screen one commune's export."""
    from vaxutils.screen import screen_file

    check_out_dir(out)
    console = Console()
    result = screen_file(
        input,
        out,
        columns=columns,
        registry=registry,
        export_date=parse_day(export_date),
        sheet=sheet,
        check_contracts=not no_contracts,
    )
    summary = result.summary
    table = Table(title=f"Kết quả sàng lọc: {input.name}")
    table.add_column("Danh sách")
    table.add_column("Số đối tượng", justify="right")
    for category, count in summary["records_per_category"].items():
        table.add_row(CATEGORY_LABELS_VI[category], vn_number(count))
    console.print(table)
    console.print(
        f"{vn_number(summary['n_records'])} đối tượng, {vn_number(summary['n_doses'])} mũi tiêm; "
        f"{vn_number(summary['n_records_with_errors'])} cần sửa, "
        f"{vn_number(summary['n_records_needing_review'])} cần kiểm tra."
    )
    console.print(
        f"Đã ghi kết quả vào [bold]{out}[/] (findings.csv, records.parquet, summary.json)."
    )
