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
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Với một bộ dữ liệu (vaxutils ingest): địa chỉ dask scheduler (tcp://…:8786) hoặc"
        " 'local' (mặc định).",
    ),
    workers: int = typer.Option(
        2, "--workers", min=1, help="Số worker của cụm cục bộ (--scheduler local)."
    ),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Chỉ giữ đối tượng của một xã (mã 5 chữ số), khi tệp có nhiều xã.",
    ),
    registry_columns: Path | None = typer.Option(
        None,
        "--registry-columns",
        help="Tệp YAML ánh xạ cột của trích xuất CSDL dân cư: {tên_chuẩn: 'Tiêu đề'}.",
    ),
) -> None:
    """Sàng lọc dữ liệu tiêm chủng của một xã (bước S1) / Screen one commune's export.

    INPUT may also be a dataset folder written by ``vaxutils ingest``: every commune is then
    screened on a dask cluster (``--scheduler``), duplicates across communes included.
    """
    from vaxutils.batch.plan import commune_code_of
    from vaxutils.stages import run_screen

    check_out_dir(out)
    console = Console()
    if input.is_dir() and (input / "manifest.json").is_file():
        from vaxutils.screen.distributed import screen_dataset

        run = screen_dataset(
            input,
            out,
            scheduler=scheduler,
            export_date=parse_day(export_date),
            workers=workers,
            registry=registry,
            registry_columns=registry_columns,
        )
        _print_summary(console, run.summary, input.name, out)
        console.print(
            f"{vn_number(run.summary['n_communes'])} xã; kết quả từng xã trong [bold]{out}/communes[/]."
        )
        return
    if scheduler is not None:
        raise VaxutilsError(
            "--scheduler chỉ dùng với thư mục bộ dữ liệu (vaxutils ingest)."
            " / --scheduler needs a dataset folder written by 'vaxutils ingest'."
        )
    code = _commune_code(commune)
    result = run_screen(
        input,
        out,
        columns=columns,
        registry=registry,
        export_date=parse_day(export_date),
        sheet=sheet,
        check_contracts=not no_contracts,
        commune=code,
        registry_columns=registry_columns,
        # the commune's own file (export_<code>): its rows naming no commune, or a name that fits
        # this commune among others, are the commune's — as in a batch
        own_file=code is not None and commune_code_of(input) == code,
    )
    _print_summary(console, result.summary, input.name, out)
    console.print(
        f"Đã ghi kết quả vào [bold]{out}[/] (findings.csv, records.parquet, summary.json)."
    )


def _print_summary(console: Console, summary: dict, name: str, out: Path) -> None:
    table = Table(title=f"Kết quả sàng lọc: {name}")
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
    identity = summary.get("commune_identity", {})
    if identity.get("left_out"):
        console.print(
            f"[yellow]{vn_number(identity['left_out'])} dòng không xác định được xã (không có trong "
            f"danh mục hoặc trùng tên nhiều xã): đã để riêng, xem {out / identity['list']}.[/]"
        )
    problems = summary.get("registry_problems") or {}
    if problems.get("n_rows"):
        console.print(
            f"[yellow]Trích xuất CSDL dân cư: {vn_number(problems['n_rows'])} dòng có giá trị không "
            f"dùng được (không đối chiếu), xem {out / problems['list']}.[/]"
        )
    if summary.get("record_key"):
        console.print(summary["record_key"]["message_vi"])


def _commune_code(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not (text.isdigit() and text.isascii() and 1 <= len(text) <= 5):
        raise VaxutilsError(
            f"Mã xã '{value}' không hợp lệ: cần 5 chữ số, ví dụ 01420. / Invalid commune code."
        )
    return text.zfill(5)
