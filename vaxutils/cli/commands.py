"""Import every command module so that its commands register on the app."""

import importlib

for _name in ("synth", "screen", "contracts", "report", "demo"):
    try:
        importlib.import_module(f"vaxutils.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"vaxutils.cli.{_name}":
            raise
