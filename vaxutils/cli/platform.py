"""``vaxutils platform SCREEN_DIR --out DIR``: step S5, one decision per record of the lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.review import screening_results, stage_table
from vaxutils.cli.screen import vn_number
from vaxutils.io.paths import check_out_dir

_SHOWN_ROWS = 10
# step, folder option, problems file the step wrote, command that wrote it
_GATES = (
    ("S2 (rà soát thôn)", "--review", "review_problems", "vaxutils review in"),
    ("S4 (đối chiếu công an xã)", "--police", "police_problems", "vaxutils police in"),
)


def _step_problems(folder: Path, name: str) -> pd.DataFrame | None:
    """The problems a returned list left (``name.parquet``, else ``name.csv``), or None."""
    from vaxutils import io

    if (folder / f"{name}.parquet").is_file():
        return io.read_parquet(folder / f"{name}.parquet")
    if (folder / f"{name}.csv").is_file():
        return pd.read_csv(folder / f"{name}.csv", dtype="string", encoding="utf-8-sig")
    return None


def _places(errors: pd.DataFrame) -> str:
    """ "trang 'Thôn A' dòng 5 (mã 01420-000123), ..." for the first rows with an error."""
    shown = [
        f"trang '{p.sheet}' dòng {p.row} cột '{p.column}' (mã {p.record_id})"
        if pd.notna(p.record_id)
        else f"trang '{p.sheet}': {p.message}"
        for p in errors.head(_SHOWN_ROWS).itertuples(index=False)
    ]
    more = len(errors) - _SHOWN_ROWS
    return "; ".join(shown) + (f"; và {vn_number(more)} dòng nữa" if more > 0 else "")


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
    partial: bool = typer.Option(
        False,
        "--partial",
        help="Khi sổ rà soát/danh sách công an còn lỗi: chỉ dùng các dòng đạt, liệt kê các dòng còn "
        "lại trong 'Chưa nhập được'.",
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu platform_import."
    ),
) -> None:
    """Tệp nhập, sửa trực tiếp, gộp trùng, loại khỏi danh sách (bước S5) / Platform files.

    Mỗi hồ sơ trong các danh sách kết thúc ở đúng một nơi; thoát với mã 1 khi bước trước còn lỗi
    (trừ khi có --partial) hoặc khi có hồ sơ không ở nơi nào.
    """
    from vaxutils import io
    from vaxutils.workflow.platform import (
        OUTCOMES,
        held_back_rows,
        platform_files,
        write_platform_workbooks,
    )

    check_out_dir(out)
    console = Console()
    records, findings, _ = screening_results(screened)
    held = []
    for (step, _option, name, command), folder in zip(_GATES, (review, police), strict=True):
        if folder is None:
            continue
        found = _step_problems(folder, name)
        if found is None:
            continue
        errors = found[found["severity"].eq("error").fillna(False)]
        if errors.empty:
            continue
        file = f"{folder / name}.csv"
        if not partial:
            console.print(
                f"[red]Chưa lập được tệp cho nền tảng:[/] bước {step} còn {vn_number(len(errors))} lỗi "
                f"({file}): {_places(errors)}. Sửa các dòng đó trong tệp gửi lại rồi chạy lại "
                f"'{command}', hoặc chạy 'vaxutils platform ... --partial' để chỉ dùng các dòng đạt.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1)
        held.append(held_back_rows(errors, f"bước {step}", file))
    held_back = pd.concat(held, ignore_index=True) if held else None
    doses_path = screened / "doses.parquet"
    files = platform_files(
        records,
        findings,
        stage_table(review, "review.parquet", "vaxutils review in"),
        stage_table(police, "police_verified.parquet", "vaxutils police in"),
        doses=io.read_parquet(doses_path) if doses_path.is_file() else None,
        held_back=held_back,
    )
    written = write_platform_workbooks(out, files)
    for name, frame in (
        ("nhap_nen_tang", files.imports),
        ("sua_truc_tiep", files.edits),
        ("chua_nhap_duoc", files.left_out),
        ("gop_trung", files.merges),
        ("loai_khoi_danh_sach", files.removals),
        ("da_xac_nhan", files.confirmed),
        ("ket_qua_s5", files.outcome),
    ):
        io.write_csv(out / f"{name}.csv", frame)

    counts = files.counts
    table = Table(title=f"Bước S5: {vn_number(len(files.listed))} hồ sơ trong các danh sách")
    table.add_column("Kết quả")
    table.add_column("Số hồ sơ", justify="right")
    table.add_column("Tệp")
    where = {
        OUTCOMES[0]: written["import"].name,
        OUTCOMES[1]: f"{written['edits'].name} ({vn_number(len(files.edits))} thông tin)",
        OUTCOMES[2]: written["merges"].name,
        OUTCOMES[3]: written["removals"].name,
        OUTCOMES[4]: f"{written['edits'].name}, trang 'Chưa nhập được'",
        OUTCOMES[5]: f"{written['edits'].name}, trang 'Đã xác nhận đúng'",
    }
    for outcome in OUTCOMES:
        table.add_row(outcome, vn_number(counts[outcome]), where[outcome])
    console.print(table)
    console.print(
        f"Nhập qua Excel: {vn_number(len(files.imports))} hồ sơ → [bold]{written['import']}[/]\n"
        f"Sửa trực tiếp: {vn_number(len(files.edits))} thông tin của "
        f"{vn_number(files.edits['record_id'].nunique())} hồ sơ → [bold]{written['edits']}[/]\n"
        f"Gộp hồ sơ trùng: {vn_number(len(files.merges))} → [bold]{written['merges']}[/]; loại khỏi "
        f"danh sách: {vn_number(len(files.removals))} → [bold]{written['removals']}[/]",
        soft_wrap=True,
    )
    if held_back is not None:
        console.print(
            f"[yellow]--partial: {vn_number(len(held_back))} hồ sơ có lỗi ở bước trước chưa được dùng "
            "(xem 'Chưa nhập được').[/]"
        )
    if police is None:
        console.print(
            "[yellow]Chưa có kết quả đối chiếu của công an xã (--police): số giấy tờ mới chỉ do thôn rà soát.[/]"
        )
    console.print(f"Đã ghi [bold]{out}[/] (các tệp .xlsx và bản .csv cùng tên; ket_qua_s5.csv).")
    failed = False
    if len(files.unplaced):
        console.print(
            f"[red]{vn_number(len(files.unplaced))} hồ sơ không ở danh sách nào:[/] "
            + ", ".join(files.unplaced[:_SHOWN_ROWS]),
            highlight=False,
        )
        failed = True
    if not no_contracts and len(files.imports):
        from vaxutils import contracts

        checked = contracts.validate(
            files.imports, "platform_import", context=written["import"].name
        )
        console.print(checked.summary_vi(), highlight=False)
        failed |= not checked.success
    if failed:
        raise typer.Exit(1)
