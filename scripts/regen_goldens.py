"""Regenerate the nbval goldens in tests/notebooks/ (``python scripts/regen_goldens.py``).

For two small synthetic communes: generate an export, screen it into
``tests/notebooks/commune_<code>/screen/`` and execute ``notebooks/commune_report.ipynb`` into
``tests/notebooks/commune_report_<code>.ipynb`` with papermill, the kernel running in
tests/notebooks/ so the screen path in the notebook is relative (nbval re-runs it from there).
Inputs are fixed (seed, export date), so the goldens only change when the code does.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDENS = ROOT / "tests" / "notebooks"
COMMUNES = ("01420", "01366")
PERSONS = 120
EXPORT_DATE = date(2022, 5, 15)


def _drop_images(path: Path) -> None:
    """nbval never compares PNGs; leaving them out keeps the goldens small and diffable."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop("image/png", None)
    nbformat.write(nb, path)


def main() -> int:
    from vaxutils.batch.synthetic import write_small_commune
    from vaxutils.report.run import COMMUNE_NOTEBOOK, execute_notebook
    from vaxutils.stages import screen_file

    GOLDENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for code in COMMUNES:
            export = write_small_commune(code, Path(tmp), persons=PERSONS, seed=1)
            screen_dir = GOLDENS / f"commune_{code}" / "screen"
            shutil.rmtree(screen_dir, ignore_errors=True)
            screen_file(export, screen_dir, export_date=EXPORT_DATE, check_contracts=False)
            (screen_dir / "findings.csv").unlink(missing_ok=True)  # the notebook reads Parquet only
            target = GOLDENS / f"commune_report_{code}.ipynb"
            # the kernel runs in the target's folder, tests/notebooks/, like nbval's later
            execute_notebook(
                COMMUNE_NOTEBOOK,
                target,
                {"commune_code": code, "screen_dir": f"commune_{code}/screen"},
            )
            _drop_images(target)
            print(f"golden: {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
