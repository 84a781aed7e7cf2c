"""``vaxutils review out|in``: step S2, the village review workbook and its return."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.errors import VaxutilsError
from vaxutils.io.one_commune import one_commune
from vaxutils.io.paths import check_out_dir, check_out_file

review_app = typer.Typer(
    help="Bước S2: gửi danh sách rà soát cho thôn/ấp và nhận lại / village review round trip.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

_SCREENED = ("records.parquet", "findings.parquet")
_SHOWN_PROBLEMS = 15


def screening_results(
    folder: Path, also: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """records, findings and summary written by ``vaxutils screen --out folder`` (and check that
    the files in ``also`` are there too)."""
    missing = [name for name in (*_SCREENED, *also) if not (folder / name).is_file()]
    if missing:
        raise VaxutilsError(
            f"Thư mục '{folder}' không có kết quả sàng lọc ({', '.join(missing)}): chạy "
            f"'vaxutils screen <tệp xuất> --out {folder}' trước. / '{folder}' holds no screening "
            "results: run 'vaxutils screen' first."
        )
    from vaxutils import io

    summary_path = folder / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else {}
    return (
        io.read_parquet(folder / "records.parquet"),
        io.read_parquet(folder / "findings.parquet"),
        summary,
    )


def stage_table(folder: Path | None, name: str, command: str) -> pd.DataFrame | None:
    """``folder/name`` written by an earlier step (``command``), or None when no folder was given."""
    if folder is None:
        return None
    path = folder / name
    if not path.is_file():
        raise VaxutilsError(
            f"Thư mục '{folder}' không có {name}: chạy '{command} ... --out {folder}' trước. / "
            f"No {name} in '{folder}': run '{command}' first."
        )
    from vaxutils import io

    return io.read_parquet(path)


@review_app.command("out")
def review_out(
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Tệp Excel rà soát sẽ tạo (.xlsx)."),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Tên xã (hoặc mã xã), ghi ở đầu mỗi trang; bắt buộc khi thư mục sàng lọc có nhiều xã.",
    ),
) -> None:
    """Tạo sổ rà soát: mỗi thôn một trang, các đối tượng cần rà soát / Write the review workbook."""
    from vaxutils.workflow.review import review_sheets, write_review_workbook

    check_out_file(out)
    records, findings, _ = screening_results(screened)
    mine = one_commune(records, findings, commune=commune)  # a shared export's folder: one commune
    records, findings = mine.records, mine.findings
    sheets = review_sheets(records, findings)
    path = write_review_workbook(out, records, findings, commune=commune)
    console = Console()
    table = Table(title=f"Sổ rà soát: {path.name}")
    table.add_column("Thôn/Ấp/Tổ")
    table.add_column("Số đối tượng cần rà soát", justify="right")
    for village, rows in sheets.items():
        table.add_row(village, vn_number(len(rows)))
    console.print(table)
    total = sum(len(rows) for rows in sheets.values())
    if not total:
        console.print("Không có đối tượng nào cần thôn/ấp rà soát.")
    console.print(
        f"{vn_number(total)} đối tượng trong {len(sheets)} thôn. Đã ghi [bold]{path}[/]: gửi cho các tổ "
        "rà soát, nhận lại rồi chạy 'vaxutils review in'."
    )


@review_app.command("in")
def review_in(
    workbook: Path = typer.Argument(..., help="Sổ rà soát các thôn gửi lại (.xlsx)."),
    screened: Path = typer.Option(
        ..., "--screened", help="Thư mục kết quả 'vaxutils screen' đã dùng để tạo sổ."
    ),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi kết quả rà soát."),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất dữ liệu (dd/mm/yyyy); mặc định: như lúc sàng lọc."
    ),
    allow_undecided: bool = typer.Option(
        False, "--allow-undecided", help="Chấp nhận sổ còn dòng chưa có kết luận."
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu village_review."
    ),
) -> None:
    """Nhận lại sổ rà soát, kiểm tra từng dòng / Read the returned workbook and check it.

    Thoát với mã 1 khi còn lỗi phải gửi lại thôn sửa.
    """
    from vaxutils import io
    from vaxutils.workflow.review import read_review_workbook

    check_out_dir(out)
    records, findings, summary = screening_results(screened)
    day = parse_day(export_date) or (
        date.fromisoformat(summary["export_date"]) if "export_date" in summary else None
    )
    result = read_review_workbook(workbook, records, findings, export_date=day)
    console = Console()
    _print_decisions(console, result.review)
    failed_contract = False
    problems = result.problems
    if not no_contracts:
        from vaxutils import contracts

        params = {"min_decided_share": 0.0} if allow_undecided else None
        checked = contracts.validate(
            result.review, "village_review", params, context=f"sổ rà soát {workbook.name}"
        )
        console.print(checked.summary_vi(), highlight=False)
        failed_contract = not checked.success
        problems = with_contract_problems(problems, checked, workbook.name)
    if not allow_undecided:
        # an undecided row must go back to its village (unless --allow-undecided): an error
        undecided_rows = problems["message"].str.startswith("Chưa có kết luận").fillna(False)
        problems = problems.assign(severity=problems["severity"].mask(undecided_rows, "error"))
    out.mkdir(parents=True, exist_ok=True)
    io.write_parquet(out / "review.parquet", result.review)
    io.write_csv(out / "review.csv", result.review)
    io.write_csv(out / "changes.csv", result.changes)
    io.write_csv(out / "review_problems.csv", problems)
    io.write_parquet(out / "review_problems.parquet", problems)
    print_problems(console, problems)
    console.print(
        f"Đã ghi [bold]{out}[/] (review.parquet, review.csv, changes.csv: {vn_number(len(result.changes))} "
        "thông tin sửa; review_problems.csv)."
    )
    undecided = result.review["decision"].isna().any() and not allow_undecided
    if problems["severity"].eq("error").any() or failed_contract or undecided:
        raise typer.Exit(1)


def _print_decisions(console: Console, review: pd.DataFrame) -> None:
    table = Table(title="Kết luận của các tổ")
    table.add_column("Kết luận")
    table.add_column("Số đối tượng", justify="right")
    counts = review["decision"].fillna("(chưa có kết luận)").value_counts(sort=False)
    for decision, count in counts.items():
        table.add_row(str(decision), vn_number(int(count)))
    console.print(table)


def with_contract_problems(problems: pd.DataFrame, checked, file: str) -> pd.DataFrame:
    """The row checks cover the data contract; should the contract still fail where no row has an
    error, each failed rule becomes a problem of its own, so the list never reads "no errors"
    while the step fails."""
    if checked.success or problems["severity"].eq("error").any():
        return problems
    extra = pd.DataFrame(
        {
            "severity": "error",
            "sheet": pd.NA,
            "row": pd.NA,
            "column": [f.column for f in checked.failures],
            "record_id": pd.NA,
            "value": ["; ".join(f.examples) or pd.NA for f in checked.failures],
            "message": [
                f"Tệp {file} chưa đạt điều kiện: {f.description}" for f in checked.failures
            ],
        }
    )
    return pd.concat([problems, extra.astype(problems.dtypes.to_dict())], ignore_index=True)


def print_problems(
    console: Console, problems: pd.DataFrame, file: str = "review_problems.csv"
) -> None:
    errors = int(problems["severity"].eq("error").sum())
    warnings = int(problems["severity"].eq("warning").sum())
    if not len(problems):
        console.print("[green]Không có lỗi.[/]")
        return
    if not errors:
        console.print("[green]Không có lỗi phải gửi lại[/] (chỉ có cảnh báo).")
    console.print(f"[bold]Cần xem lại: {vn_number(errors)} lỗi, {vn_number(warnings)} cảnh báo[/]")
    shown = problems.sort_values("severity", kind="stable").head(_SHOWN_PROBLEMS)
    for p in shown.itertuples(index=False):
        # one line per problem, where to look first: sheet, row, column, the record id as printed
        where = [
            f"trang '{p.sheet}'" if pd.notna(p.sheet) else None,
            f"dòng {p.row}" if pd.notna(p.row) else None,
            f"cột '{p.column}'" if pd.notna(p.column) else None,
            f"mã {p.record_id}" if pd.notna(p.record_id) else None,
        ]
        level = "[red]Lỗi[/]" if p.severity == "error" else "[yellow]Cảnh báo[/]"
        place = ", ".join(w for w in where if w)
        console.print(
            f"{level} {place}: {p.message}" if place else f"{level}: {p.message}",
            highlight=False,
            soft_wrap=True,
        )
    if len(problems) > _SHOWN_PROBLEMS:
        console.print(f"… và {vn_number(len(problems) - _SHOWN_PROBLEMS)} dòng nữa trong {file}.")
