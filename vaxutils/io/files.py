"""File primitives: content hashes and atomic replacement.

Every stage writes its outputs through :func:`write_atomic`, so a crash, a full disk or a bug in
the middle of a write never leaves a half-written file where the last good one was (DESIGN §3.3).

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "new" / "x.txt"
>>> write_atomic(out, lambda tmp: tmp.write_text("xin chào", encoding="utf-8")) == out
True
>>> out.read_text(encoding="utf-8"), file_sha256(out)[:12]
('xin chào', '8aaecd06d85c')
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as hex (read in chunks: exports can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_parquet(path: str | os.PathLike):
    """Read a Parquet file a stage wrote (screen outputs, registry extracts) as a DataFrame.

    Platform exports go through :func:`vaxutils.io.read_export` instead: they need header
    detection and every cell as text.
    """
    import pandas as pd  # not at import time: hashing and atomic writes need no pandas

    return pd.read_parquet(path)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which races with other threads.
_UMASK = _read_umask()


def write_atomic(path: str | os.PathLike, write_fn: Callable[[Path], object]) -> Path:
    """Write ``path`` by calling ``write_fn(temp_path)`` then renaming the temp file over it.

    The temp file sits in the same folder (so the rename is atomic) and keeps the real extension
    (writers that pick a format from it still work). Parent folders are created. If ``write_fn``
    raises, the temp file is removed, ``path`` is untouched and the exception propagates.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_fn(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); outputs are shared like any other file.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
