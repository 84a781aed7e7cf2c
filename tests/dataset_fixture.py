"""A small synthetic district as exports on disk, and hand-made records of people registered in two
communes, for the dataset and distributed-screening tests."""

from __future__ import annotations

import csv
import os
import signal
from datetime import date
from pathlib import Path

from distributed import WorkerPlugin

from vaxutils import refdata
from vaxutils.synth import generate_commune, write_commune

EXPORT_DATE = date(2022, 5, 15)
# two communes of Hà Nội and one of Hồ Chí Minh City (another province)
HANOI = ("00001", "00004")
HCM = refdata.communes_of_province("79")["commune_code"].iloc[0]
COMMUNES = (*HANOI, HCM)

HEADER = [
    "Mã đối tượng", "Họ và tên", "Ngày sinh", "Giới tính", "Số CMND/CCCD", "Số điện thoại", "Mã xã",
    "Mũi 1 - Tên vắc xin", "Mũi 1 - Ngày tiêm", "Mũi 2 - Tên vắc xin", "Mũi 2 - Ngày tiêm",
    "Mũi 3 - Tên vắc xin", "Mũi 3 - Ngày tiêm",
]  # fmt: skip


def write_district(folder: Path, n_persons: int = 150) -> list[Path]:
    """One export per commune (csv; wide and long layouts), as commune staff hand them over."""
    paths = []
    for i, code in enumerate(COMMUNES):
        sc = generate_commune(
            code,
            n_persons=n_persons,
            seed=i,
            layout=("wide", "long")[i % 2],
            export_date=EXPORT_DATE,
        )
        paths.append(write_commune(sc, folder, fmt="csv")["export"])
    return paths


def _person(rid, name, dob, sex, id_number, phone, commune, doses):
    cells = []
    for number in (1, 2, 3):
        cells += list(doses.get(number, ("", "")))
    return [rid, name, dob, sex, id_number, phone, commune, *cells]


# People registered twice (X-…), twins and namesakes (T-…, N-…) in two communes; one file per commune.
CROSS_ROWS = {
    HANOI[0]: [
        # split over two communes of one province: doses 1–2 here, the booster there (no ID there)
        _person("X-A1", "Lê Văn Khánh", "12/03/1985", "Nam", "001085012345", "0912345678", HANOI[0],
                {1: ("AstraZeneca", "01/08/2021"), 2: ("AstraZeneca", "01/10/2021")}),
        # split over two provinces, the same ID number on both records
        _person("X-B1", "Trần Thị Mỹ Duyên", "05/07/1990", "Nữ", "079190054321", "", HANOI[0],
                {1: ("Pfizer", "15/09/2021")}),
        # twins: same family name, birth date, sex and phone; different given names
        _person("T-1", "Phạm Văn Minh", "05/01/2000", "Nam", "", "0987654321", HANOI[0],
                {1: ("Pfizer", "01/09/2021"), 2: ("Pfizer", "01/10/2021")}),
        # a namesake elsewhere with the same birth date but nothing else in common
        _person("N-1", "Nguyễn Văn Hùng", "01/01/1980", "Nam", "", "", HANOI[0],
                {1: ("Vero Cell", "01/08/2021"), 2: ("Vero Cell", "01/09/2021")}),
    ],
    HANOI[1]: [
        _person("X-A2", "LE VAN KHANH", "12/03/1985", "Nam", "", "", HANOI[1],
                {3: ("Pfizer", "01/02/2022")}),
        _person("T-2", "Phạm Văn Mạnh", "05/01/2000", "Nam", "", "0987654321", HANOI[1],
                {3: ("Pfizer", "01/03/2022")}),
        _person("N-2", "Nguyễn Văn Hùng", "01/01/1980", "Nam", "", "", HANOI[1],
                {1: ("AstraZeneca", "01/08/2021"), 2: ("AstraZeneca", "01/10/2021")}),
    ],
    HCM: [
        _person("X-B2", "Trần Thị Mỹ Duyên", "05/07/1990", "Nữ", "079190054321", "", HCM,
                {2: ("Pfizer", "10/10/2021"), 3: ("Moderna", "20/04/2022")}),
    ],
}  # fmt: skip


def write_cross_files(folder: Path) -> list[Path]:
    paths = []
    for code, rows in CROSS_ROWS.items():
        path = folder / f"them_{code}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows)
        paths.append(path)
    return paths


class KillOnFirstRun(WorkerPlugin):
    """A dask worker plugin that SIGKILLs its own worker process (a real, Nanny-managed one) the
    first time a task whose name starts with one of ``prefixes`` starts executing there — once per
    prefix for the whole cluster (a marker file in ``folder`` records the kill and the pid)."""

    name = "kill-on-first-run"

    def __init__(self, prefixes: tuple[str, ...], folder: str) -> None:
        self.prefixes = prefixes
        self.folder = folder

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing":
            return
        name = str(key[0] if isinstance(key, tuple) else key)
        for prefix in self.prefixes:
            if not name.startswith(prefix):
                continue
            try:  # exclusive creation: only the first worker to get there dies
                fd = os.open(Path(self.folder) / prefix, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
