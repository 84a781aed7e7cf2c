"""Command line: ``vaxutils synth|ingest|screen|review|police|platform|verify|passport|contracts|report|batch|demo``.

Each command lives in its own module and registers itself on :data:`app`. User errors
(:class:`vaxutils.errors.VaxutilsError`) are printed as a message, never a traceback.
"""

import sys

from rich.console import Console

from vaxutils.cli import commands as _commands  # noqa: F401  (registers the commands)
from vaxutils.cli._app import app
from vaxutils.errors import VaxutilsError


def main() -> None:
    """Entry point of the ``vaxutils`` console script."""
    try:
        sys.exit(app(standalone_mode=False) or 0)
    except VaxutilsError as exc:
        Console(stderr=True).print(f"[bold red]Lỗi:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors etc.
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise


__all__ = ["app", "main"]
