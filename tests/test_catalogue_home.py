"""The findings catalogue at the schema level: what vaxutils.screen.catalogue hands on, its folders."""

from pathlib import Path

import pytest

from vaxutils import catalogue
from vaxutils.screen import catalogue as screen_catalogue

ENTRY = """\
- code: {code}
  category: personal_info
  severity: warning
  message_vi: "Thông báo thử nghiệm đủ dài."
"""


@pytest.fixture
def folders(monkeypatch, tmp_path):
    here, there = tmp_path / "catalogue", tmp_path / "screen_catalogue"
    here.mkdir()
    there.mkdir()
    monkeypatch.setattr(catalogue, "FOLDERS", (here, there))
    catalogue.load.cache_clear()
    yield here, there
    catalogue.load.cache_clear()


def test_screen_catalogue_hands_on_the_same_catalogue():
    assert screen_catalogue.load is catalogue.load
    assert screen_catalogue.to_markdown() == catalogue.to_markdown()
    (folder,) = catalogue.FOLDERS
    assert Path(str(folder)) == Path(screen_catalogue.__file__).parent
    assert set(catalogue.load()["area"]) == {p.stem for p in Path(str(folder)).glob("*.yaml")}


def test_area_files_of_every_folder_are_read(folders):
    here, there = folders
    (here / "names.yaml").write_text(ENTRY.format(code="name_a"), encoding="utf-8")
    (there / "extra.yaml").write_text(ENTRY.format(code="extra_b"), encoding="utf-8")
    (there / "notes.txt").write_text("not an area file", encoding="utf-8")
    table = catalogue.load()
    assert table["area"].to_dict() == {"extra_b": "extra", "name_a": "names"}


def test_a_code_defined_in_both_folders_is_refused(folders):
    here, there = folders
    (here / "names.yaml").write_text(ENTRY.format(code="same_code"), encoding="utf-8")
    (there / "doses.yaml").write_text(ENTRY.format(code="same_code"), encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="same_code"):
        catalogue.load()


def test_a_missing_folder_is_not_an_error(folders, tmp_path, monkeypatch):
    here, _ = folders
    monkeypatch.setattr(catalogue, "FOLDERS", (here, tmp_path / "gone"))
    (here / "sex.yaml").write_text(ENTRY.format(code="sex_x"), encoding="utf-8")
    assert catalogue.load().index.tolist() == ["sex_x"]
