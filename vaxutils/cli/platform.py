"""``vaxutils platform SCREEN_DIR --out DIR``: step S5, the import file and the direct-edit list;
``vaxutils platform results FILE --previous DIR``: the import file the platform sent back (AH/AI)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup

from vaxutils.cli._app import app
from vaxutils.cli.review import screening_results, stage_table
from vaxutils.cli.screen import vn_number
from vaxutils.errors import VaxutilsError


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
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu platform_import."
    ),
) -> None:
    """Tệp nhập lên nền tảng và danh sách sửa trực tiếp (bước S5) / Platform import and edits."""
    import pandas as pd

    from vaxutils import io
    from vaxutils.io.platform_template import read_platform_template
    from vaxutils.workflow.platform import platform_files, write_platform_workbooks
    from vaxutils.workflow.platform_template import template_rows

    records, findings, summary = screening_results(screened, also=("doses.parquet",))
    doses = io.read_parquet(screened / "doses.parquet")
    files = platform_files(
        records,
        findings,
        stage_table(review, "review.parquet", "vaxutils review in"),
        stage_table(police, "police_verified.parquet", "vaxutils police in"),
    )
    place = commune or summary.get("commune_identity", {}).get("commune")
    rows = template_rows(
        files.imports,
        records,
        doses,
        priority_group=_priority(priority_group),
        commune=place,
        sites=_load_sites(sites),
    )
    # what the template cannot take joins the records that cannot be imported yet
    files.imports = files.imports[files.imports["record_id"].isin(rows.frame["record_id"])]
    files.imports = (
        files.imports.set_index("record_id")
        .reindex(rows.frame["record_id"])
        .reset_index()
        .assign(template_row=[str(r) for r in range(9, 9 + len(rows.frame))])
        .astype("string")
    )
    files.left_out = pd.concat(
        [
            files.left_out,
            rows.not_importable.assign(
                reason=rows.not_importable["reason"]
                + " Cột thiếu: "
                + rows.not_importable["missing"]
            )[["record_id", "reason"]],
        ],
        ignore_index=True,
    )
    written = write_platform_workbooks(out, files, rows.frame)
    for name, frame in (("nhap_nen_tang", files.imports), ("sua_truc_tiep", files.edits)):
        io.write_csv(out / f"{name}.csv", frame)
    io.write_csv(out / "chua_nhap_duoc.csv", files.left_out)
    if len(rows.unresolved_sites):
        io.write_csv(out / "co_so_chua_co_ma.csv", rows.unresolved_sites)
    console = Console()
    console.print(
        f"Nhập qua Excel (mẫu của nền tảng): {vn_number(len(files.imports))} hồ sơ → "
        f"[bold]{written['import']}[/]\n"
        f"Sửa trực tiếp: {vn_number(len(files.edits))} thông tin của "
        f"{vn_number(files.edits['record_id'].nunique())} hồ sơ → [bold]{written['edits']}[/]\n"
        f"Chưa nhập được: {vn_number(len(files.left_out))} hồ sơ (xem trang 'Chưa nhập được', "
        "chua_nhap_duoc.csv)."
    )
    if len(rows.unresolved_sites):
        console.print(
            f"[yellow]{vn_number(len(rows.unresolved_sites))} cơ sở tiêm chưa tìm được Mã cơ sở KCB "
            f"(PL4): xem {out / 'co_so_chua_co_ma.csv'}, ghi mã vào tệp --sites rồi chạy lại.[/]"
        )
    if priority_group is None and rows.not_importable["missing"].str.contains("E (").any():
        console.print(
            "[yellow]Tệp xuất không có mã nhóm ưu tiên: chọn mã mặc định bằng --priority-group "
            "(PL2, ví dụ 15).[/]"
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
        template = contracts.validate(
            read_platform_template(written["import"]),
            "platform_template",
            context=written["import"].name,
        )
        console.print(template.summary_vi(), highlight=False)
        if not (checked.success and template.success):
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
    from vaxutils import io
    from vaxutils.workflow.platform_results import (
        RESULTS_FILE,
        RETRY_FILE,
        SUMMARY_FILE,
        match_results,
        results_summary,
        write_retry_list,
    )

    sent = previous / "nhap_nen_tang.csv"
    if not sent.is_file():
        raise VaxutilsError(
            f"Thư mục '{previous}' không có nhap_nen_tang.csv: chạy 'vaxutils platform <thư mục sàng "
            f"lọc> --out {previous}' trước. / No nhap_nen_tang.csv in '{previous}'."
        )
    out = out or previous
    results = match_results(io.read_platform_results(returned), io.read_table(sent).reset_index())
    summary = results_summary(results, returned)
    io.write_csv(out / f"{RESULTS_FILE}.csv", results)
    io.write_parquet(out / f"{RESULTS_FILE}.parquet", results)
    io.write_json(out / SUMMARY_FILE, summary)
    retry = write_retry_list(out / RETRY_FILE, results)
    console = Console()
    console.print(
        f"Kết quả nhập của nền tảng ({returned.name}): {vn_number(summary['imported'])} thành công, "
        f"{vn_number(summary['failed'])} thất bại, {vn_number(summary['no_result'])} chưa có kết quả, "
        f"{vn_number(summary['unmatched'])} dòng không khớp tệp đã gửi."
    )
    for reason, n in summary["failure_reasons"].items():
        console.print(f"  • {reason}: {vn_number(n)}", highlight=False)
    console.print(f"Danh sách cần sửa và nhập lại: [bold]{retry}[/]")
