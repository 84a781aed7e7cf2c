"""Self-contained HTML pages: the page shell every report uses, and the batch index page.

Reports travel by phone and e-mail and are opened offline: no script, font, stylesheet or
image may come from the network. The shell inlines a small stylesheet, sets the viewport for
phones and ``lang="vi"``. :func:`assert_self_contained` is the check the export runs.

>>> page = html_page("Báo cáo", "<p>Xin chào</p>")
>>> '<meta name="viewport"' in page and 'lang="vi"' in page
True
>>> assert_self_contained(page)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

from vaxutils.masking import mask_text

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;
margin:0;padding:0 12px 32px;color:#1b1b1b;line-height:1.45;font-size:15px}
main{max-width:1000px;margin:0 auto}
h1{font-size:1.45em;margin:.8em 0 .3em}h2{font-size:1.2em;margin-top:1.4em;border-bottom:1px solid #ddd}
h3{font-size:1.05em;margin:1em 0 .3em}
.vx-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.9em;min-width:50%}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f7}tr:nth-child(even) td{background:#fafafa}
img{max-width:100%;height:auto}
pre{white-space:pre-wrap;overflow-x:auto;font-size:.85em;background:#f7f7f7;padding:6px}
.vx-note{color:#555;font-size:.85em}.vx-failed{color:#b03a2e;font-weight:600}
.anchor-link{display:none}
.jp-RenderedText pre,.output_text pre{font-family:inherit;font-size:1em;background:none;padding:0;margin:.3em 0}
.vx-card{border:1px solid #ddd;border-left:4px solid #e67e22;border-radius:4px;padding:6px 10px;margin:8px 0}
.vx-card.vx-error{border-left-color:#c0392b}.vx-card p{margin:.2em 0}.vx-card ul{margin:.2em 0;padding-left:1.2em}
.vx-meta{color:#444;font-size:.88em}.vx-fix{font-weight:600;font-size:.9em}
.vx-badge{font-size:.8em;padding:1px 6px;border-radius:8px;background:#fdf2e9;white-space:nowrap}
.vx-error .vx-badge{background:#fdecea;color:#b03a2e}
.jp-OutputPrompt,.jp-InputPrompt,.prompt{display:none}
"""

_REMOTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_REMOTE_CSS = re.compile(r"""@import|url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)
# attributes whose value the browser fetches
_FETCHED = frozenset(
    {"src", "srcset", "href", "data", "poster", "background", "action", "formaction"}
)
# tags whose href is followed by a person, not fetched by the browser
_LINKS = frozenset({"a", "area"})


class NotSelfContained(ValueError):
    """A page refers to something on the network."""


class _RemoteFinder(HTMLParser):
    """Looks at tags and stylesheets only: text that merely *reads* ``<img src=//…>`` (escaped
    as ``&lt;img …``, a name typed into a cell) is no resource."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None
        self._in_style = False

    def _flag(self, what: str) -> None:
        if self.found is None:
            self.found = what

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if tag == "script" and name == "src":
                self._flag(f"<script src={value!r}>")
            elif name in _FETCHED and tag not in _LINKS and _REMOTE_URL.match(value):
                self._flag(f"<{tag} {name}={value!r}>")
            elif tag == "link" and name == "href" and _REMOTE_URL.match(value):
                self._flag(f"<link href={value!r}>")
            elif name == "style" and _REMOTE_CSS.search(value):
                self._flag(f"<{tag} style={value!r}>")
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _REMOTE_CSS.search(data):
            self._flag(_REMOTE_CSS.search(data).group(0))


def assert_self_contained(page: str) -> None:
    """Raise :class:`NotSelfContained` if the page loads anything from outside itself.

    >>> assert_self_contained("<p>&lt;img src=//evil.example/x.png&gt;</p>")  # text, not a tag
    >>> assert_self_contained('<img src="//evil.example/x.png">')
    Traceback (most recent call last):
    ...
    vaxutils.report.pages.NotSelfContained: HTML tải tài nguyên bên ngoài / remote resource: ...
    """
    finder = _RemoteFinder()
    finder.feed(page)
    finder.close()
    if finder.found:
        raise NotSelfContained(
            f"HTML tải tài nguyên bên ngoài / remote resource: {finder.found[:200]}"
        )


def html_page(title: str, body: str) -> str:
    """A complete, self-contained HTML page around ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


STATUS_LABELS_VI = {
    "ok": "Đã chạy",
    "skipped": "Không đổi (dùng lại)",
    "earlier": "Chạy ở lần trước",
    "failed": "LỖI",
}


def _workbook_link(href: object) -> str:
    if not href:
        return ""
    return f'<a href="{html.escape(str(href))}" download>tải về</a>'


def index_page(
    rows: Iterable[Mapping[str, object]],
    title: str = "Báo cáo làm sạch dữ liệu tiêm chủng theo xã",
    links: Mapping[str, str] | None = None,
    note: str = "",
) -> str:
    """The batch index: one row per commune linking its report, with headline numbers or its error.

    ``rows`` carry commune_code, commune_name, status (ok/skipped/failed), n_records, n_needs_fix,
    n_needs_review, problem_rate, report (relative link) and error. ``links`` adds named links
    (e.g. the Data Docs).

    >>> p = index_page([{"commune_code": "01420", "status": "failed", "error": "tệp hỏng"}])
    >>> "tệp hỏng" in p and "LỖI" in p
    True
    """
    # The commune's name is the link: on a phone a separate last "link" column scrolls off-screen.
    head = (
        "<tr><th>Xã (mở báo cáo)</th><th>Trạng thái</th><th>Số bản ghi</th>"
        "<th>Bản ghi có lỗi</th><th>Cần kiểm tra</th><th>Tỷ lệ có vấn đề (%)</th>"
        "<th>Sổ rà soát thôn (Excel)</th><th>Danh sách ký hộ chiếu (Excel)</th></tr>"
    )
    body_rows = []
    n_failed = 0
    for row in rows:
        status = str(row.get("status", ""))
        esc = {k: html.escape("" if v is None else str(v)) for k, v in row.items()}
        # an error message may quote a cell: numbers in it are masked like any shared text
        esc["error"] = html.escape(mask_text(str(row.get("error") or "")))
        report = row.get("report")
        name = f"{esc.get('commune_name', '')} ({esc.get('commune_code', '')})"
        if report and status != "failed":
            name = f'<a href="{html.escape(str(report))}">{name}</a>'
        if status == "failed":
            n_failed += 1
            cells = (
                f"<td class='vx-failed'>{STATUS_LABELS_VI['failed']}</td>"
                f"<td colspan='6' class='vx-failed'>{esc.get('error', '')}</td>"
            )
        else:
            cells = (
                f"<td>{STATUS_LABELS_VI.get(status, html.escape(status))}</td>"
                f"<td>{esc.get('n_records', '')}</td><td>{esc.get('n_needs_fix', '')}</td>"
                f"<td>{esc.get('n_needs_review', '')}</td><td>{esc.get('problem_rate', '')}</td>"
                f"<td>{_workbook_link(row.get('review_workbook'))}</td>"
                f"<td>{_workbook_link(row.get('passport_workbook'))}</td>"
            )
        body_rows.append(f"<tr><td>{name}</td>{cells}</tr>")
    summary = f"<p>{len(body_rows)} xã; {n_failed} xã lỗi.</p>"
    extra = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(name)}</a></li>'
        for name, href in (links or {}).items()
    )
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='vx-note'>{html.escape(note)}</p>" if note else "",
        summary,
        f"<ul>{extra}</ul>" if extra else "",
        f"<div class='vx-scroll'><table>{head}{''.join(body_rows)}</table></div>",
    ]
    return html_page(title, "\n".join(p for p in parts if p))
