"""Peak memory of the readers on hostile files, against the caps (vaxutils.io.limits).

Each bomb is built small on disk (a few MB that inflate to gigabytes: whitespace, one giant cell,
a giant shared string, a zip that lies about its sizes, a sheet whose two far-apart cells make a
dense grid of billions, a 50 MB one-line CSV, a line of ten million commas) and read with the
default caps in a fresh process; printed: what stopped it, the process's peak memory above its
size once vaxutils is imported, and that peak against the cap it hit. Before the caps, these took
1.2–8 GB or ended in a Rust panic. Two files under the caps show the other side: a real 100,000-row
sheet (target: peak ≤ 10 × its inflated XML) and a 50 MB cell read through to the cell cap. Then
files under the caps read whole, peak against their size (target ≤ 10×): CSVs of one-character
cells (the worst case for a reader that makes a Python string per cell), narrow, Vietnamese and
5,000 columns wide, and a 10,000-column xlsx and CSV (read at the default caps, with CPU time).
Two ods bombs (a few bytes of repeated rows and cells) must stop before any parser expands them.

Run: ``python benchmarks/bench_limits.py`` (≈ 1 minute; bombs are written to ``benchmarks/_data/``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "_data" / "bombs"
MB = 2**20
_spec = importlib.util.spec_from_file_location(
    "malformed_corpus", ROOT / "tests" / "adversarial" / "malformed_corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)


def bombs() -> dict[str, tuple[Path, str]]:
    """``{name: (path, what)}``, each written once."""
    _spec.loader.exec_module(corpus)
    DATA.mkdir(parents=True, exist_ok=True)
    c = corpus
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    shapes = {
        "whitespace.xlsx": ("1.5 GB of whitespace in a sheet",
                            lambda p: c.raw_xlsx(p, c._bomb_sheet(b" ", 1536 * MB))),
        "giant_cell.xlsx": ("one 1.2 GB inline cell", lambda p: c.raw_xlsx(p, c._giant_cell(1200 * MB))),
        "shared_string.xlsx": ("one 1 GB shared string",
                               lambda p: c.raw_xlsx(p, [c.sheet_xml([c.HEADER], extra='<row r="2"><c r="B2" t="s"><v>0</v></c></row>')],
                                                    shared_strings=c._giant_shared_string(1024 * MB))),
        "lying_size.xlsx": ("declares 100 bytes, inflates to 1.5 GB",
                            lambda p: c.raw_xlsx(p, c._bomb_sheet(b" ", 1536 * MB), lie_about="xl/worksheets/sheet1.xml")),
        "far_cells.xlsx": ("A1 and XFD1048576: a dense grid of 17 billion cells",
                           lambda p: c.raw_xlsx(p, [c.sheet_xml(c._text_rows(3), extra=far)])),
        "cell_50mb.xlsx": ("one 50 MB cell (under the size caps, over the cell cap)",
                           lambda p: c.raw_xlsx(p, c._giant_cell(50 * MB))),
        "one_line.csv": ("a 50 MB CSV of one line", lambda p: p.write_bytes(b"x" * (50 * MB))),
        "commas.csv": ("a line of 10 million commas", lambda p: p.write_bytes(b"," * 10_000_000 + b"\n")),
        "ods_rows.ods": ("1,000,000 repeated rows × 16,384 repeated cells (a 1 kB ods)",
                         lambda p: c.raw_ods(p, c.ods_row(c.HEADER) + c.ods_row(["x"], 1_000_000, 16_384))),
        "ods_columns.ods": ("one cell repeated 10⁹ times across (a 1 kB ods)",
                            lambda p: c.raw_ods(p, c.ods_row(c.HEADER) + c.ods_row(["x"], 1, 10**9))),
    }  # fmt: skip
    made = {}
    for name, (what, write) in shapes.items():
        path = DATA / name
        if not path.exists():
            write(path)
        made[name] = (path, what)
    return made


def _tiny_cells(path: Path, cell: str, columns: int, size: int = 20 * MB) -> None:
    """A CSV of one-character cells (the worst case: a Python string per 2 bytes of file)."""
    header = ",".join([*corpus.HEADER, *(f"Cột {i}" for i in range(columns - len(corpus.HEADER)))])
    line = ",".join([cell] * columns) + "\n"
    path.write_text(header + "\n" + line * (size // len(line.encode())), encoding="utf-8")


def under_caps() -> dict[str, tuple[Path, str]]:
    """Files the caps let through, read whole: ``{name: (path, what)}``."""
    _spec.loader.exec_module(corpus)
    people = corpus.people(200)
    shapes = {
        "tiny_cells.csv": ("20 MB of 1-character cells, 50 columns", lambda p: _tiny_cells(p, "x", 50)),
        "tiny_cells_vi.csv": ("20 MB of 1-character Vietnamese cells (ạ), 50 columns",
                              lambda p: _tiny_cells(p, "ạ", 50)),
        "tiny_cells_wide.csv": ("20 MB of 1-character cells, 5,000 columns",
                                lambda p: _tiny_cells(p, "x", 5_000)),
        "cols_10000.xlsx": ("200 people under a header of 10,000 columns",
                            lambda p: corpus.raw_xlsx(p, [corpus.sheet_xml(
                                [[*corpus.HEADER, *(f"Ghi chú {i}" for i in range(10_000 - len(corpus.HEADER)))],
                                 *people])])),
        "cols_10000.csv": ("200 people under a header of 10,000 columns",
                           lambda p: p.write_text(corpus._csv_text(
                               [[*corpus.HEADER, *(f"Ghi chú {i}" for i in range(10_000 - len(corpus.HEADER)))],
                                *people]), encoding="utf-8")),
    }  # fmt: skip
    shapes["tiny_cells.xlsx"] = ("100,000 rows × 20 one-character cells (fastexcel)",
                                 lambda p: _tiny_xlsx(p, boolean=False))  # fmt: skip
    shapes["tiny_cells_calamine.xlsx"] = ("the same and one TRUE cell (read by calamine: Python objects)",
                                          lambda p: _tiny_xlsx(p, boolean=True))  # fmt: skip
    made = {}
    for name, (what, write) in shapes.items():
        path = DATA / name
        if not path.exists():
            write(path)
        made[name] = (path, what)
    return made


def _tiny_xlsx(path: Path, boolean: bool) -> None:
    def rows():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{corpus._NS}"><sheetData>'.encode()
        yield corpus.row_xml(1, [*corpus.HEADER, *(f"C{i}" for i in range(11))]).encode()
        for r in range(2, 100_002):
            cells = "".join(f'<c r="{corpus._letters(i)}{r}" t="s"><v>0</v></c>' for i in range(20))
            yield f'<row r="{r}">{cells}</row>'.encode()
        if boolean:  # fastexcel's "true" could be typed text: the sheet goes to calamine
            yield b'<row r="100002"><c r="A100002" t="b"><v>1</v></c></row>'
        yield b"</sheetData></worksheet>"

    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{corpus._NS}"><si><t>x</t></si></sst>'
    )
    corpus.raw_xlsx(path, rows(), shared_strings=[strings.encode()])


def _child(path: str) -> None:
    import resource
    import time

    from vaxutils.io import IngestError, ReadLimits, read_export

    limits = ReadLimits.from_env()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    try:
        export = read_export(path)
        outcome, code = f"read: {len(export.records):,} records", None
    except IngestError as exc:
        outcome, code = exc.message_en.split(": ", 1)[-1][:110], exc.code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    cap = None
    if code and code.startswith("limit_"):
        field = code[len("limit_") :]
        cap = getattr(limits, field, None)
        cap = cap if field.endswith("bytes") else None
    print(json.dumps({"outcome": outcome, "code": code, "peak_mb": peak,
                      "wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "cap_mb": cap and cap / MB}))  # fmt: skip


def measure(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        return {"outcome": f"process ended with {out.returncode}: {out.stderr[-200:]}", "code": "CRASH",
                "peak_mb": float("nan"), "wall": float("nan"), "cpu": float("nan"), "cap_mb": None}  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print("bomb                 on disk   inflated  peak (above import)  stopped by / outcome")
    for name, (path, what) in bombs().items():
        inflated = path.stat().st_size
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                inflated = sum(i.file_size for i in book.infolist())
        r = measure(path)
        against = (
            f" = {r['peak_mb'] / r['cap_mb']:.2f}× the {r['cap_mb']:.0f} MB cap"
            if r["cap_mb"]
            else ""
        )
        print(
            f"{name:20s} {path.stat().st_size / MB:6.1f} MB {inflated / MB:8.0f} MB {r['peak_mb']:8.0f} MB"
            f"{against:28s} [{r['code']}] {r['outcome']}  ({r['wall']:.1f} s)  — {what}"
        )
    print("\nunder the caps: peak against the file's size (target ≤ 10×)")
    for name, (path, what) in under_caps().items():
        r = measure(path)
        size, of = path.stat().st_size, "the file"
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                size, of = sum(i.file_size for i in book.infolist()), "its XML"
        print(
            f"{name:24s} {size / MB:6.1f} MB {r['peak_mb']:8.0f} MB = {r['peak_mb'] * MB / size:4.1f}× "
            f"{of}  {r['outcome']}  ({r['wall']:.1f} s, {r['cpu']:.1f} s CPU)  — {what}"
        )
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_read import workbook

    path = workbook(100_000)
    with zipfile.ZipFile(path) as book:
        inflated = sum(i.file_size for i in book.infolist() if i.filename.startswith("xl/"))
    r = measure(path)
    print(
        f"{'export_100000.xlsx':20s} {path.stat().st_size / MB:6.1f} MB {inflated / MB:8.0f} MB "
        f"{r['peak_mb']:8.0f} MB = {r['peak_mb'] * MB / inflated:.1f}× the inflated XML (target ≤ 10×)"
        f"  {r['outcome']}  ({r['wall']:.1f} s)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
