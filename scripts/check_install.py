"""Install vaxutils as pip and conda users get it (a wheel, not editable) in a fresh venv and run it
from a folder that is not the source tree: the notebooks, suites and reference data must come from
the installed package.

Usage::

    python3 scripts/check_install.py [--keep]

Exits non-zero (with the failing command's output) when a command fails. Takes a couple of minutes
with pip's cache (the dependencies are downloaded once). Run by ``.ci/run`` and ``make install-check``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], cwd: Path, env: dict | None = None, timeout: int = 900) -> str:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    took = time.perf_counter() - started
    print(f"  {'ok ' if done.returncode == 0 else 'FAIL'} {took:6.1f}s  {' '.join(args[:6])}")
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
        raise SystemExit(f"lệnh thất bại / command failed: {' '.join(args)}")
    return done.stdout


def main() -> None:
    keep = "--keep" in sys.argv
    base = Path(tempfile.mkdtemp(prefix="vaxutils-install-"))
    venv, work = base / "venv", base / "work"
    work.mkdir()
    print(f"Cài vaxutils (wheel) vào venv mới / fresh venv: {venv}")
    try:
        run([sys.executable, "-m", "venv", str(venv)], cwd=base)
        py, exe = venv / "bin" / "python", venv / "bin" / "vaxutils"
        run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"], cwd=base)
        # a copy of the tree: the install must not depend on files outside the package
        source = base / "src"
        shutil.copytree(
            ROOT,
            source,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "out", "build", "*.egg-info", "__pycache__"
            ),
        )
        run([str(py), "-m", "pip", "install", "-q", str(source)], cwd=base)
        shutil.rmtree(source)  # nothing may be read from the source tree afterwards
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["HOME"] = str(base)  # a user without any jupyter configuration
        run([str(exe), "--help"], cwd=work, env=env)
        run([str(py), "-m", "vaxutils", "--help"], cwd=work, env=env)
        run([str(exe), "contracts", "list"], cwd=work, env=env)
        run(
            [str(exe), "synth", "--commune", "01420", "--persons", "80", "--out", "in"],
            cwd=work,
            env=env,
        )
        run(
            [str(exe), "report", "--commune", "01420", "--input", "in/export_01420.xlsx",
             "--out", "rep", "--export-date", "15/05/2022"],
            cwd=work,
            env=env,
        )  # fmt: skip
        if not (work / "rep" / "01420" / "report.html").is_file():
            raise SystemExit("không có report.html / no report.html")
        run([str(exe), "screen", "in/export_01420.xlsx", "--out", "scr"], cwd=work, env=env)
        run(
            [str(exe), "platform", "scr", "--out", "s5", "--priority-group", "15"],
            cwd=work,
            env=env,
        )
        run(
            [
                str(exe),
                "demo",
                "--out",
                "demo",
                "--district",
                "095",  # three communes: the whole demo, kept short
                "--persons",
                "50",
                "--workers",
                "2",
            ],
            cwd=work,
            env=env,
        )
        print("Cài đặt không sửa được (non-editable) chạy được mọi lệnh từ thư mục khác. / OK.")
    finally:
        if keep:
            print(f"giữ lại / kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
