"""The catalogue of finding codes: one entry per code, split by area into YAML files.

Each entry gives the code's category and severity, the Vietnamese message a commune health worker reads,
an English message, and what to do. :func:`load` merges the files and checks them, so a code that is
emitted anywhere in vaxutils has exactly one meaning.

The catalogue completes the findings contract of :mod:`vaxutils.schema` and sits beside it, below
every layer that emits or reads a code (``screen``, ``reconcile``, ``contracts``, ``passport``). The
area files stay in ``vaxutils/screen/catalogue/`` next to the checks that own them (data read
from the package, not an import); ``vaxutils.screen.catalogue`` hands on the same functions.

>>> cat = load()
>>> set(cat["category"]) <= {"missing_id", "id_format", "personal_info", "duplicate", "dose", "normalized"}
True
"""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from vaxutils.kernel.yaml_data import load_yaml
from vaxutils.schema import CATEGORIES, SEVERITIES

COLUMNS = ("code", "category", "severity", "message_vi", "message_en", "action_vi", "area")


class CatalogueError(ValueError):
    """The catalogue files contradict each other or the findings contract."""


# Where the area files are (more than one folder may hold them: codes stay unique across all).
FOLDERS = (resources.files("vaxutils") / "screen" / "catalogue",)


@functools.cache
def load() -> pd.DataFrame:
    """All finding codes as a DataFrame indexed by ``code`` (columns: category, severity, messages, area)."""
    entries = []
    files = [item for folder in FOLDERS if folder.is_dir() for item in folder.iterdir()]
    for item in sorted(files, key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        area = item.name.removesuffix(".yaml")
        for entry in load_yaml(item.read_text(encoding="utf-8")) or []:
            entries.append({**entry, "area": area})
    table = pd.DataFrame(entries, columns=list(COLUMNS))
    _check(table)
    return table.set_index("code", drop=False)


def _check(table: pd.DataFrame) -> None:
    dupes = table.loc[table["code"].duplicated(keep=False), ["code", "area"]]
    if not dupes.empty:
        raise CatalogueError(f"duplicate finding codes: {dupes.to_dict('records')}")
    bad_cat = table.loc[~table["category"].isin(CATEGORIES), "code"].tolist()
    bad_sev = table.loc[~table["severity"].isin(SEVERITIES), "code"].tolist()
    if bad_cat or bad_sev:
        raise CatalogueError(f"invalid category for {bad_cat}, invalid severity for {bad_sev}")
    normalized_not_info = table.query("category == 'normalized' and severity != 'info'")
    if not normalized_not_info.empty:
        raise CatalogueError(
            f"normalized findings must be info: {normalized_not_info['code'].tolist()}"
        )
    missing_text = table.loc[table["message_vi"].isna() | (table["message_vi"] == ""), "code"]
    if not missing_text.empty:
        raise CatalogueError(f"codes without a Vietnamese message: {missing_text.tolist()}")


def to_markdown() -> str:
    """The catalogue as Markdown, one table per list, for docs/findings.md (``vaxutils codes --markdown``)."""
    table = load()
    lines = [
        "# Danh mục mã lỗi / Findings catalogue",
        "",
        "Generated from `vaxutils/screen/catalogue/*.yaml` by `vaxutils codes --markdown`; do not edit by hand.",
        "Severity: `error` blocks passport signing, `warning` needs a person to look, `info` is a safe",
        "automatic normalisation (never counted as an error).",
    ]
    for category in CATEGORIES:
        part = table[table["category"] == category]
        lines += [
            "",
            f"## {category}",
            "",
            "| code | severity | message (vi) | what to do (vi) | message (en) |",
            "|---|---|---|---|---|",
        ]
        for row in part.itertuples(index=False):
            action = row.action_vi if isinstance(row.action_vi, str) else ""
            english = row.message_en if isinstance(row.message_en, str) else ""
            cells = [f"`{row.code}`", row.severity, row.message_vi, action, english]
            lines.append(
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
            )
    return "\n".join(lines) + "\n"
