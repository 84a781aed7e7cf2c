"""The typer application every command module registers on."""

import typer

app = typer.Typer(
    help="vaxutils — làm sạch dữ liệu tiêm chủng COVID-19 theo từng xã (clean vaccination records).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
