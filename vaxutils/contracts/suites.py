"""The contract files: one Great Expectations suite per stage boundary, in ``expectations/*.json``.

The JSON files *are* the contract: an analyst reads and edits them, and every stage validates
against what they say. A suite's ``meta`` holds its Vietnamese description (``description_vi``),
the column that identifies a row in messages (``id_column``) and its thresholds
(``parameters``: name → default and Vietnamese description). Expectations refer to thresholds
with GX suite parameters (``{"$PARAMETER": "max_missing_id_share"}``); a caller may override
any of them per call.

Reading a suite never imports Great Expectations, so listing and describing suites is instant:

>>> [s.name for s in list_suites()][:3]
['findings', 'passport_worklist', 'platform_export']
>>> spec = read_suite("platform_export")
>>> spec.parameters["max_missing_id_share"]
0.3
>>> spec.resolve_parameters({"max_missing_id_share": 0.1})["max_missing_id_share"]
0.1
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vaxutils.contracts.errors import ContractError
from vaxutils.resources import shipped

#: Environment variable naming another folder of suites (e.g. a province's own thresholds).
SUITES_DIR_ENV = "VAXUTILS_EXPECTATIONS_DIR"

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def suites_dir() -> Path:
    """The folder holding the suite files: ``$VAXUTILS_EXPECTATIONS_DIR`` or ``expectations/``
    (inside the installed package, or the source checkout's; :func:`vaxutils.resources.shipped`)."""
    configured = os.environ.get(SUITES_DIR_ENV)
    if configured:
        return Path(configured)
    return shipped("expectations")


@dataclass(frozen=True)
class SuiteSpec:
    """A suite file as read: its JSON, its description and its threshold defaults."""

    name: str
    path: Path
    description_vi: str
    id_column: str | None
    parameters: dict[str, Any]
    parameter_descriptions_vi: dict[str, str]
    document: dict = field(repr=False, compare=False)

    def resolve_parameters(self, overrides: dict | None = None) -> dict[str, Any]:
        """Defaults from the file, overridden by ``overrides``; unknown names are refused."""
        if overrides is None:
            return dict(self.parameters)
        if not isinstance(overrides, dict):
            raise ContractError(
                f"Tham số của bộ kiểm tra «{self.name}» phải là một từ điển tên → giá trị, "
                f"không phải {type(overrides).__name__}. / Parameters must be a mapping."
            )
        unknown = sorted(str(k) for k in overrides if k not in self.parameters)
        if unknown:
            known = ", ".join(sorted(self.parameters)) or "(không có)"
            raise ContractError(
                f"Bộ kiểm tra «{self.name}» không có tham số {', '.join(unknown)}; "
                f"các tham số hợp lệ: {known}. / Unknown parameter(s)."
            )
        return {**self.parameters, **overrides}


def list_suites(directory: Path | None = None) -> list[SuiteSpec]:
    """Every suite in the folder, sorted by name."""
    folder = Path(directory) if directory is not None else suites_dir()
    return [read_suite(p) for p in sorted(folder.glob("*.json"))]


def read_suite(name_or_path: str | os.PathLike) -> SuiteSpec:
    """Read one suite by name (``"records"``) or by path to a JSON file."""
    path = _suite_path(name_or_path)
    stat = path.stat()
    return _read_suite_cached(str(path), stat.st_mtime_ns, stat.st_size)


def _suite_path(name_or_path: str | os.PathLike) -> Path:
    if not isinstance(name_or_path, (str, os.PathLike)) or not str(name_or_path).strip():
        raise ContractError(
            f"Tên bộ kiểm tra không hợp lệ: {name_or_path!r}. / Invalid suite name."[:300]
        )
    text = str(name_or_path)
    try:
        if text.endswith(".json") and Path(text).is_file():
            return Path(text)
        path = suites_dir() / f"{text}.json"
        if len(text) <= 100 and path.is_file():
            return path
    except OSError:  # a name too long or unreadable for the file system: not a suite
        pass
    known = ", ".join(s.name for s in list_suites()) if suites_dir().is_dir() else "(không có)"
    raise ContractError(
        f"Không tìm thấy bộ kiểm tra «{text[:100]}» trong {suites_dir()}; "
        f"các bộ có sẵn: {known}. / Unknown suite."
    )


@lru_cache(maxsize=64)
def _read_suite_cached(path: str, _mtime_ns: int, _size: int) -> SuiteSpec:
    # mtime and size are part of the cache key so that a hand-edited file is read again.
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContractError(
            f"Không đọc được tệp bộ kiểm tra {path}: {exc}. "
            "Kiểm tra cú pháp JSON (dấu phẩy, ngoặc). / Cannot read suite file."
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        raise ContractError(
            f"Tệp {path} không phải một bộ kiểm tra GX (cần khóa 'name' và 'expectations'). "
            "/ Not an expectation suite."
        )
    meta = document.get("meta") or {}
    declared = meta.get("parameters") or {}
    spec = SuiteSpec(
        name=str(document.get("name") or Path(path).stem),
        path=Path(path),
        description_vi=str(meta.get("description_vi", "")),
        id_column=meta.get("id_column"),
        parameters={k: v.get("default") for k, v in declared.items()},
        parameter_descriptions_vi={
            k: str(v.get("description_vi", "")) for k, v in declared.items()
        },
        document=document,
    )
    missing = sorted(referenced_parameters(document) - set(spec.parameters))
    if missing:
        raise ContractError(
            f"Bộ kiểm tra «{spec.name}» ({path}) dùng tham số {', '.join(missing)} nhưng không "
            "khai báo giá trị mặc định trong meta.parameters. / Undeclared suite parameter(s)."
        )
    return spec


def referenced_parameters(node: Any) -> set[str]:
    """Names used in ``{"$PARAMETER": ...}`` expressions anywhere in a suite document.

    >>> sorted(referenced_parameters({"mostly": {"$PARAMETER": "1 - max_missing_id_share"}}))
    ['max_missing_id_share']
    """
    if isinstance(node, dict):
        if "$PARAMETER" in node:
            return set(_IDENTIFIER.findall(str(node["$PARAMETER"])))
        return set().union(*(referenced_parameters(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(referenced_parameters(v) for v in node))
    return set()
