"""The project's own files: one list of dependencies, a conda environment that installs it, the two commands."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_installs_this_package_with_the_pyproject_dependencies():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "conda-forge" in env["channels"]
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert python == ["python=3.11"]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1
    (pip_lines,) = pip_sections
    # The package itself, editable, with its dev extra: no second dependency list.
    assert pip_lines == ["-e .[dev]"]
    assert "dev" in project["optional-dependencies"]
    conda_packages = {re.split(r"[=<>]", d)[0] for d in env["dependencies"] if isinstance(d, str)}
    declared = {re.split(r"[\[=<>!~ ]", d)[0].lower() for d in project["dependencies"]}
    assert not (conda_packages - {"python", "pip", "jupyterlab"}) & declared, (
        "a dependency is listed twice (conda and pyproject)"
    )


def test_dependencies_have_compatible_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dep in project["dependencies"]:
        assert re.search(r"[<>=]=?", dep), f"{dep} has no version range"


def test_console_script_and_two_commands():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["vaxutils"] == "vaxutils.cli:main"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_notebooks_and_suites_ship_inside_the_package():
    import subprocess
    import sys

    from vaxutils.resources import shipped

    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = project["tool"]["setuptools"]["package-data"]
    for folder, pattern in (("notebooks", "*.ipynb"), ("expectations", "*.json")):
        # the top-level folder is the one the wheel maps into vaxutils/<folder>
        assert f'"vaxutils.{folder}": "{folder}"' in setup
        assert data[f"vaxutils.{folder}"] == [pattern]
        assert sorted(shipped(folder).glob(pattern)) == sorted((ROOT / folder).glob(pattern))
    assert "lab" in project["project"]["optional-dependencies"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lab:", makefile, re.M) and "jupyter lab notebooks/" in makefile
    assert "install-check" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vaxutils", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "platform" in done.stdout
