"""What people do to the workbooks the workflow sends them, for the tests of S2–S4."""

from __future__ import annotations

from pathlib import Path

import openpyxl

RECORD_ID_LABEL = "Mã đối tượng"


def workbook_text(path) -> str:
    """Every non-empty cell of every sheet, as one text (to look for a name or an ID in it)."""
    book = openpyxl.load_workbook(path, read_only=True)
    text = " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    book.close()
    return text


def fill(path: Path, out: Path, answer) -> Path:
    """Fill every list sheet as a person would: ``answer(record_id) -> {column label: value}``.

    A list sheet is one whose header (within its first rows) starts with "Mã đối tượng".
    """
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        header = next((r for r in range(1, 10) if ws.cell(r, 1).value == RECORD_ID_LABEL), None)
        if header is None:
            continue
        column = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(header + 1, ws.max_row + 1):
            for label, value in answer(ws.cell(r, 1).value).items():
                ws.cell(r, column[label], value)
    book.save(out)
    return out


def screen_dir(folder: Path, **frames) -> Path:
    """A folder as ``vaxutils screen --out`` leaves it: ``<name>.parquet`` per frame."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet")
    return folder


def screened_commune(folder: Path, code: str, n_persons: int, seed: int, export_date, fmt="csv"):
    """A synthetic commune written as the platform exports it and screened: (commune, result)."""
    from vaxutils.stages import screen_file
    from vaxutils.synth import generate_commune, write_commune

    commune = generate_commune(code, n_persons=n_persons, seed=seed, export_date=export_date)
    write_commune(commune, folder, fmt=fmt)
    result = screen_file(
        folder / f"export_{code}.{fmt}",
        folder / "out",
        export_date=export_date,
        check_contracts=False,
    )
    return commune, result


def population_by_record(commune):
    """The synthetic population indexed by record id (the person behind each record; the two
    records of a split duplicate are one person)."""
    people = commune.record_person.merge(commune.population, on="person_id", how="left")
    return people.set_index("record_id")
