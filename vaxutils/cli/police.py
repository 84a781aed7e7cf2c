"""``vaxutils police out|in``: steps S3–S4, the list the commune police check and sign."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.cli.review import print_problems
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.io.paths import check_out_dir, check_out_file

police_app = typer.Typer(
    help="Bước S3–S4: danh sách công an xã đối chiếu CSDL dân cư và ký / police check and sign-off.",
    no_args_is_help=True,
)
app.add_typer(police_app, name="police")


def _review(folder: Path | None):
    """The village review the list builds on (``vaxutils review in --out folder``), if given."""
    from vaxutils.stages import load_review

    return None if folder is None else load_review(folder).review


@police_app.command("out")
def police_out(
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Tệp Excel danh sách đối chiếu sẽ tạo (.xlsx)."),
    review: Path | None = typer.Option(
        None, "--review", help="Thư mục kết quả 'vaxutils review in' (danh sách sau rà soát thôn)."
    ),
    commune: str | None = typer.Option(None, "--commune", help="Tên xã, ghi ở đầu danh sách."),
) -> None:
    """Tạo danh sách gửi công an xã đối chiếu / Write the list for the commune police."""
    from vaxutils.stages import load_screen, run_police_out

    check_out_file(out)
    screening = load_screen(screened)
    written = run_police_out(screening, out, _review(review), commune=commune)
    path, n = written.path, written.n_sent
    Console().print(
        f"{vn_number(n)} đối tượng. Đã ghi [bold]{path}[/]: gửi công an xã đối chiếu, ký, nhận lại rồi "
        "chạy 'vaxutils police in'."
    )


@police_app.command("in")
def police_in(
    workbook: Path = typer.Argument(
        ..., help="Danh sách công an xã đã đối chiếu và gửi lại (.xlsx)."
    ),
    screened: Path = typer.Option(..., "--screened", help="Thư mục kết quả 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi kết quả đối chiếu và biên nhận ký."),
    review: Path | None = typer.Option(
        None, "--review", help="Thư mục kết quả 'vaxutils review in' đã dùng để tạo danh sách."
    ),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất dữ liệu (dd/mm/yyyy); mặc định: như lúc sàng lọc."
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu police_verified."
    ),
) -> None:
    """Nhận lại danh sách công an đã đối chiếu, kiểm tra và lưu biên nhận ký (S4).

    Thoát với mã 1 khi còn lỗi phải gửi lại công an xã.
    """
    from vaxutils.stages import load_screen, run_police_in

    check_out_dir(out)
    screening = load_screen(screened)
    result = run_police_in(
        workbook,
        screening,
        out,
        _review(review),
        export_day=parse_day(export_date),
        check_contracts=not no_contracts,
    )
    signoff = result.signoff
    evidence = Path(signoff["evidence"])
    console = Console()
    console.print(
        f"Đã đối chiếu: {vn_number(signoff['n_verified'])}; không tìm thấy: "
        f"{vn_number(signoff['n_not_found'])}; thông tin sửa theo CSDL: {vn_number(signoff['n_changes'])}."
    )
    console.print(
        f"Cán bộ ký: {', '.join(signoff['signed_by']) or '(chưa có)'}; SHA-256 của tệp: "
        f"{signoff['sha256'][:16]}…",
        highlight=False,
    )
    if result.checked is not None:
        console.print(result.checked.summary_vi(), highlight=False)
    print_problems(console, result.problems, "police_problems.csv")
    console.print(
        f"Đã ghi [bold]{out}[/] (police_verified.csv, changes.csv, police_problems.csv, signoff.json, "
        f"bản lưu {evidence.name})."
    )
    if not result.ok:
        raise typer.Exit(1)
