"""``vaxutils verify NEW_EXPORT --previous DIR --out DIR``: step S6, what the platform update fixed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.io.paths import check_out_dir
from vaxutils.schema import CATEGORY_LABELS_VI


@app.command("verify")
def verify_command(
    export: Path = typer.Argument(..., help="Tệp xuất lại từ nền tảng sau khi đã cập nhật."),
    previous: Path = typer.Option(
        ..., "--previous", help="Thư mục kết quả sàng lọc lần trước ('vaxutils screen --out')."
    ),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi kết quả đối chiếu."),
    registry: Path | None = typer.Option(
        None, "--registry", help="Trích xuất CSDL quốc gia về dân cư để đối chiếu."
    ),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất lại dữ liệu (dd/mm/yyyy); mặc định: hôm nay."
    ),
    columns: Path | None = typer.Option(None, "--columns", help="Tệp YAML ánh xạ cột."),
    registry_columns: Path | None = typer.Option(
        None, "--registry-columns", help="Tệp YAML ánh xạ cột của trích xuất CSDL dân cư."
    ),
    platform_results: Path | None = typer.Option(
        None,
        "--platform-results",
        help="Kết quả nhập nền tảng (ket_qua_nhap.json hoặc thư mục của 'vaxutils platform results').",
    ),
) -> None:
    """Sàng lọc lại dữ liệu đã cập nhật và so với lần trước (bước S6) / Re-screen and compare.

    Mỗi bản ghi: đã sửa, còn sai, có lỗi mới, ổn, bản ghi mới, không còn.
    """
    from datetime import date

    from vaxutils.stages import run_verify
    from vaxutils.workflow.verify import STATUSES

    check_out_dir(out)
    stage = run_verify(
        export,
        previous,
        out,
        registry=registry,
        export_day=parse_day(export_date),
        columns=columns,
        registry_columns=registry_columns,
        platform_results=platform_results,
    )
    pace = stage.progress
    imported = pace.get("platform_import")

    console = Console()
    table = Table(title=f"Kết quả cập nhật: {export.name}")
    table.add_column("Tình trạng bản ghi")
    table.add_column("Số bản ghi", justify="right")
    for status in STATUSES:
        table.add_row(status, vn_number(pace["statuses"][status]))
    console.print(table)
    lists = Table(title="Theo danh sách (số đối tượng có vấn đề)")
    for label in ("Danh sách", "Lần trước", "Bây giờ"):
        lists.add_column(label, justify="left" if label == "Danh sách" else "right")
    for category, before in pace["per_list_before"].items():
        lists.add_row(
            CATEGORY_LABELS_VI[category],
            vn_number(before),
            vn_number(pace["per_list_now"][category]),
        )
    console.print(lists)
    if pace["days_left"] is not None and pace["days_left"] > 0:
        console.print(
            f"Còn {pace['days_left']} ngày đến hạn {date.fromisoformat(pace['deadline']):%d/%m/%Y}: "
            f"cần xử lý khoảng {str(pace['records_per_day_needed']).replace('.', ',')} đối tượng mỗi ngày."
        )
    elif pace["days_left"] is not None:
        console.print(
            f"[red]Đã quá hạn {date.fromisoformat(pace['deadline']):%d/%m/%Y}[/]: còn "
            f"{vn_number(pace['records_with_problems_now'])} đối tượng có vấn đề."
        )
    if imported is not None:
        console.print(
            f"Nhập lên nền tảng: {vn_number(imported['imported'])} thành công, "
            f"{vn_number(imported['failed'])} thất bại (cần sửa, nhập lại), "
            f"{vn_number(imported['no_result'])} chưa có kết quả."
        )
    console.print(f"Đã ghi [bold]{out}[/] (verify.csv, progress.json, screen/).")
