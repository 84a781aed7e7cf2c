"""``vaxutils contracts list|check``: read the data contracts and check a file against one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.contracts.errors import ContractError
from vaxutils.contracts.suites import list_suites, read_suite

contracts_app = typer.Typer(
    help="Hợp đồng dữ liệu giữa các bước (bộ kiểm tra Great Expectations trong expectations/).",
    no_args_is_help=True,
)
app.add_typer(contracts_app, name="contracts")

#: Suites whose file is a platform export, read with the export reader (header detection…).
EXPORT_SUITES = {"platform_export": "records", "platform_export_doses": "doses"}


@contracts_app.command("list")
def list_command() -> None:
    """Liệt kê các bộ kiểm tra và mô tả của chúng. / List the suites."""
    table = Table(title="Bộ kiểm tra dữ liệu (expectations/)", show_lines=True)
    table.add_column("Tên / name", no_wrap=True)
    table.add_column("Mô tả")
    table.add_column("Tham số (mặc định)")
    for spec in list_suites():
        params = "\n".join(f"{k} = {v}" for k, v in spec.parameters.items()) or "—"
        table.add_row(spec.name, spec.description_vi, params)
    Console().print(table)


@contracts_app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="Tệp cần kiểm tra (xlsx, xls, csv, parquet).")],
    suite: Annotated[
        str, typer.Option("--suite", "-s", help="Tên bộ kiểm tra (xem 'contracts list').")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Ghi đè ngưỡng: tên=giá_trị (lặp lại được)."),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option("--columns", help="Tệp YAML ánh xạ cột {tên_chuẩn: 'Tiêu đề trong tệp'}."),
    ] = None,
    data_docs: Annotated[
        Path | None,
        typer.Option("--data-docs", help="Thư mục ghi Data Docs (HTML) của lần kiểm tra này."),
    ] = None,
) -> None:
    """Kiểm tra một tệp theo một bộ kiểm tra; mã thoát 0 nếu đạt, 1 nếu không đạt."""
    from vaxutils import contracts

    read_suite(suite)  # unknown suite: say so before reading a large file
    frame = read_for_suite(file, suite, columns)
    result = contracts.validate(frame, suite, parse_params(param or []), context=file.name)
    style = "bold green" if result.success else "bold red"
    Console().print(result.summary_vi(), style=style, markup=False, highlight=False)
    if data_docs is not None:
        index = contracts.build_data_docs([result], data_docs)
        Console().print(f"Data Docs: {index}", markup=False, highlight=False)
    if not result.success:
        # SystemExit, not typer.Exit: the app runs with standalone_mode=False, where click
        # turns typer.Exit into a return value that the console script does not pass on.
        raise SystemExit(1)


def parse_params(pairs: list[str]) -> dict:
    """``["max_missing_id_share=0.1"]`` → ``{"max_missing_id_share": 0.1}`` (JSON values).

    >>> parse_params(["a=0.1", "b=true", "c=abc"])
    {'a': 0.1, 'b': True, 'c': 'abc'}
    """
    params = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise ContractError(
                f"Tham số '{pair}' phải có dạng tên=giá_trị (ví dụ max_missing_id_share=0.1). "
                "/ Parameters are name=value."
            )
        try:
            params[name.strip()] = json.loads(text)
        except ValueError:
            params[name.strip()] = text
    return params


def read_for_suite(path: Path, suite: str, columns: Path | None = None):
    """Read ``path`` as the suite expects it: exports through the export reader, other
    files as plain text tables (every cell a string, all sheets of a workbook stacked)."""
    import pandas as pd

    if not path.is_file():
        raise ContractError(f"Không tìm thấy tệp {path}. / File not found.")
    part = EXPORT_SUITES.get(Path(suite).stem)
    if part is not None:
        from vaxutils.io import read_export

        return getattr(read_export(path, columns=columns), part)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            text = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            return with_count_columns_as_numbers(text)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine")
            return pd.concat(sheets.values(), ignore_index=True)
    except (OSError, ValueError, ImportError) as exc:
        raise ContractError(f"Không đọc được tệp {path}: {exc}. / Cannot read file.") from exc
    raise ContractError(
        f"Không đọc được loại tệp '{suffix}' ({path.name}); dùng xlsx, xls, csv hoặc parquet. "
        "/ Unsupported file type."
    )


#: Columns that stages write as integers; a CSV brings them back as text.
COUNT_COLUMNS = ("source_row", "dose_number", "birth_year", "n_errors", "n_warnings", "n_doses")


def with_count_columns_as_numbers(frame):
    """Turn the count columns of a text table back into integers when every cell is one.

    A column with any non-integer cell stays text, so the contract reports it.

    >>> import pandas as pd
    >>> text = pd.DataFrame({"source_row": ["5", None], "id": ["004", "007"]})
    >>> out = with_count_columns_as_numbers(text)
    >>> str(out["source_row"].dtype), out["id"].iloc[0]
    ('Int64', '004')
    """
    import pandas as pd

    converted = {}
    for column in COUNT_COLUMNS:
        if column in frame.columns:
            numbers = pd.to_numeric(frame[column], errors="coerce")
            whole = numbers.dropna() % 1 == 0
            if numbers.isna().equals(frame[column].isna()) and bool(whole.all()):
                converted[column] = numbers.astype("Int64")
    return frame.assign(**converted)
