"""``vaxutils report`` (one commune) and ``vaxutils batch`` (many communes): shareable HTML reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir, commune_code
from vaxutils.stage_files import BATCH, SCREEN


class ReportFailed(VaxutilsError):
    """A commune's report could not be produced."""

    exit_code = 1


def _mask_params(no_mask: bool) -> dict:
    return {"mask": not no_mask}


EXPORT_DATE_HELP = (
    "Ngày xuất dữ liệu từ nền tảng (dd/mm/yyyy): mũi tiêm sau ngày này là sai, và tiến độ đến"
    " hạn 01/06/2022 tính theo ngày này. Mặc định: hôm nay."
)


@app.command("report")
def report_command(
    commune: Annotated[str, typer.Option("--commune", help="Mã xã (5 chữ số GSO), ví dụ 01420.")],
    input: Annotated[
        Path,
        typer.Option(
            "--input", help="Tệp xuất của xã (xlsx/csv), hoặc thư mục kết quả `vaxutils screen`."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi báo cáo (tạo nếu chưa có).")],
    registry: Annotated[
        Path | None,
        typer.Option("--registry", help="Trích xuất CSDL dân cư để đối chiếu (parquet/csv/xlsx)."),
    ] = None,
    no_mask: Annotated[
        bool,
        typer.Option(
            "--no-mask", help="Hiện đầy đủ số CMND/CCCD và số điện thoại (chỉ dùng nội bộ)."
        ),
    ] = False,
    export_date: Annotated[str | None, typer.Option("--export-date", help=EXPORT_DATE_HELP)] = None,
    platform_results: Annotated[
        Path | None,
        typer.Option(
            "--platform-results",
            help="Kết quả nhập nền tảng (ket_qua_nhap.json hoặc thư mục của 'vaxutils platform results').",
        ),
    ] = None,
    passport: Annotated[
        Path | None,
        typer.Option(
            "--passport",
            help="Thư mục của 'vaxutils passport' (sổ ký) cho mục 9; mặc định: THƯ_MỤC/passport "
            "nếu có. / The passport folder (signing ledger) for section 9.",
        ),
    ] = None,
) -> None:
    """Báo cáo HTML của một xã / HTML report for one commune."""
    from vaxutils.batch import CommuneJob, run_commune
    from vaxutils.cli.screen import parse_day
    from vaxutils.report.titles import commune_name

    commune = commune_code(commune.strip(), where="--commune")
    check_out_dir(out)
    console = Console()
    day = parse_day(export_date)
    name = commune_name(commune) or f"Xã {commune}"
    extra = {"platform_results": str(platform_results.resolve())} if platform_results else {}
    if passport is not None and not passport.is_dir():
        raise ReportFailed(
            f"Không tìm thấy thư mục --passport {passport}. / Not a folder: {passport}."
        )
    if passport is None and input.is_dir() and (input / BATCH.passport).is_dir():
        passport = input / BATCH.passport  # the README's layout: out/01420/passport
    if passport is not None:
        extra["passport_dir"] = str(passport.resolve())
    if input.is_dir() and (input / SCREEN.findings).is_file():
        path = _report_from_screen(commune, name, input, out, no_mask, day, extra)
        console.print(f"Đã ghi báo cáo: [bold]{path}[/]")
        return
    if not input.is_file():
        raise ReportFailed(f"Không tìm thấy tệp đầu vào {input}. / Input not found: {input}.")
    job = CommuneJob(
        commune,
        name,
        input_path=input,
        registry_path=registry,
        params={**_mask_params(no_mask), **extra},
        export_date=day,
    )
    with console.status(f"Đang sàng lọc và lập báo cáo cho {name} ({commune})…"):
        row = run_commune(job, out)
    if row["status"] != "ok":
        raise ReportFailed(f"Không lập được báo cáo cho xã {commune}: {row['error']}")
    console.print(
        f"{row['n_records']} bản ghi; {row['n_needs_fix']} cần sửa, {row['n_needs_review']} cần kiểm tra."
    )
    console.print(f"Đã ghi báo cáo: [bold]{out / row['report']}[/]")


def _report_from_screen(
    code: str,
    name: str,
    screen_dir: Path,
    out: Path,
    no_mask: bool,
    day: date | None,
    extra: dict | None = None,
) -> Path:
    """Report on a folder that ``vaxutils screen`` wrote (the export date given there stands,
    unless ``--export-date`` overrides it for the report's header and months)."""
    from vaxutils.report.run import COMMUNE_NOTEBOOK, render_report

    parameters = {"commune_code": code, "screen_dir": str(screen_dir.resolve())}
    if day is not None:
        parameters["export_date"] = day.isoformat()
    return render_report(
        COMMUNE_NOTEBOOK,
        {**parameters, **_mask_params(no_mask), **(extra or {})},
        out / code / "report.ipynb",
        out / code / "report.html",
        f"Báo cáo làm sạch dữ liệu tiêm chủng — {name} ({code})",
    )


def _list_unplaced(jobs: list, out: Path, console: Console) -> None:
    """Records of a shared export whose commune is not certain: in no commune's outputs, listed once."""
    from vaxutils import io

    unplaced = next(
        (j.export.unplaced for j in jobs if j.export is not None and j.export.unplaced is not None),
        None,
    )
    if unplaced is None or not len(unplaced):
        return
    path = io.write_csv(out / SCREEN.unplaced, unplaced)
    console.print(
        f"[yellow]{len(unplaced)} dòng không xác định được xã (không có hoặc trùng nhiều xã): không "
        f"đưa vào báo cáo xã nào, xem {path}. / {len(unplaced)} rows whose commune is not certain "
        "were left out of every commune.[/]"
    )


def _progress(console: Console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    return Progress(*columns, console=console, transient=False)


def _print_result(result, console: Console) -> None:
    counts = {s: sum(r["status"] == s for r in result.rows) for s in ("ok", "skipped", "failed")}
    console.print(
        f"{counts['ok']} xã đã chạy, {counts['skipped']} xã không đổi (dùng lại), "
        f"{counts['failed']} xã lỗi. Mục lục: [bold]{result.index_html}[/]"
    )
    for row in result.failed:
        console.print(f"[red]✗ {row['commune_code']} {row['commune_name']}:[/] {row['error']}")
    if result.exit_code:
        raise SystemExit(result.exit_code)  # typer.Exit is swallowed in non-standalone mode


def _dataset_batch(
    dataset,
    out,
    wanted,
    day,
    workers,
    scheduler,
    registry,
    no_mask,
    no_overview,
    no_contracts,
    console,
) -> None:
    """``batch --input DATASET``: screened on the cluster, then a report per commune there."""
    from vaxutils.batch.dataset import run_dataset_batch

    with _progress(console) as progress:
        console.print("Đang sàng lọc bộ dữ liệu trên cụm dask… / Screening the dataset…")
        task = progress.add_task("Lập báo cáo các xã", total=None, last="")

        def done(row: dict) -> None:
            mark = {"ok": "✓", "skipped": "=", "failed": "✗"}.get(row["status"], "?")
            progress.update(task, advance=1, last=f"{mark} {row['commune_code']}")

        result = run_dataset_batch(
            dataset,
            out,
            scheduler=scheduler,
            workers=workers or 2,
            wanted=wanted,
            export_date=day,
            params=_mask_params(no_mask),
            validate=not no_contracts,
            registry=registry,
            on_done=done,
            overview=not no_overview,
            data_docs=not no_contracts,
        )
    _print_result(result, console)


@app.command("batch")
def batch_command(
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help="Thư mục chứa các tệp export_<mã xã>.xlsx|csv, một tệp có cột Mã xã, hoặc thư mục"
            " bộ dữ liệu của 'vaxutils ingest'.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi báo cáo các xã và index.html.")],
    district: Annotated[
        str | None, typer.Option("--district", help="Mã huyện (3 chữ số), ví dụ 045.")
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="Mã tỉnh (2 chữ số GSO), ví dụ 04.")
    ] = None,
    communes: Annotated[
        str | None,
        typer.Option("--communes", help="Danh sách mã xã, cách nhau bởi dấu phẩy: 01420,01423."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Số tiến trình song song (mặc định: số nhân CPU)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Địa chỉ dask.distributed scheduler (tcp://máy:8786); với bộ dữ liệu: 'local'"
            " (mặc định) là một cụm cục bộ --workers tiến trình.",
        ),
    ] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry",
            help="Thư mục chứa registry_<mã xã>.parquet (CSDL dân cư); với bộ dữ liệu: tệp trích"
            " xuất (hoặc thư mục các tệp, ví dụ mỗi tỉnh một tệp).",
        ),
    ] = None,
    no_mask: Annotated[
        bool, typer.Option("--no-mask", help="Không che số CMND/CCCD (chỉ dùng nội bộ).")
    ] = False,
    no_overview: Annotated[
        bool, typer.Option("--no-overview", help="Không lập báo cáo tổng hợp các xã.")
    ] = False,
    export_date: Annotated[str | None, typer.Option("--export-date", help=EXPORT_DATE_HELP)] = None,
    no_contracts: Annotated[
        bool,
        typer.Option(
            "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu và Data Docs (nhanh hơn)."
        ),
    ] = False,
) -> None:
    """Báo cáo cho mọi xã của huyện/tỉnh/danh sách / Reports for many communes.

    INPUT may also be a dataset folder written by ``vaxutils ingest``: it is then screened on a dask
    cluster (``--scheduler ADDRESS``, or a local one of ``--workers`` processes) and every commune's
    report made there, each worker keeping one notebook kernel for all its communes.
    """
    from vaxutils.batch import plan_jobs, run_batch, selected_communes
    from vaxutils.cli.screen import parse_day

    check_out_dir(out)
    console = Console()
    day = parse_day(export_date)
    wanted = selected_communes(
        district=district, province=province, communes=communes.split(",") if communes else None
    )
    if input.is_dir() and (input / "manifest.json").is_file():
        _dataset_batch(
            input,
            out,
            wanted,
            day,
            workers,
            scheduler,
            registry,
            no_mask,
            no_overview,
            no_contracts,
            console,
        )
        return
    jobs = plan_jobs(input, wanted, registry, export_date=day)
    for job in jobs:
        job.params = _mask_params(no_mask)
        job.validate = not no_contracts
    _list_unplaced(jobs, out, console)
    with _progress(console) as progress:
        task = progress.add_task("Lập báo cáo các xã", total=len(jobs), last="")

        def done(row: dict) -> None:
            mark = {"ok": "✓", "skipped": "=", "failed": "✗"}.get(row["status"], "?")
            progress.update(task, advance=1, last=f"{mark} {row['commune_code']}")

        result = run_batch(
            jobs,
            out,
            workers=workers,
            scheduler=scheduler,
            on_done=done,
            overview=not no_overview,
            data_docs=not no_contracts,
        )
    _print_result(result, console)
