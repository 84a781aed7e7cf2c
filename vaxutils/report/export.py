"""Executed notebook → shareable HTML: no code, no prompts, no warnings, nothing remote.

nbconvert's ``lab`` and ``classic`` templates pull require.js and MathJax from CDNs and carry
~300 kB of CSS. We render the cells with the ``basic`` template (a body fragment) and put it into
our own small page shell (:func:`vaxutils.report.pages.html_page`).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from vaxutils.report.pages import assert_self_contained, html_page

#: Cells with these tags never reach a shared report.
REMOVED_TAGS: frozenset[str] = frozenset({"remove_cell", "parameters", "injected-parameters"})


def _shareable_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop tagged cells and stderr output (warnings are for developers, not for readers)."""
    out = nbformat.from_dict(nb)
    cells = []
    for cell in out.cells:
        if REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        cells.append(cell)
    out.cells = cells
    return out


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, title: str) -> str:
    """A self-contained HTML page of the notebook's outputs and Markdown cells."""
    from nbconvert import HTMLExporter  # heavy import, only when exporting

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(_shareable_copy(nb))
    body = body.replace("<img src=", '<img alt="Biểu đồ" src=')  # charts carry no alt text
    page = html_page(title, body)
    assert_self_contained(page)
    return page
