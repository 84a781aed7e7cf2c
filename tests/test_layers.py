"""The layers of docs/ARCHITECTURE.md hold in the code: the import-linter contract in pyproject.toml.

A module imports only from layers below it, wherever the import is written (inside a function
too); every subpackage is on the table; the table in ARCHITECTURE.md is the contract's.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

import vaxutils

ROOT = Path(__file__).resolve().parents[1]


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return contract


def _layer_sets(layers: list[str]) -> list[set[str]]:
    """Each layer as a set of module names (optional layers without their parentheses)."""
    return [{m.strip().strip("()") for m in re.split(r"[|:]", layer)} for layer in layers]


def test_imports_keep_the_layers(capsys):
    assert Path(vaxutils.__file__).resolve().parent == ROOT / "vaxutils"  # this tree is checked
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    output = capsys.readouterr().out
    assert exit_code == 0, output
    assert "1 kept, 0 broken" in output


def test_an_import_that_climbs_or_a_module_off_the_table_breaks_the_contract(tmp_path):
    # The real package and contract, with one climbing import hidden in a function and one new
    # subpackage nobody put on the table.
    shutil.copytree(
        ROOT / "vaxutils", tmp_path / "vaxutils", ignore=shutil.ignore_patterns("*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    names = tmp_path / "vaxutils" / "text" / "names.py"
    names.write_text(
        names.read_text(encoding="utf-8")
        + "\n\ndef _climb():\n    from vaxutils.screen import engine\n",
        encoding="utf-8",
    )
    (tmp_path / "vaxutils" / "stray.py").write_text(
        "from vaxutils import schema\n", encoding="utf-8"
    )
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "vaxutils.text.names -> vaxutils.screen.engine" in run.stdout
    assert "vaxutils.stray" in run.stdout  # exhaustive: a module off the table is a failure


def test_architecture_table_is_the_contract():
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = doc.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\|\s*\d+\s*\|", line)]
    table = {}
    for row in rows:
        number, modules = (cell.strip() for cell in row.strip("|").split("|")[:2])
        table[int(number)] = set(re.findall(r"`vaxutils\.(\w+)`", modules))
    documented = [table[n] for n in sorted(table, reverse=True)]
    assert documented == _layer_sets(_contract()["layers"])
    # Every subpackage and module of vaxutils is on the table (what `exhaustive` enforces).
    children = {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "vaxutils").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert children <= set().union(*documented)


def test_package_docstring_points_to_the_one_table():
    assert "docs/ARCHITECTURE.md" in vaxutils.__doc__
    assert not re.search(r"^\s*\d\.\s", vaxutils.__doc__, re.M)  # no second, numbered list
