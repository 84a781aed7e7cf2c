"""The findings catalogue: one meaning per code, valid categories, Vietnamese messages."""

from vaxutils.schema import CATEGORIES
from vaxutils.screen import catalogue


def test_catalogue_loads_with_unique_codes_and_messages():
    table = catalogue.load()
    assert table.index.is_unique
    assert set(table["category"]) <= set(CATEGORIES)
    assert table["message_vi"].str.len().gt(5).all()
    assert (table.loc[table["category"] == "normalized", "severity"] == "info").all()


def test_every_s1_list_has_codes():
    table = catalogue.load()
    for category in ["missing_id", "id_format", "personal_info", "duplicate", "dose", "normalized"]:
        assert (table["category"] == category).any(), category


def test_markdown_lists_every_code():
    text = catalogue.to_markdown()
    for code in catalogue.load().index:
        assert f"`{code}`" in text
