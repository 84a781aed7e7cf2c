"""``vaxutils platform SCREEN_DIR --out DIR``: step S5, the import file and the direct-edit list."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.cli.review import screening_results, stage_table
from vaxutils.cli.screen import vn_number
from vaxutils.io.paths import check_out_dir


@app.command("platform")
def platform_command(
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi tệp nhập và danh sách sửa."),
    review: Path | None = typer.Option(
        None, "--review", help="Thư mục kết quả 'vaxutils review in'."
    ),
    police: Path | None = typer.Option(
        None, "--police", help="Thư mục kết quả 'vaxutils police in'."
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu platform_import."
    ),
) -> None:
    """Tệp nhập lên nền tảng và danh sách sửa trực tiếp (bước S5) / Platform import and edits."""
    from vaxutils import io
    from vaxutils.workflow.platform import platform_files, write_platform_workbooks

    check_out_dir(out)
    records, findings, _ = screening_results(screened)
    files = platform_files(
        records,
        findings,
        stage_table(review, "review.parquet", "vaxutils review in"),
        stage_table(police, "police_verified.parquet", "vaxutils police in"),
    )
    written = write_platform_workbooks(out, files)
    for name, frame in (("nhap_nen_tang", files.imports), ("sua_truc_tiep", files.edits)):
        io.write_csv(out / f"{name}.csv", frame)
    io.write_csv(out / "chua_nhap_duoc.csv", files.left_out)
    console = Console()
    console.print(
        f"Nhập qua Excel: {vn_number(len(files.imports))} hồ sơ → [bold]{written['import']}[/]\n"
        f"Sửa trực tiếp: {vn_number(len(files.edits))} thông tin của "
        f"{vn_number(files.edits['record_id'].nunique())} hồ sơ → [bold]{written['edits']}[/]\n"
        f"Chưa nhập được: {vn_number(len(files.left_out))} hồ sơ (xem trang 'Chưa nhập được')."
    )
    if police is None:
        console.print(
            "[yellow]Chưa có kết quả đối chiếu của công an xã (--police): số giấy tờ mới chỉ do thôn rà soát.[/]"
        )
    if not no_contracts and len(files.imports):
        from vaxutils import contracts

        checked = contracts.validate(
            files.imports, "platform_import", context=written["import"].name
        )
        console.print(checked.summary_vi(), highlight=False)
        if not checked.success:
            raise typer.Exit(1)
