"""Output paths built from validated parts, and output folders checked before any work starts.

Data decides some file names (a commune's folder, a commune's workbook), so a cell of a shared
export must never be able to send a file elsewhere: a commune code is used in a path only when it
is five ASCII digits (:func:`commune_code`), anything else taken from data goes through
:func:`safe_part`, and :func:`inside` refuses any path that resolves outside the output folder
(``..``, an absolute path, a symbolic link pointing out). :func:`check_out_dir` and
:func:`check_out_file` turn an unusable ``--out`` (a file, read-only, under ``/proc``) into one
clear message before a long screening is wasted.

>>> is_commune_code("01420"), is_commune_code("../../x"), is_commune_code("０１４２０"), is_commune_code(1420)
(True, False, False, False)
>>> safe_part("../../etc/passwd"), safe_part("Thôn 1/2"), safe_part(""), safe_part("CON")
('etc_passwd', 'Thôn 1_2', '_', '_CON')
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> inside(root, "01420", "report.html") == root.resolve() / "01420" / "report.html"
True
>>> inside(root, "../x")
Traceback (most recent call last):
...
vaxutils.io.paths.UnsafePath: Đường dẫn '../x' nằm ngoài thư mục kết quả ... — The path '../x' leads outside the output folder ...
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from vaxutils.errors import VaxutilsError

# ASCII digits only: re's \d also takes full-width and other scripts' digits
_COMMUNE_CODE = re.compile(r"[0-9]{5}")
# path separators, characters Windows refuses in names, controls (NUL included), and the
# invisible format characters (bidi overrides) that could disguise a name
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
LONGEST_PART = 100
# folders no output may go to: kernel interfaces, not storage
_SYSTEM_ROOTS = ("/proc", "/sys", "/dev")


class UnsafePath(VaxutilsError):
    """A path built from data (or given as ``--out``) that cannot be used for output."""


def is_commune_code(value: object) -> bool:
    """Whether ``value`` is a five-digit GSO commune code (a str of ASCII digits); never raises."""
    return isinstance(value, str) and _COMMUNE_CODE.fullmatch(value) is not None


def commune_code(value: object, *, where: str = "") -> str:
    """``value`` when it is a five-digit commune code, else :class:`UnsafePath` saying what to do.

    >>> commune_code("01420")
    '01420'
    """
    if is_commune_code(value):
        return value
    shown = repr(value) if not isinstance(value, str) else f"'{value[:60]}'"
    at = f" ({where})" if where else ""
    raise UnsafePath(
        f"Mã xã {shown}{at} không hợp lệ: mã xã phải gồm đúng 5 chữ số (ví dụ 01420). "
        f"— Invalid commune code {shown}{at}: a commune code is exactly 5 digits (e.g. 01420)."
    )


def safe_part(value: object, fallback: str = "_") -> str:
    """One file or folder name made from data: no separator, no control character, no leading
    dot, not a Windows device name, at most :data:`LONGEST_PART` characters; never raises.
    """
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be a name
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("_", text).strip(" ._")
    text = re.sub(r"\.{2,}", ".", text)
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    return text[:LONGEST_PART].strip(" ") or fallback


def inside(root: str | os.PathLike, *parts: str | os.PathLike) -> Path:
    """``root/part/...`` resolved, or :class:`UnsafePath` if it leads outside ``root``.

    Symbolic links are followed, so a link planted inside ``root`` cannot lead out either.
    """
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        shown = os.fspath(Path(*parts)) if parts else os.fspath(root)
        raise UnsafePath(
            f"Đường dẫn '{shown}' nằm ngoài thư mục kết quả {base}: không ghi. "
            f"— The path '{shown}' leads outside the output folder {base}: not written."
        )
    return target


def _under_system(path: Path) -> bool:
    text = path.as_posix()
    return any(text == root or text.startswith(root + "/") for root in _SYSTEM_ROOTS)


def _unusable(what_vi: str, what_en: str, path: Path) -> UnsafePath:
    return UnsafePath(
        f"Không dùng được '{path}' làm nơi ghi kết quả (--out): {what_vi}. Hãy chọn nơi ghi khác "
        f"mà bạn có quyền ghi. — Cannot write the results to '{path}' (--out): {what_en}. "
        "Choose another place you can write to."
    )


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _check_writable_dir(folder: Path, shown: Path) -> None:
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".vaxutils-write-test-")
    except OSError as exc:
        raise _unusable(
            f"không ghi được vào thư mục {folder} ({exc.strerror or exc})",
            f"the folder {folder} is not writable ({exc.strerror or exc})",
            shown,
        ) from None
    os.close(fd)
    os.unlink(name)


def check_out_dir(out: str | os.PathLike) -> Path:
    """Make sure ``out`` can hold a stage's files: a folder that exists or can be created, that we
    can write to, not a file and not under ``/proc``, ``/sys`` or ``/dev``. Returns the path.
    """
    path = Path(out)
    resolved = path.resolve()
    if _under_system(resolved):
        raise _unusable(
            "đây là thư mục hệ thống, không phải nơi lưu tệp", "a system folder, not storage", path
        )
    if resolved.exists() and not resolved.is_dir():
        raise _unusable("đây là một tệp, không phải thư mục", "it is a file, not a folder", path)
    existing = _nearest_existing(resolved)
    if not existing.is_dir():
        raise _unusable(
            f"'{existing}' là một tệp, không tạo được thư mục bên trong",
            f"'{existing}' is a file, no folder can be made inside it",
            path,
        )
    # the folder itself is made by the stage that writes into it: a run stopped by a bad input
    # leaves no empty folder behind
    _check_writable_dir(existing, path)
    return path


def check_out_file(out: str | os.PathLike, suffixes: tuple[str, ...] = (".xlsx",)) -> Path:
    """Make sure ``out`` can be written as one file: a name with one of ``suffixes``, not a
    folder, in a folder that exists or can be created and that we can write to."""
    path = Path(out)
    resolved = path.resolve()
    if _under_system(resolved):
        raise _unusable(
            "đây là thư mục hệ thống, không phải nơi lưu tệp", "a system folder, not storage", path
        )
    if resolved.is_dir():
        raise _unusable(
            "đây là một thư mục; hãy ghi tên tệp, ví dụ ra_soat.xlsx",
            "it is a folder; give a file name, e.g. ra_soat.xlsx",
            path,
        )
    if suffixes and resolved.suffix.lower() not in suffixes:
        raise _unusable(
            f"tên tệp phải có đuôi {' hoặc '.join(suffixes)}",
            f"the file name must end in {' or '.join(suffixes)}",
            path,
        )
    check_out_dir(resolved.parent)
    return path
