"""Reading the versioned reference files in ``data/`` (CSV with ``#`` provenance lines on top).

Every value is read as text (codes keep their leading zeros); the provenance lines are kept apart
so that a report can say where its reference data came from.

>>> provenance("provinces.csv")[0].startswith("source: vietnam-provinces 0.5.0")
True
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).with_name("data")


def _comment_lines(path: Path) -> list[str]:
    lines = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            lines.append(line[1:].strip())
    return lines


def provenance(name: str) -> list[str]:
    """The provenance lines (without ``#``) at the top of a data file."""
    return _comment_lines(DATA_DIR / name)


@functools.cache
def read_table(name: str) -> pd.DataFrame:
    """A data file as a DataFrame of ``string`` columns (cached: callers must copy before changing)."""
    path = DATA_DIR / name
    skip = len(_comment_lines(path))
    return pd.read_csv(path, skiprows=skip, dtype="string", keep_default_na=False)


def fold_key(text: object) -> str | None:
    """Matching key for a place or label: NFC, lower case, no diacritics (đ → d), letters and digits only.

    Used on the few unique values of a column, never on output.

    >>> fold_key("Tỉnh  Thừa Thiên-Huế"), fold_key("Bà Rịa – Vũng Tàu"), fold_key(None)
    ('tinhthuathienhue', 'bariavungtau', None)
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text.casefold() if c.isalnum() and not unicodedata.combining(c))
