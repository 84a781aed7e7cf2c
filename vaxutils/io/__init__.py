"""Ingestion and writers — the only layer that touches files.

Reading: :func:`read_export` turns a commune's export (xlsx read in one fastexcel pass per sheet,
python-calamine then openpyxl as fallbacks; xls, ods, csv/txt in UTF-8, UTF-16 or Windows-1258,
Parquet) into an :class:`Export` of text ``records`` and ``doses`` with provenance in ``source``,
within the caps of :class:`ReadLimits`; :func:`read_many` reads many files on every core;
:func:`read_table` is the lower-level "header + rows as text" reader; :func:`load_column_mapping`
reads a ``--columns`` file. Every unusable input raises one :class:`IngestError`.

Writing: :func:`write_atomic` and the format writers built on it (:func:`write_csv`,
:func:`write_parquet`, :func:`write_json`, :func:`write_xlsx`); :func:`file_sha256`;
:func:`read_parquet` for the Parquet files the stages themselves wrote.
"""

from vaxutils.io.communes import claim_unlocated, commune_parts, keep_commune, place_communes
from vaxutils.io.errors import IngestError, IngestWarning, WriteError
from vaxutils.io.export import Export, read_export
from vaxutils.io.files import file_sha256, read_parquet, write_atomic
from vaxutils.io.headers import header_key, normalize_header
from vaxutils.io.limits import ReadLimits
from vaxutils.io.many import ReadResult, read_many
from vaxutils.io.mapping import load_column_mapping
from vaxutils.io.one_commune import OneCommune, one_commune
from vaxutils.io.platform_template import (
    read_platform_results,
    read_platform_template,
    write_platform_template,
)
from vaxutils.io.readers import read_table
from vaxutils.io.registry import RegistryExtract, read_registry
from vaxutils.io.writers import escape_formulas, formula_like, write_csv, write_json, write_parquet
from vaxutils.io.xlsx import write_xlsx

__all__ = [
    "Export",
    "IngestError",
    "IngestWarning",
    "RegistryExtract",
    "WriteError",
    "claim_unlocated",
    "commune_parts",
    "keep_commune",
    "place_communes",
    "escape_formulas",
    "file_sha256",
    "formula_like",
    "header_key",
    "ReadLimits",
    "ReadResult",
    "load_column_mapping",
    "OneCommune",
    "one_commune",
    "normalize_header",
    "read_export",
    "read_many",
    "read_parquet",
    "read_platform_results",
    "read_platform_template",
    "read_registry",
    "read_table",
    "write_atomic",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_platform_template",
    "write_xlsx",
]
