"""``vaxutils demo``: a synthetic district, screened and reported end to end (what ``make demo`` runs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from vaxutils.cli._app import app
from vaxutils.cli.screen import vn_number
from vaxutils.io.paths import check_out_dir

DEMO_DISTRICT = "045"  # Huyện Hà Quảng, Cao Bằng — Xã Thượng Thôn (01420) is one of its communes
DEMO_EXPORT_DATE = date(2022, 5, 15)


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("out"), "--out", help="Thư mục kết quả (mặc định: out/)."),
    district: str = typer.Option(DEMO_DISTRICT, "--district", help="Mã huyện 3 chữ số."),
    persons: int = typer.Option(
        600, "--persons", min=50, help="Số người mỗi xã (nhỏ để bản chạy thử nhanh)."
    ),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Số tiến trình song song."),
    seed: int = typer.Option(2022, "--seed", help="Hạt giống ngẫu nhiên."),
) -> None:
    """Chạy thử toàn bộ quy trình trên dữ liệu giả lập của một huyện / Run the whole job on a synthetic district."""
    import numpy as np
    from rich.progress import Progress

    from vaxutils import refdata
    from vaxutils.batch import plan_jobs, run_batch
    from vaxutils.synth import ErrorRates, generate_commune, write_commune

    check_out_dir(out)
    console = Console()
    data_dir = out / "input"
    codes = refdata.communes_of_district(district)["commune_code"].tolist()
    console.print(
        f"[bold]1/2[/] Sinh dữ liệu giả lập cho {len(codes)} xã của huyện {district} "
        f"(không có dữ liệu thật của ai) → {data_dir}"
    )
    # communes differ in size (±40 % around --persons) so the overview has something to compare
    sizes = np.random.default_rng(seed).uniform(0.6, 1.4, len(codes)) * persons
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Sinh dữ liệu", total=len(codes))
        for i, code in enumerate(codes):
            commune = generate_commune(
                code,
                n_persons=int(sizes[i]),
                seed=seed,
                rates=ErrorRates(),
                layout=("wide", "long")[i % 2],
                export_date=DEMO_EXPORT_DATE,
            )
            write_commune(commune, data_dir, fmt=("xlsx", "csv")[i % 3 == 2])
            progress.advance(task)

    console.print(f"[bold]2/3[/] Sàng lọc và lập báo cáo từng xã → {out}")
    jobs = plan_jobs(data_dir, codes, data_dir, export_date=DEMO_EXPORT_DATE)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Sàng lọc + báo cáo", total=len(jobs))
        result = run_batch(jobs, out, workers=workers, on_done=lambda row: progress.advance(task))
    ok = sum(r["status"] != "failed" for r in result.rows)
    console.print(f"Xong: {ok}/{len(result.rows)} xã có báo cáo.")
    for row in result.failed:
        console.print(f"[red]✗ {row['commune_code']}:[/] {row['error']}")
    console.print(f"Mở báo cáo tổng hợp: [bold]{result.index_html.resolve()}[/]")
    console.print("Mỗi xã, trong thư mục <mã xã>/ (mở bằng Excel được):")
    console.print(f"  {out.resolve()}/<mã xã>/screen/findings.csv — danh sách lỗi", soft_wrap=True)
    console.print(
        f"  {out.resolve()}/<mã xã>/ra_soat_<mã xã>.xlsx — sổ rà soát gửi các thôn (bước S2)",
        soft_wrap=True,
    )
    console.print(
        f"  {out.resolve()}/<mã xã>/ky_ho_chieu_<ngày>.xlsx — danh sách ký hộ chiếu vắc xin (S7)",
        soft_wrap=True,
    )
    exit_code = result.exit_code or _round_trip(console, out, codes[0], seed)
    if exit_code:
        raise SystemExit(exit_code)


def _round_trip(console: Console, out: Path, code: str, seed: int) -> int:
    """Step 3: the S2–S7 round trip on one commune, played by scripted people; 1 if it lost or
    spoiled a record."""
    from vaxutils.cli.roundtrip import COUNT_LABELS, run_round_trip

    folder = out / f"vong_ra_soat_{code}"
    console.print(
        f"[bold]3/3[/] Vòng rà soát S2–S7 trên xã {code} (tổ thôn, công an, trạm y tế do kịch bản "
        f"đóng vai, có nhầm lẫn như người thật) → {folder}"
    )
    trip = run_round_trip(folder, code, n_persons=400, seed=seed)
    for key, label in COUNT_LABELS.items():
        console.print(f"  {label}: {vn_number(trip.counts[key])}")
    statuses = trip.progress.get("statuses", {})
    console.print(
        "  Đối chiếu sau cập nhật (S6): "
        + ", ".join(f"{s} {vn_number(n)}" for s, n in statuses.items()),
        soft_wrap=True,
    )
    console.print(f"  Báo cáo: [bold]{(folder / 'bao_cao_vong_ra_soat.html').resolve()}[/]")
    bad = trip.counts["wrong_final_value"] + trip.counts["lost"] + trip.counts["changed_correct"]
    return 1 if bad else 0
