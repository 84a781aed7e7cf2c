"""Where the files that ship with vaxutils are: the notebooks and the expectation suites.

In a source checkout they are the top-level ``notebooks/`` and ``expectations/`` folders (the
design's layout; what analysts open). An installed wheel carries the same files inside the package
(``vaxutils/notebooks``, ``vaxutils/expectations``; see ``setup.py``), found with
:mod:`importlib.resources`, so every command works from any folder after ``pip install .``.

>>> (shipped("notebooks") / "commune_report.ipynb").is_file()
True
>>> (shipped("expectations") / "records.json").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FOLDERS = ("notebooks", "expectations")


def shipped(folder: str) -> Path:
    """The ``notebooks`` or ``expectations`` folder, installed or in the source checkout."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown shipped folder {folder!r}; one of {FOLDERS}")
    inside = resources.files("vaxutils").joinpath(folder)
    if inside.is_dir():  # an installed wheel: the files are package data
        return Path(str(inside))
    return Path(__file__).resolve().parents[1] / folder  # a source checkout (editable install)
