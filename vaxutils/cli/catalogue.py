"""``vaxutils codes``: the catalogue of finding codes, for health workers and analysts."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from vaxutils.cli._app import app
from vaxutils.schema import CATEGORY_LABELS_VI, SEVERITY_LABELS_VI


@app.command("codes")
def codes_command(
    category: str | None = typer.Option(
        None,
        "--category",
        help="Chỉ một danh sách: missing_id, id_format, personal_info, duplicate, dose, normalized.",
    ),
    markdown: bool = typer.Option(
        False, "--markdown", help="In dạng bảng Markdown (docs/findings.md)."
    ),
) -> None:
    """Danh mục mã lỗi: ý nghĩa và cách xử lý / The catalogue of finding codes."""
    from vaxutils.screen import catalogue

    if markdown:
        typer.echo(catalogue.to_markdown(), nl=False)
        return
    table = catalogue.load()
    if category:
        table = table[table["category"] == category]
    view = Table(title="Danh mục mã lỗi sàng lọc", show_lines=False)
    view.add_column("Mã", no_wrap=True)
    for name in ("Danh sách", "Mức độ", "Ý nghĩa", "Cách xử lý"):
        view.add_column(name, overflow="fold")
    for row in table.itertuples(index=False):
        view.add_row(
            row.code,
            CATEGORY_LABELS_VI[row.category],
            SEVERITY_LABELS_VI[row.severity],
            row.message_vi,
            row.action_vi if isinstance(row.action_vi, str) else "",
        )
    Console().print(view)
