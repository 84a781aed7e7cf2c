"""``vaxutils synth``: write synthetic commune exports, registry extracts and labels.

    vaxutils synth --district 045 --out DIR [--seed 1] [--persons N] [--format xlsx|csv]
                   [--layout wide|long|mixed] [--clean]
    vaxutils synth --dataset DATASET --persons N [--province 04] [--seed 1] [--clean]

Exactly one of ``--commune``, ``--district``, ``--province`` picks the communes. ``--dataset`` writes
``N`` people straight into a national dataset (:func:`vaxutils.synth.dataset.write_dataset`:
communes of ~8,000 people, all of them or those of ``--province``; no export files rendered).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vaxutils.cli._app import app
from vaxutils.cli.screen import vn_number
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir


def _communes(commune: str | None, district: str | None, province: str | None) -> list[str]:
    from vaxutils import refdata

    chosen = [v for v in (commune, district, province) if v is not None]
    if len(chosen) != 1:
        raise VaxutilsError(
            "Chọn đúng một trong --commune, --district, --province. "
            "/ Give exactly one of --commune, --district, --province."
        )
    if commune is not None:
        return [refdata.commune(commune)["commune_code"]]
    if district is not None:
        return refdata.communes_of_district(district)["commune_code"].tolist()
    return refdata.communes_of_province(province)["commune_code"].tolist()


def _write_shapes(sc, out: Path, seed: int) -> None:
    """The shapes real files come in, for one commune (see vaxutils.synth.shapes)."""
    import numpy as np

    from vaxutils import io
    from vaxutils.synth.shapes import (
        registry_extract,
        registry_titles,
        template_export,
        write_registry_extract,
    )

    rng = np.random.default_rng(seed)
    frame, _ = registry_extract(sc, rng)
    write_registry_extract(out / f"dan_cu_{sc.commune_code}.xlsx", frame, registry_titles(sc))
    if sc.layout == "wide":
        io.write_platform_template(out / f"mau_nhap_{sc.commune_code}.xlsx", template_export(sc))


def _write_dataset(folder: Path, persons, seed, province, rates, day, out, commune, district):
    from vaxutils.refdata import UnknownDivision
    from vaxutils.synth.dataset import write_dataset

    if out is not None or commune is not None or district is not None:
        raise VaxutilsError(
            "--dataset đi với --persons và (tuỳ chọn) --province, không với --out/--commune/--district."
            " / --dataset takes --persons and optionally --province, not --out/--commune/--district."
        )
    if persons is None:
        raise VaxutilsError("--dataset cần --persons (tổng số người). / --dataset needs --persons.")
    check_out_dir(folder)
    try:
        made = write_dataset(
            folder, n_persons=persons, seed=seed, province=province, rates=rates, export_date=day
        )
    except UnknownDivision as exc:
        raise VaxutilsError(str(exc)) from None
    Console(stderr=True).print(
        f"Đã ghi bộ dữ liệu {folder}: {vn_number(made['n_records'])} hồ sơ, "
        f"{vn_number(made['n_doses'])} mũi tiêm, {made['n_communes']} xã, "
        f"{vn_number(made['n_split'])} người đăng ký ở hai xã / wrote {made['n_records']:,} records, "
        f"{made['n_doses']:,} doses, {made['n_communes']} communes, {made['n_split']:,} people split."
    )


@app.command("synth")
def synth_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Thư mục ghi tệp (tạo nếu chưa có). / Output folder."),
    ] = None,
    commune: str | None = typer.Option(None, "--commune", help="Mã xã 5 chữ số, vd 01420."),
    district: str | None = typer.Option(None, "--district", help="Mã huyện 3 chữ số, vd 045."),
    province: str | None = typer.Option(None, "--province", help="Mã tỉnh, vd 04 (hoặc 004)."),
    seed: int = typer.Option(
        0, "--seed", help="Hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)."
    ),
    persons: int | None = typer.Option(
        None, "--persons", min=1, help="Số người mỗi xã (mặc định: theo quy mô thực tế của xã)."
    ),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx hoặc csv."),
    layout: str = typer.Option("wide", "--layout", help="wide, long hoặc mixed (xen kẽ)."),
    clean: bool = typer.Option(False, "--clean", help="Không gây lỗi (chỉ nhiễu chuẩn hóa)."),
    export_date: str | None = typer.Option(
        None, "--export-date", help="Ngày xuất dữ liệu (dd/mm/yyyy); mặc định 15/05/2022."
    ),
    dataset: Path | None = typer.Option(
        None,
        "--dataset",
        help="Ghi thẳng một bộ dữ liệu quốc gia (Parquet phân vùng tỉnh/xã, như 'vaxutils ingest') "
        "vào thư mục này; --persons là tổng số người. / Write a national dataset of --persons people.",
    ),
    shapes: bool = typer.Option(
        False,
        "--shapes",
        help="Thêm các dạng tệp thực tế: mau_nhap_<mã>.xlsx (mẫu nhập nền tảng), dan_cu_<mã>.xlsx "
        "(trích xuất dân cư, tiêu đề tiếng Việt) và ds_nhieu_xa.csv (nhiều xã, chỉ ghi tên xã/huyện/tỉnh).",
    ),
) -> None:
    """Tạo dữ liệu tiêm chủng giả lập theo xã / Generate synthetic commune exports with labels."""
    from vaxutils.cli.screen import parse_day
    from vaxutils.refdata import UnknownDivision
    from vaxutils.synth import ErrorRates, generate_commune, write_commune

    day = parse_day(export_date) or date(2022, 5, 15)
    rates = ErrorRates.none() if clean else ErrorRates()
    if dataset is not None:
        _write_dataset(dataset, persons, seed, province, rates, day, out, commune, district)
        return
    if out is None:
        raise VaxutilsError("Thiếu --out (hoặc --dataset). / Give --out (or --dataset).")
    check_out_dir(out)
    if fmt not in ("xlsx", "csv"):
        raise VaxutilsError(f"--format phải là xlsx hoặc csv (got {fmt!r}).")
    if layout not in ("wide", "long", "mixed"):
        raise VaxutilsError(f"--layout phải là wide, long hoặc mixed (got {layout!r}).")
    try:
        codes = _communes(commune, district, province)
    except UnknownDivision as exc:
        raise VaxutilsError(str(exc)) from None
    console = Console(stderr=True)
    total_people = total_labels = 0
    wide = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("Đang tạo xã", total=len(codes))
        for i, code in enumerate(codes):
            this_layout = ("wide", "long")[i % 2] if layout == "mixed" else layout
            progress.update(task, description=f"Xã {code}")
            sc = generate_commune(code, persons, seed, rates, this_layout, day)
            write_commune(sc, out, fmt=fmt)
            if shapes:
                _write_shapes(sc, out, seed)
                wide += [sc] if sc.layout == "wide" else []
            total_people += len(sc.population)
            total_labels += len(sc.labels)
            progress.advance(task)
    if shapes and len(wide) > 1:
        import numpy as np

        from vaxutils.synth.commune import _write_csv_with_titles
        from vaxutils.synth.shapes import district_export

        frame, _ = district_export(wide, np.random.default_rng(seed))
        _write_csv_with_titles(out / "ds_nhieu_xa.csv", frame, ["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM"])
    console.print(
        f"Đã ghi {len(codes)} xã, {vn_number(total_people)} người, {vn_number(total_labels)} nhãn lỗi vào {out} "
        f"/ wrote {len(codes)} communes, {total_people:,} people, {total_labels:,} labels."
    )
