"""``vaxutils batch`` and ``screen --registry`` over a national dataset, on one dask cluster: the
single run's registry findings (people registered in another commune included), every commune's
report from its own screened files, unchanged communes skipped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dataset_fixture import COMMUNES, EXPORT_DATE, HANOI, write_district

from vaxutils import dataset, io
from vaxutils.batch.dataset import SCREEN_DIR, ScreenedCommune, report_screened, run_dataset_batch
from vaxutils.batch.plan import CommuneJob
from vaxutils.screen import distributed as dist
from vaxutils.screen import screen

KEY = ["source_row", "record_id", "code", "field"]


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """Three communes ingested, and one registry extract for all of them in which a few people of
    the first commune are registered in the second (they live there, were vaccinated here)."""
    base = tmp_path_factory.mktemp("district")
    exports = write_district(base / "exports", n_persons=40)
    root = base / "ds"
    dataset.ingest(exports, root, workers=1)
    extracts = [pd.read_parquet(base / "exports" / f"registry_{c}.parquet") for c in COMMUNES]
    moved = extracts[0].index[:8]
    extracts[0].loc[moved, "commune_code"] = HANOI[1]
    extract = pd.concat(extracts, ignore_index=True)
    extract.loc[3, "id_number"] = "not a number"  # a row the extract reader lists as a problem
    path = io.write_parquet(base / "registry.parquet", extract)
    return base, root, path


def _table(out, name):
    files = sorted(out.glob(f"{name}/province=*/commune=*/part-0.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def _sorted(findings):
    return findings.sort_values(KEY, kind="stable").reset_index(drop=True)


def fake_render(template, parameters, output_ipynb, output_html, title):
    """The notebook itself is tested in test_report_engine.py (on a kept kernel) and
    test_report.py; here, what the batch gives it."""
    screen_dir = Path(parameters["screen_dir"])
    n = len(pd.read_parquet(screen_dir / "findings.parquet"))
    Path(output_html).write_text(f"<html>{title} {parameters['commune_code']} {n}</html>", "utf-8")
    return Path(output_html)


def test_batch_over_the_dataset_with_a_registry(client, district, monkeypatch):
    import vaxutils.report.run

    monkeypatch.setattr(vaxutils.report.run, "render_report", fake_render)
    base, root, registry = district
    out = base / "batch"
    result = run_dataset_batch(
        root,
        out,
        scheduler=client,
        export_date=EXPORT_DATE,
        validate=False,
        registry=registry,
        overview=False,
        data_docs=False,
    )
    assert [r["status"] for r in result.rows] == ["ok"] * 3, result.failed
    # the screening: a single run's findings with the same extract
    screened = out / SCREEN_DIR
    extract = io.read_registry(registry).frame
    single = screen(dataset.read_dataset(root), registry=extract, export_date=EXPORT_DATE)
    assert single.findings["code"].str.startswith("registry_").any()
    found = _table(screened, "findings")
    pd.testing.assert_frame_equal(_sorted(found), _sorted(single.findings))
    # the people of the first commune registered in the second were matched: with its own
    # commune's registry rows only, they would be "not found"
    province = dataset.layout.province_of_commune()[HANOI[0]]
    alone = screen(
        dataset.read_partition(root, province, HANOI[0]),
        registry=extract[extract["commune_code"].eq(HANOI[0])],
        export_date=EXPORT_DATE,
    )
    first = found["record_id"].isin(alone.records["record_id"])
    not_found = found["code"].eq("registry_not_found")
    assert alone.findings["code"].eq("registry_not_found").sum() >= (first & not_found).sum() + 5
    summary = json.loads((screened / "summary.json").read_text("utf-8"))
    assert summary["inputs"][0]["rows_with_problems"] == 1
    assert (screened / "trich_xuat_dan_cu_can_sua.csv").is_file()
    assert not (screened / "_registry").exists()  # the cut extract served the screening only
    # each commune's report: from its own screened files, nobody else's
    jobs = []
    for code in COMMUNES:
        province = dataset.layout.province_of_commune()[code]
        own = pd.read_parquet(dist.output_file(screened, "findings", province, code))
        mine = pd.read_parquet(out / code / "screen" / "findings.parquet")
        pd.testing.assert_frame_equal(mine, own)
        assert (out / code / "report.html").read_text("utf-8").endswith(f"{code} {len(own)}</html>")
        assert (out / code / f"ra_soat_{code}.xlsx").is_file()
        jobs.append(
            CommuneJob(
                code,
                "",
                export_date=EXPORT_DATE,
                validate=False,
                screened=ScreenedCommune(str(screened), province, code),
            )
        )
    assert (out / "index.html").is_file() and (out / "runs.csv").is_file()
    # the same screened files again: the report stands; other files: it is made again
    assert report_screened(jobs[0], out)["status"] == "skipped"
    other = jobs[1]
    other.screened = jobs[0].screened
    other.commune_code = jobs[0].commune_code
    other.export_date = date(2022, 5, 16)
    assert report_screened(other, out)["status"] == "ok"
