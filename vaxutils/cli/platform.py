"""``vaxutils platform SCREEN_DIR --out DIR``: step S5, one decision per record of the lists, the
import in the platform's own template; ``vaxutils platform results FILE --previous DIR``: the
import file the platform sent back (AH/AI)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from vaxutils.cli._app import app
from vaxutils.cli.screen import vn_number
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir

_SHOWN_ROWS = 10


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


class _FilesByDefault(TyperGroup):
    """``vaxutils platform SCREEN_DIR ...`` (the command scripts already use) means
    ``vaxutils platform files SCREEN_DIR ...``; ``results`` is the other subcommand."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


platform_app = typer.Typer(
    cls=_FilesByDefault,
    help="Bước S5: tệp nhập lên nền tảng (mẫu của nền tảng) và kết quả nhập trả về.",
    no_args_is_help=True,
)
app.add_typer(platform_app, name="platform")


def _load_sites(path: Path | None) -> dict[str, str] | None:
    """A ``{facility name as in the export: Mã cơ sở KCB}`` YAML file."""
    if path is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise VaxutilsError(
            f"Không đọc được tệp ánh xạ cơ sở tiêm {path} ({type(exc).__name__}). Tệp có dạng: "
            '"Trạm Y tế xã Thượng Thôn": "01420". / Cannot read the site mapping file.'
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int) for k, v in data.items()
    ):
        raise VaxutilsError(
            f"Tệp {path} phải là danh sách 'Tên cơ sở tiêm: \"Mã cơ sở KCB\"' (mỗi dòng một cơ sở). "
            "/ The site mapping file must map facility names to codes."
        )
    return {k: str(v) for k, v in data.items()}


def _priority(value: str | None) -> str | None:
    if value is None:
        return None
    from vaxutils.refdata.platform import priority_groups

    codes = priority_groups()["code"].tolist()
    text = value.strip()
    if text not in codes:
        raise VaxutilsError(
            f"--priority-group '{value}' không có trong PL2 (mã 1–16, ví dụ 15: Người lao động tự "
            "do). / Not a PL2 priority-group code (1-16)."
        )
    return text


@platform_app.command("files")
def platform_command(
    screened: Path = typer.Argument(..., help="Thư mục kết quả của 'vaxutils screen'."),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi tệp nhập và danh sách sửa."),
    review: Path | None = typer.Option(
        None, "--review", help="Thư mục kết quả 'vaxutils review in'."
    ),
    police: Path | None = typer.Option(
        None, "--police", help="Thư mục kết quả 'vaxutils police in'."
    ),
    priority_group: str | None = typer.Option(
        None,
        "--priority-group",
        help="Mã nhóm ưu tiên (PL2, 1–16) dùng khi tệp xuất không có; ví dụ 15.",
    ),
    sites: Path | None = typer.Option(
        None,
        "--sites",
        help="Tệp YAML: {Tên cơ sở tiêm trong tệp xuất: 'Mã cơ sở KCB' (PL4)}.",
    ),
    commune: str | None = typer.Option(
        None, "--commune", help="Mã xã (5 chữ số) khi tệp xuất không có cột xã."
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
    from vaxutils.stages import load_screen, run_platform
    from vaxutils.workflow.platform import OUTCOMES

    check_out_dir(out)
    console = Console()
    screening = load_screen(screened)
    stage = run_platform(
        screening,
        out,
        review,
        police,
        priority_group=_priority(priority_group),
        sites=_load_sites(sites),
        commune=commune,
        partial=partial,
        check_contracts=not no_contracts,
    )
    if stage.blocked is not None:
        step, errors = stage.blocked.step, stage.blocked.errors
        console.print(
            f"[red]Chưa lập được tệp cho nền tảng:[/] bước {step} còn {vn_number(len(errors))} lỗi "
            f"({stage.blocked.file}): {_places(errors)}. Sửa các dòng đó trong tệp gửi lại rồi chạy "
            f"lại '{stage.blocked.command}', hoặc chạy 'vaxutils platform ... --partial' để chỉ "
            "dùng các dòng đạt.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    files, rows, written, held_back = stage.files, stage.rows, stage.written, stage.held_back
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
    if len(rows.unresolved_sites):
        console.print(
            f"[yellow]{vn_number(len(rows.unresolved_sites))} cơ sở tiêm chưa tìm được Mã cơ sở KCB "
            f"(PL4): xem {out / 'co_so_chua_co_ma.csv'}, ghi mã vào tệp --sites rồi chạy lại.[/]"
        )
    if (
        priority_group is None
        and rows.not_importable["missing"].str.contains("E (", regex=False).any()
    ):
        console.print(
            "[yellow]Tệp xuất không có mã nhóm ưu tiên: chọn mã mặc định bằng --priority-group "
            "(PL2, ví dụ 15).[/]"
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
    if len(files.unplaced):
        console.print(
            f"[red]{vn_number(len(files.unplaced))} hồ sơ không ở danh sách nào:[/] "
            + ", ".join(files.unplaced[:_SHOWN_ROWS]),
            highlight=False,
        )
    for checked in stage.checks:
        console.print(checked.summary_vi(), highlight=False)
    if not stage.ok:
        raise typer.Exit(1)


@platform_app.command("results")
def results_command(
    returned: Path = typer.Argument(
        ..., help="Tệp nhap_nen_tang.xlsx nền tảng trả về (cột AH/AI đã điền)."
    ),
    previous: Path = typer.Option(
        ..., "--previous", help="Thư mục kết quả 'vaxutils platform' đã tạo tệp nhập."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Thư mục ghi kết quả (mặc định: thư mục --previous)."
    ),
) -> None:
    """Đọc kết quả nhập của nền tảng: đã nhập / thất bại và lý do / Read the import results."""
    from vaxutils.stages import run_platform_results

    answer = run_platform_results(returned, previous, out)
    summary, retry = answer.summary, answer.retry
    console = Console()
    console.print(
        f"Kết quả nhập của nền tảng ({returned.name}): {vn_number(summary['imported'])} thành công, "
        f"{vn_number(summary['failed'])} thất bại, {vn_number(summary['no_result'])} chưa có kết quả, "
        f"{vn_number(summary['unmatched'])} dòng không khớp tệp đã gửi."
    )
    for reason, n in summary["failure_reasons"].items():
        console.print(f"  • {reason}: {vn_number(n)}", highlight=False)
    console.print(f"Danh sách cần sửa và nhập lại: [bold]{retry}[/]")
