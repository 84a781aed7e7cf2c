"""Find the header row of an export and map its columns onto canonical fields.

Headers are compared after folding accents, case, spaces and punctuation, so ``HỌ VÀ TÊN``,
``Họ và tên`` and ``Ho_va_ten`` are one header. Wide exports repeat the dose fields once per dose
("Mũi 1 - Tên vắc xin", "Tên vắc xin mũi 1", "M1_Vacxin"); the dose number is taken out and the
rest looked up, giving keys like ``("vaccine", 1)``. Person fields have ``None`` as dose.

>>> normalize_header("Mũi 1 - Tên vắc-xin")
'mui 1 ten vac xin'
>>> header_key("M1_Vacxin"), header_key("Tên vắc xin mũi 1"), header_key("HỌ VÀ TÊN")
(('vaccine', 1), ('vaccine', 1), ('full_name', None))
>>> header_key("Ghi chú") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import pandas as pd

from vaxutils.io.grid import column_arrays
from vaxutils.kernel.yaml_data import load_yaml
from vaxutils.schema import CANONICAL_FIELDS, DOSE_FIELDS, FIELD_LABELS_VI

Key = tuple[str, int | None]
IGNORED = "ignore"
REQUIRED_FIELDS: tuple[str, ...] = ("full_name", "id_number", "dob")
HEADER_SCAN_ROWS = 30
_DOSE_TOKEN = re.compile(
    r"(?:^| )(?:mui tiem thu|mui thu|mui tiem|mui so|mui|lan tiem thu|lan tiem|lan thu|lan|m|dose) "
    r"(\d{1,2})(?= |$)"
)


def normalize_header(label: object) -> str:
    """Fold a header for comparison: no accents, lower case, words split on punctuation and digits."""
    if not isinstance(label, str):
        return ""
    text = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)
    return " ".join(text.split())


def _compact(normalized: str) -> str:
    return normalized.replace(" ", "")


@cache
def aliases() -> dict[str, tuple[str, ...]]:
    """The header aliases per canonical field (plus ``ignore``), from ``aliases.yaml``."""
    text = resources.files("vaxutils.io").joinpath("aliases.yaml").read_text(encoding="utf-8")
    return {name: tuple(labels) for name, labels in load_yaml(text).items()}


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, labels in aliases().items():
        for label in (*labels, name):
            index.setdefault(_compact(normalize_header(label)), name)
    return index


def dose_group(label: object) -> int | None:
    """The dose number of a bare group label ("Mũi 1", "MŨI 2", "Lần 3"), else ``None``."""
    normalized = normalize_header(label)
    match = _DOSE_TOKEN.fullmatch(normalized) or _DOSE_TOKEN.fullmatch(" " + normalized)
    return int(match.group(1)) if match else None


def header_key(label: object) -> Key | None:
    """The canonical ``(field, dose)`` a header stands for; ``("ignore", None)`` for STT; else None."""
    normalized = normalize_header(label)
    if not normalized:
        return None
    index = _alias_index()
    name = index.get(_compact(normalized))
    if name is not None:
        return (name, None)
    match = _DOSE_TOKEN.search(normalized)
    if match is None:
        return None
    rest = _compact(normalized[: match.start()] + " " + normalized[match.end() :])
    name = index.get(rest)
    if name in DOSE_FIELDS and name != "dose_number":
        return (name, int(match.group(1)))
    return None


def mapping_key(name: str) -> Key | None:
    """Parse a ``--columns`` key: ``full_name`` → ("full_name", None); ``vaccine_2`` → ("vaccine", 2)."""
    if name in CANONICAL_FIELDS:
        return (name, None)
    field_name, _, dose = name.rpartition("_")
    if field_name in DOSE_FIELDS and field_name != "dose_number" and dose.isdigit():
        return (field_name, int(dose))
    return None


def key_name(key: Key) -> str:
    """The inverse of :func:`mapping_key`."""
    return key[0] if key[1] is None else f"{key[0]}_{key[1]}"


def key_label_vi(key: Key) -> str:
    label = FIELD_LABELS_VI.get(key[0], key[0])
    return label if key[1] is None else f"Mũi {key[1]} - {label}"


def same_header(a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    if unicodedata.normalize("NFC", a).strip() == unicodedata.normalize("NFC", b).strip():
        return True
    return _compact(normalize_header(a)) == _compact(normalize_header(b)) != ""


@dataclass(frozen=True)
class HeaderSpec:
    """Where the header is: 0-based first and last header rows, and one label per column."""

    first_row: int
    last_row: int
    labels: list[str | None]
    keys: list[Key | None] = field(default_factory=list)


def _row_keys(labels: list[str | None], overrides: dict[Key, str]) -> list[Key | None]:
    keys: list[Key | None] = []
    for label in labels:
        key = next((k for k, header in overrides.items() if same_header(label, header)), None)
        keys.append(key or header_key(label))
    return keys


def _score(keys: list[Key | None]) -> int:
    return len({k for k in keys if k is not None and k[0] != IGNORED})


def _combine(upper: list[str | None], lower: list[str | None], overrides) -> list[str | None]:
    """Labels of a two-row header: "Mũi 1" merged over its columns above "Tên vắc xin", "Số lô"...

    Only the first cell of a merged range holds the text, so dose-group labels are carried right
    over the empty cells of their group.
    """
    combined: list[str | None] = []
    group: str | None = None
    for up, low in zip(upper, lower, strict=True):
        if up is not None:
            group = up if dose_group(up) is not None else None
        if group is not None and low is not None:
            combined.append(f"{group} {low}")
        elif low is not None and (up is None or _row_keys([low], overrides)[0] is not None):
            combined.append(low)
        else:
            combined.append(up if up is not None else low)
    return combined


def _first_rows(cells: pd.DataFrame, n: int) -> list[list[str | None]]:
    """The first ``n`` rows of a text grid as lists, read from each column's Arrow data (pandas'
    ``.to_numpy()`` takes seconds over 10,000 columns)."""
    columns = [c.slice(0, n).to_pylist() for c in column_arrays(cells)]
    if not columns:
        return [[] for _ in range(min(n, len(cells)))]
    return [list(row) for row in zip(*columns, strict=True)]


def _looked_up(memo: dict, function, labels: list) -> list:
    """``[function(label) for label in labels]``, each distinct label computed once in ``memo``."""
    for label in set(labels).difference(memo):
        memo[label] = function(label)
    return list(map(memo.__getitem__, labels))


def find_header(cells: pd.DataFrame, overrides: dict[Key, str] | None = None) -> HeaderSpec | None:
    """Find the header among the first rows of ``cells`` (text grid), or ``None`` if none is found.

    The header is the row (or pair of rows) whose cells name the most distinct canonical fields;
    title rows above it ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "DANH SÁCH ...") name none.
    """
    overrides = overrides or {}
    rows = _first_rows(cells, HEADER_SCAN_ROWS)
    # A label is looked up once, however many cells hold it (a wide sheet has 300,000 cells here).
    known: dict[str | None, Key | None] = {None: None}
    groups: dict[str | None, int | None] = {None: None}
    best: HeaderSpec | None = None
    best_score = 1  # one matching cell could be a title; a header names at least two fields
    for i, labels in enumerate(rows):
        candidates = [(i, labels)]
        if i + 1 < len(rows) and any(g is not None for g in _looked_up(groups, dose_group, labels)):
            candidates.append((i + 1, _combine(labels, rows[i + 1], overrides)))
        for last, candidate in candidates:
            keys = _looked_up(known, lambda v: _row_keys([v], overrides)[0], candidate)
            score = _score(keys)
            if score > best_score:
                best, best_score = HeaderSpec(i, last, candidate, keys), score
    return best
