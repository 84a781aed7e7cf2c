"""``vaxutils passport SCREEN_DIR --out DIR``: step S7, each facility's list of doses to sign;
``--payloads`` adds the certificate payloads (EU DCC 1.3, JSON Lines per facility and day);
``vaxutils passport signed FILE --out DIR`` records what a facility signed (the signing ledger)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.cli.review import keep_one_commune
from vaxutils.cli.screen import parse_day, vn_number
from vaxutils.errors import VaxutilsError
from vaxutils.io.paths import check_out_dir


def _table(path: Path | None, needed: tuple[str, ...]) -> pd.DataFrame | None:
    """A CSV a person or an earlier step wrote, as text; a clear message when a column is missing."""
    if path is None:
        return None
    if not path.is_file():
        raise VaxutilsError(f"Không có tệp '{path}'. / No file '{path}'.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = pd.read_excel(path, dtype="string", engine="calamine")
    else:
        table = pd.read_csv(path, dtype="string", encoding="utf-8-sig")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise VaxutilsError(
            f"Tệp '{path}' thiếu cột {', '.join(missing)} (cần: {', '.join(needed)}). / "
            f"'{path}' lacks the column(s) {', '.join(missing)}."
        )
    return table


def _sites(path: Path | None) -> pd.DataFrame | None:
    table = _table(path, ("co_so", "tuyen"))
    return None if table is None else table.rename(columns={"co_so": "facility", "tuyen": "level"})


@app.command("passport")
def passport_command(
    screened: Path = typer.Argument(
        ...,
        help="Thư mục kết quả của 'vaxutils screen' — hoặc 'signed' để ghi sổ các mũi đã ký.",
    ),
    signed_file: Path | None = typer.Argument(
        None,
        help="Với 'signed': danh sách ký cơ sở gửi lại (cột Đã ký) hoặc CSV Mã đối tượng, Mũi.",
    ),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi danh sách ký."),
    day: str | None = typer.Option(
        None, "--date", help="Ngày ký (dd/mm/yyyy); mặc định: ngày xuất dữ liệu lúc sàng lọc."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Chỉ các mũi tiêm từ ngày này (dd/mm/yyyy), ví dụ hôm qua."
    ),
    merges: Path | None = typer.Option(
        None,
        "--merges",
        help="Danh sách gộp hồ sơ trùng của bước S5 (gop_trung.csv): hồ sơ chờ gộp tính như một người.",
    ),
    sites: Path | None = typer.Option(
        None,
        "--sites",
        help="Tệp CSV ánh xạ cơ sở tiêm → tuyến (cột 'co_so' và 'tuyen'), ưu tiên hơn cột Tuyến và tên cơ sở.",
    ),
    no_contracts: bool = typer.Option(
        False, "--no-contracts", help="Bỏ qua kiểm tra hợp đồng dữ liệu passport_worklist."
    ),
    payloads: bool = typer.Option(
        False,
        "--payloads",
        help="Ghi dữ liệu chứng nhận (EU DCC 1.3, JSON Lines) cho mỗi mũi sẵn sàng ký, theo cơ sở và ngày.",
    ),
    facility: str | None = typer.Option(
        None, "--facility", help="Với 'signed': cơ sở tiêm đã ký (khi tệp không có cột Cơ sở tiêm)."
    ),
    commune: str | None = typer.Option(
        None,
        "--commune",
        help="Mã xã (hoặc tên xã) của danh sách; bắt buộc khi thư mục sàng lọc có nhiều xã.",
    ),
) -> None:
    """Danh sách ký xác nhận hộ chiếu vắc xin theo cơ sở tiêm (bước S7) / Passport worklist.

    Mỗi mũi tiêm: sẵn sàng ký, hoặc bị chặn kèm lý do. Các mũi đã ghi trong sổ ký
    (``vaxutils passport signed FILE --out DIR``) không còn trong danh sách.
    """
    if str(screened) == "signed" and not screened.is_dir():
        _record_signed(signed_file, out, parse_day(day), facility)
        return
    if signed_file is not None:
        raise typer.BadParameter(
            f"Thừa tham số '{signed_file}'. Dùng: vaxutils passport THƯ_MỤC_SÀNG_LỌC --out DIR, "
            "hoặc vaxutils passport signed TỆP --out DIR."
        )
    from vaxutils.passport import READY
    from vaxutils.stage_files import SCREEN
    from vaxutils.stages import load_screen, run_certificates, run_passport

    check_out_dir(out)
    screening = keep_one_commune(load_screen(screened, (SCREEN.doses,)), commune)
    stage = run_passport(
        screening,
        out,
        work_day=parse_day(day),
        since=parse_day(since),
        merges=_table(merges, ("record_id", "keep_record_id")),
        sites=_sites(sites),
        check_contracts=not no_contracts,
    )
    full, worklist, backlog = stage.full, stage.worklist, stage.backlog
    work_date, workbook, stem = stage.work_date, stage.workbook, stage.workbook.stem
    doses = screening.doses
    console = Console()
    table = Table(title=f"Ký hộ chiếu vắc xin ngày {work_date:%d/%m/%Y}")
    for label in ("Cơ sở tiêm", "Sẵn sàng ký", "Bị chặn"):
        table.add_column(label, justify="right" if label != "Cơ sở tiêm" else "left")
    for facility, rows in worklist.groupby("facility", sort=True):
        ready = int(rows["status"].eq(READY).sum())
        table.add_row(str(facility), vn_number(ready), vn_number(len(rows) - ready))
    console.print(table)
    if len(full) > len(worklist):
        console.print(
            f"{vn_number(len(full) - len(worklist))} mũi đã ký (theo sổ ký) không còn trong danh sách."
        )
    _print_backlog(console, backlog)
    dated = doses["dose_date"].notna().sum()
    left_out = int(dated) - len(full) if since is None else None
    if left_out:
        console.print(
            f"{vn_number(left_out)} mũi tiêm không đưa vào danh sách (sau ngày ký, thiếu số mũi, trùng "
            "số mũi hoặc sai thứ tự ngày): xem findings.csv của bước sàng lọc."
        )
    if stage.checked is not None:
        console.print(stage.checked.summary_vi(), highlight=False)
        if not stage.ok:
            raise typer.Exit(1)
    console.print(f"Đã ghi [bold]{workbook}[/] (mỗi cơ sở tiêm một trang) và {stem}.csv.")
    if payloads:
        _print_certificates(console, out, run_certificates(screening, stage, out))


def _print_backlog(console: Console, backlog) -> None:
    """Ready doses not yet signed, by age (the Ministry asks for signing within a day)."""
    waiting = [c for c in backlog.columns if c.startswith("chưa ký")]
    if backlog.empty or not backlog[waiting].to_numpy().any():
        return
    table = Table(title="Mũi sẵn sàng chưa ký, theo số ngày từ khi tiêm / backlog by age")
    table.add_column("Cơ sở tiêm")
    for column in waiting:
        table.add_column(column.removeprefix("chưa ký "), justify="right")
    for row in backlog.itertuples(index=False):
        values = [int(getattr(row, "_" + str(backlog.columns.get_loc(c)))) for c in waiting]
        if any(values):
            table.add_row(str(row.facility), *(vn_number(v) for v in values))
    console.print(table)


def _print_certificates(console: Console, out: Path, made) -> None:
    from vaxutils.passport import dcc

    if made.n_refused:
        console.print(
            f"[bold red]{vn_number(made.n_refused)} chứng nhận không đạt lược đồ DCC[/] (không ghi): xem "
            "chung_nhan_loi.csv."
        )
    console.print(
        f"Đã ghi {vn_number(len(made.good))} chứng nhận (EU DCC {dcc.DCC_VERSION}) vào "
        f"{len(made.files)} tệp JSON Lines trong [bold]{out / 'chung_nhan'}[/] (một tệp mỗi cơ sở "
        "tiêm và ngày)."
    )


def _record_signed(signed_file: Path | None, out: Path, day, facility: str | None) -> None:
    """``vaxutils passport signed FILE --out DIR``: add what a facility signed to the ledger."""
    from vaxutils.stage_files import PASSPORT
    from vaxutils.stages import run_signed

    if signed_file is None:
        raise typer.BadParameter("Thiếu tệp: vaxutils passport signed TỆP --out THƯ_MỤC_KÝ.")
    recorded = run_signed(signed_file, out, day, facility)
    signed, problems, book = recorded.signed, recorded.problems, recorded.book
    console = Console()
    console.print(
        f"Đã ghi {vn_number(len(signed))} mũi đã ký từ '{signed_file.name}' vào sổ ký "
        f"[bold]{out / PASSPORT.ledger}[/] ({vn_number(len(book))} mũi trong sổ)."
    )
    if len(problems):
        table = Table(title=f"{vn_number(len(problems))} dòng không ghi được vào sổ ký")
        for label in ("Trang", "Dòng", "Cột", "Giá trị", "Vấn đề"):
            table.add_column(label)
        for row in problems.head(20).itertuples(index=False):
            table.add_row(*("" if pd.isna(v) else str(v) for v in row))
        console.print(table)
        raise typer.Exit(1)
