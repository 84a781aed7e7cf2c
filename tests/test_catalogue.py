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


def test_docs_findings_md_is_current():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
    assert doc.read_text(encoding="utf-8") == catalogue.to_markdown(), (
        "docs/findings.md is stale: run `vaxutils codes --markdown > docs/findings.md`"
    )


def test_codes_the_dose_checker_can_emit_are_catalogued():
    from vaxutils.screen import doses

    assert set(doses.CODES) <= set(catalogue.load().index)


def test_codes_command_lists_the_catalogue():
    from typer.testing import CliRunner

    from vaxutils.cli import app

    result = CliRunner().invoke(app, ["codes", "--category", "missing_id"])
    assert result.exit_code == 0
    assert "id_placeholder" in result.output
