"""``vaxutils ingest EXPORTS... --out DATASET``: exports into the national Parquet dataset."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.cli.screen import vn_number
from vaxutils.errors import VaxutilsError


@app.command("ingest")
def ingest_command(
    exports: list[Path] = typer.Argument(
        ..., help="Các tệp xuất (xlsx, xls, csv, parquet), bao nhiêu tệp cũng được."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Thư mục bộ dữ liệu (province=…/commune=…); tạo nếu chưa có."
    ),
    columns: Path | None = typer.Option(
        None, "--columns", help="Tệp YAML ánh xạ cột: {tên_chuẩn: 'Tiêu đề trong tệp'}."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Số tiến trình đọc song song (mặc định: số lõi)."
    ),
) -> None:
    """Đưa tệp xuất vào bộ dữ liệu Parquet phân vùng theo tỉnh/xã / Ingest exports into the dataset.

    A file already ingested and unchanged (same SHA-256) is skipped; a changed one has its rows
    replaced; other files' rows are not touched.
    """
    from vaxutils.dataset import ingest

    console = Console()
    report = ingest(exports, out, columns=columns, workers=workers)
    console.print(
        f"Thêm {len(report.added)} tệp, thay {len(report.replaced)} tệp, "
        f"giữ nguyên {len(report.unchanged)} tệp: {vn_number(report.n_records)} hồ sơ, "
        f"{vn_number(report.n_doses)} mũi tiêm vào [bold]{out}[/]. / added {len(report.added)}, "
        f"replaced {len(report.replaced)}, unchanged {len(report.unchanged)} files."
    )
    for path, message in report.failed.items():
        Console(stderr=True).print(f"[bold red]Lỗi:[/] {path}: {message}", highlight=False)
    if report.failed:
        raise VaxutilsError(
            f"{len(report.failed)} tệp không đọc được (xem ở trên); các tệp khác đã được đưa vào."
            f" / {len(report.failed)} file(s) could not be read (see above); the others were ingested."
        )
