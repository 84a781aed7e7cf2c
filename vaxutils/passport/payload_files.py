"""The certificate payloads as JSON Lines files, one per facility and day.

``folder/<yyyymmdd>/<facility>.jsonl``, one line per certificate
``{"record_id", "dose_number", "facility", "dcc": payload}``. The lines are made in Arrow and
sorted by (facility, day) keeping the payloads' order; each file's bytes are one slice of the
sorted array's buffer, written atomically (no Python string per line).
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaxutils.io import write_atomic
from vaxutils.passport.arrow_text import arrow_text, escaped, join
from vaxutils.passport.icao import transliterate_series

WRITERS = 4  # files written at once (threads: the time is the disk's)


def facility_file_stem(facility: str) -> str:
    """A safe file name for a facility: its ASCII transliteration, lowercase, with a short hash
    (two facilities whose names fold alike still get two files).

    >>> facility_file_stem("Trạm Y tế xã Thượng Thôn")
    'tram-y-te-xa-thuong-thon-...'
    """
    return facility_file_stems([facility])[0]


def facility_file_stems(facilities: list[str]) -> list[str]:
    """:func:`facility_file_stem` of many facilities (one transliteration pass)."""
    folded = transliterate_series(pd.Series(facilities, dtype="string")).str.lower()
    stems = []
    for facility, text in zip(facilities, folded, strict=True):
        text = re.sub(r"<+", "-", text)[:60].strip("-") or "co-so"
        stems.append(f"{text}-{hashlib.sha1(facility.encode('utf-8')).hexdigest()[:6]}")
    return stems


def _sorted_codes(text: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Codes of each value that sort like the values (the distinct values, sorted), and those."""
    coded = pc.dictionary_encode(text)
    distinct = coded.dictionary.to_pylist()
    rank = np.empty(len(distinct), dtype=np.int64)
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank[order] = np.arange(len(distinct))
    return rank[coded.indices.to_numpy(zero_copy_only=False)], [distinct[i] for i in order]


def write_payload_files(folder: str | os.PathLike, payloads: pd.DataFrame) -> list[Path]:
    """JSON Lines per facility and day: ``folder/<yyyymmdd>/<facility>.jsonl``, one line per
    certificate ``{"record_id", "dose_number", "facility", "dcc": payload}``; atomically."""
    written = []
    if len(payloads) == 0:
        return written
    facility_text = arrow_text(payloads["facility"].astype(str))
    number = pa.array(pd.to_numeric(payloads["dose_number"]).astype("Int64"))
    text = join(
        '{"record_id":"', escaped(arrow_text(payloads["record_id"])), '","dose_number":',
        pc.fill_null(pc.cast(number, pa.large_string()), "null"),
        ',"facility":"', escaped(facility_text), '","dcc":', arrow_text(payloads["payload"]),
        "}\n",
    )  # fmt: skip
    days = pd.to_datetime(payloads["work_date"]).to_numpy("datetime64[D]")
    day_code, day_values = np.unique(days, return_inverse=True)[1], np.unique(days)
    facility_code, facilities = _sorted_codes(facility_text)
    order = np.lexsort((day_code, facility_code))
    key = facility_code[order] * (len(day_values) + 1) + day_code[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    bounds = np.append(starts, len(order))
    # the payloads of a worklist come sorted by facility on one day: then no 1-GB gather
    in_order = bool(np.all(order[1:] > order[:-1])) if len(order) > 1 else True
    lines = text if in_order else text.take(pa.array(order))
    stems = facility_file_stems(facilities)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset :]
    data = lines.buffers()[2]
    files = []
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        # one file's bytes: a slice of the sorted lines' buffer
        body = memoryview(data)[offsets[start] : offsets[end]]
        stem = stems[facility_code[order[start]]]
        day = pd.Timestamp(day_values[day_code[order[start]]]).strftime("%Y%m%d")
        files.append((Path(folder) / day / f"{stem}.jsonl", body))

    def write(file: tuple[Path, memoryview]) -> Path:
        path, body = file
        return write_atomic(path, lambda tmp: tmp.write_bytes(body))

    # a few files at once: each waits on the disk for its fsync, not on the others
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        written.extend(pool.map(write, files))
    return written
