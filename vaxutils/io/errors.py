"""Errors and warnings raised while reading a user's file.

An :class:`IngestError` is the one message a health worker sees when a file cannot be read: it
says where (file, sheet, row, column), what is wrong and what to do — in Vietnamese first, then
English — and never shows a traceback. ``code`` is a stable machine name for tests and logs.

>>> err = IngestError("file_missing", "không tìm thấy tệp", "file not found", path="ds.xlsx",
...                   hint_vi="Kiểm tra lại đường dẫn.", hint_en="Check the path.")
>>> print(err)
Tệp 'ds.xlsx': không tìm thấy tệp. Kiểm tra lại đường dẫn. — File 'ds.xlsx': file not found. Check the path.
>>> err.code
'file_missing'
"""

from __future__ import annotations

import os

from vaxutils.errors import VaxutilsError


def _where_vi(path, sheet, row, column) -> str:
    parts = []
    if path is not None:
        parts.append(f"Tệp '{os.path.basename(os.fspath(path))}'")
    if sheet is not None:
        parts.append(f"trang tính '{sheet}'")
    if row is not None:
        parts.append(f"dòng {row}")
    if column is not None:
        parts.append(f"cột '{column}'")
    return ", ".join(parts)


def _where_en(path, sheet, row, column) -> str:
    parts = []
    if path is not None:
        parts.append(f"File '{os.path.basename(os.fspath(path))}'")
    if sheet is not None:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _sentence(where: str, what: str, hint: str | None) -> str:
    text = f"{where}: {what}." if where else f"{what[:1].upper()}{what[1:]}."
    return f"{text} {hint}" if hint else text


class IngestError(VaxutilsError):
    """A file that cannot be read as a vaccination export, explained in Vietnamese then English."""

    def __init__(
        self,
        code: str,
        what_vi: str,
        what_en: str,
        *,
        path: str | os.PathLike | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint_vi: str | None = None,
        hint_en: str | None = None,
    ) -> None:
        self.code = code
        self.path = None if path is None else os.fspath(path)
        self.sheet = sheet
        self.row = row
        self.column = column
        self.message_vi = _sentence(_where_vi(path, sheet, row, column), what_vi, hint_vi)
        self.message_en = _sentence(_where_en(path, sheet, row, column), what_en, hint_en)
        super().__init__(f"{self.message_vi} — {self.message_en}")

    def __reduce__(self):  # travels back from a worker process (io.read_many, batch) whole
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type, args: tuple, state: dict) -> BaseException:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class WriteError(VaxutilsError):
    """An output file that cannot be written as asked (e.g. more rows than Excel can hold)."""


class IngestWarning(str):
    """A problem noticed while reading that did not stop it (kept in ``Export.source["warnings"]``).

    It is the message itself (a ``str``, so it prints and serialises as text) with a stable
    ``code`` attribute for programs.

    >>> w = IngestWarning("record_id_generated", "Không có cột mã đối tượng. — No record id column.")
    >>> w.code, w.startswith("Không")
    ('record_id_generated', True)
    """

    code: str

    def __new__(cls, code: str, message: str) -> IngestWarning:
        obj = super().__new__(cls, message)
        obj.code = code
        return obj

    def __reduce__(self):  # keep the code through pickling (dask ships Export objects)
        return (IngestWarning, (self.code, str(self)))
