"""Read many exports at once: a file per process, on every core.

A district sends dozens of commune exports, a province hundreds. One sheet is read in one pass
(its parse is a fraction of a second for a commune); what takes time is the number of files, so
the parallelism is across files. Threads do not help here: most of a read after the Rust parse
is pandas work under the GIL (measured: 1.0× on 2 cores), so each file is read in a process of
its own. Processes are started with ``spawn`` (safe with the threads pandas and Arrow keep, and
the only start method on Windows); their start-up (importing pandas and Arrow, a second or two)
is paid once per worker, not per file, and while they start this process reads files itself,
from the end of the list: it has everything imported already.

A file that cannot be read does not stop the others: its result carries the
:class:`~vaxutils.io.IngestError` to show.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for code in ("01420", "01423"):
...     _ = (folder / f"export_{code}.csv").write_text(
...         "Họ và tên,Ngày sinh,Số CCCD\\nLê Thị Hoa,02/03/1990,001190012345\\n", encoding="utf-8")
>>> _ = (folder / "export_01426.csv").write_bytes(b"")
>>> results = read_many(sorted(folder.iterdir()), workers=1)
>>> [(r.path.name, len(r.export.records) if r.export else r.error.code) for r in results]
[('export_01420.csv', 1), ('export_01423.csv', 1), ('export_01426.csv', 'empty_file')]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from vaxutils.io.errors import IngestError
from vaxutils.io.export import Export, read_export
from vaxutils.io.limits import ReadLimits


@dataclass
class ReadResult:
    """One file of :func:`read_many`: its :class:`Export`, or the error that explains why not."""

    path: Path
    export: Export | None = None
    error: IngestError | None = None


def _read_one(path: Path, columns, limits: ReadLimits | None) -> ReadResult:
    try:
        return ReadResult(path, export=read_export(path, columns=columns, limits=limits))
    except IngestError as exc:
        return ReadResult(path, error=exc)


def read_many(
    paths: Iterable[str | os.PathLike],
    *,
    columns: dict[str, str] | str | os.PathLike | None = None,
    workers: int | None = None,
    limits: ReadLimits | None = None,
) -> list[ReadResult]:
    """Read every file with :func:`read_export`, concurrently; results in the order of ``paths``.

    ``workers`` defaults to the number of cores (never more than the files). With one worker or
    one file, files are read here, one after another. Errors other than
    :class:`~vaxutils.io.IngestError` (a bug, memory) propagate.
    """
    files = [Path(p) for p in paths]
    limits = limits or ReadLimits.from_env()  # read here: workers see the caller's caps
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    if workers == 1:
        return [_read_one(p, columns, limits) for p in files]
    context = multiprocessing.get_context("spawn")
    results: list[ReadResult | None] = [None] * len(files)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_read_one, p, columns, limits) for p in files]
            for i in reversed(range(len(files))):  # the workers take files from the front
                if not futures[i].cancel():
                    break  # a worker has it: so it has every file before it too
                results[i] = _read_one(files[i], columns, limits)
            for i, future in enumerate(futures):
                if results[i] is None:
                    results[i] = future.result()
    except BrokenProcessPool:
        # A worker died (killed, out of memory) or could not start (a caller without an
        # importable __main__): what is left is read here, one file after another.
        pass
    return [
        r if r is not None else _read_one(p, columns, limits)
        for r, p in zip(results, files, strict=True)
    ]
