"""Executed notebook → shareable HTML: no code, no prompts, no warnings, nothing remote.

nbconvert's ``lab`` and ``classic`` templates pull require.js and MathJax from CDNs and carry
~300 kB of CSS. We render the cells with the ``basic`` template (a body fragment) and put it into
our own small page shell (:func:`vaxutils.report.pages.html_page`).
"""

from __future__ import annotations

import re
import threading
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


_exporters = threading.local()


def _exporter():
    """This thread's HTML exporter (its templates are compiled once, not once per commune).

    nbconvert's ``HTMLExporter.from_notebook_node`` re-parses the whole page with BeautifulSoup to
    give images an English alt text and lab cells a tabindex (the ``basic`` template has none):
    more than half of a commune report's export time. The exporter here registers the same filters
    and renders the template without that pass; the charts' alt text is ours, and :func:`_tidy`
    does the two things the pass did that matter here.
    """
    exporter = getattr(_exporters, "exporter", None)
    if exporter is not None:
        return exporter
    from nbconvert import HTMLExporter  # heavy import, only when exporting
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = _exporters.exporter = ReportExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    return exporter


_SELF_CLOSED_LINK = re.compile(r"<a(\s[^<>]*?)\s*/>")
_NUMERIC_ENTITY = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _tidy(body: str) -> str:
    """The Markdown renderer's ``<a …/>`` (a heading's empty anchor link) closed as HTML needs (a
    browser would keep the link open over what follows), and its numeric entities for letters
    (``Ti&#234;u``) written as the letters they are (``Tiêu``); ``&#60;`` and the like stay.

    >>> _tidy('<h1>Ti&#234;u &#273;&#7873;<a class="anchor-link" href="#x" /></h1> &#60;b&#62;')
    '<h1>Tiêu đề<a class="anchor-link" href="#x"></a></h1> &#60;b&#62;'
    """

    def letter(match: re.Match) -> str:
        code = match.group(1)
        value = int(code[1:], 16) if code[0] in "xX" else int(code)
        return (
            chr(value)
            if 127 < value < 0x110000 and not 0xD800 <= value < 0xE000
            else match.group(0)
        )

    return _NUMERIC_ENTITY.sub(letter, _SELF_CLOSED_LINK.sub(r"<a\1></a>", body))


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, title: str) -> str:
    """A self-contained HTML page of the notebook's outputs and Markdown cells."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    body, _ = _exporter().from_notebook_node(_shareable_copy(nb))
    body = _tidy(body)
    body = body.replace("<img src=", '<img alt="Biểu đồ" src=')  # charts carry no alt text
    page = html_page(title, body)
    assert_self_contained(page)
    return page
