"""``vaxutils police out|in``: steps S3–S4, the list the commune police check and sign."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.cli.review import (
    print_problems,
    screening_results,
    stage_table,
    with_contract_problems,
)
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.io.paths import check_out_dir, check_out_file

police_app = typer.Typer(
    help="Bước S3–S4: danh sách công an xã đối chiếu CSDL dân cư và ký / police check and sign-off.",
    no_args_is_help=True,
)
app.add_typer(police_app, name="police")


def _review(folder: Path | None) -> pd.DataFrame | None:
    return stage_table(folder, "review.parquet", "vaxutils review in")


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
    from vaxutils.workflow.police import police_sent, write_police_list

    check_out_file(out)
    records, findings, _ = screening_results(screened)
    reviewed = _review(review)
    path = write_police_list(out, records, findings, reviewed, commune=commune)
    n = len(police_sent(findings, reviewed))
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
    from vaxutils import io
    from vaxutils.workflow.police import keep_evidence, read_police_list

    check_out_dir(out)
    records, findings, summary = screening_results(screened)
    day = parse_day(export_date) or (
        date.fromisoformat(summary["export_date"]) if "export_date" in summary else None
    )
    result = read_police_list(workbook, records, findings, _review(review), export_date=day)
    out.mkdir(parents=True, exist_ok=True)
    io.write_parquet(out / "police_verified.parquet", result.verified)
    io.write_csv(out / "police_verified.csv", result.verified)
    io.write_csv(out / "changes.csv", result.changes)
    evidence = keep_evidence(workbook, out / "evidence", result.signoff["sha256"])
    signoff = {**result.signoff, "evidence": str(evidence.relative_to(out))}
    io.write_json(out / "signoff.json", signoff)
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
    failed_contract = False
    problems = result.problems
    if not no_contracts:
        from vaxutils import contracts

        checked = contracts.validate(result.verified, "police_verified", context=workbook.name)
        console.print(checked.summary_vi(), highlight=False)
        failed_contract = not checked.success
        problems = with_contract_problems(problems, checked, workbook.name)
    io.write_csv(out / "police_problems.csv", problems)
    io.write_parquet(out / "police_problems.parquet", problems)
    print_problems(console, problems, "police_problems.csv")
    console.print(
        f"Đã ghi [bold]{out}[/] (police_verified.csv, changes.csv, police_problems.csv, signoff.json, "
        f"bản lưu {evidence.name})."
    )
    if not result.ok or failed_contract:
        raise typer.Exit(1)
