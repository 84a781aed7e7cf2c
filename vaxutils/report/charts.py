"""Charts of the report tables: they only draw what a ``*_table`` function computed.

Every function returns a :class:`Chart`: a :class:`matplotlib.figure.Figure` (``.figure``) built
without pyplot (no global state, safe in worker threads, no backend needed). As the last
expression of a notebook cell it is stored as a PNG, which the HTML export embeds as a ``data:``
URI, so reports stay self-contained; its plain-text form is its title, which nbval can compare.
Labels are Vietnamese.

Labels come from data (village and commune names), so no cell may break a chart: mathtext and
TeX are off (a village named ``$\\foo{x$`` is drawn as typed), labels lose control characters and
lone surrogates and are cut to :data:`LONGEST_LABEL` characters, and a chart that still cannot be
built or drawn becomes a one-line note in the report (:class:`ChartFailed`) instead of stopping it.

>>> import pandas as pd
>>> t = pd.DataFrame({"label": ["Mũi 1", "Mũi 2"], "n_persons": [10, 8]})
>>> dose_sequence_chart(t)
Biểu đồ: Số người theo mũi tiêm
"""

from __future__ import annotations

import base64
import functools
import io
import re

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from vaxutils.schema import CATEGORY_LABELS_VI

# Narrow and dense rather than wide: a 480-pixel image is shown nearly full size on a phone, so
# its 10-point labels stay legible; a wider one would be scaled down until they are not.
WIDTH_IN = 4.8
DPI = 100  # small PNGs still: a report must stay well under 1 MB
PROBLEM_COLOUR = "#c0392b"
NEUTRAL_COLOUR = "#2e86c1"
DEADLINE = pd.Timestamp("2022-06-01")
LONGEST_LABEL = 40
# read when a Text is made, and tick labels are made while drawing: set around both
SAFE_TEXT = {"text.parse_math": False, "text.usetex": False}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def label_text(value: object) -> str:
    """A data value as a chart label: one line, no control character, not too long.

    >>> label_text("Thôn $x_1$\\nmới"), label_text("x" * 50)[-3:]
    ('Thôn $x_1$ mới', 'xx…')
    """
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= LONGEST_LABEL else text[: LONGEST_LABEL - 1] + "…"


class Chart:
    """A drawn figure and its title; Jupyter shows it as PNG, text shows the title.

    Drawing happens once, when Jupyter first asks; if it fails, the PNG is left out and the text
    says the chart could not be drawn (the rest of the report stands).
    """

    def __init__(self, figure: Figure):
        self.figure = figure
        axes = figure.axes
        self.title = axes[0].get_title() if axes else ""
        self._png: bytes | None = None
        self.error: str | None = None

    def to_png(self) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(SAFE_TEXT):
            self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _drawn(self) -> bytes | None:
        if self._png is None and self.error is None:
            try:
                self._png = self.to_png()
            except Exception as exc:  # one chart's failure is a note, never a missing report
                self.error = f"{type(exc).__name__}"
        return self._png

    def _repr_png_(self) -> bytes | None:
        return self._drawn()

    def __repr__(self) -> str:
        if self._drawn() is None:
            return f"Không vẽ được biểu đồ: {self.title} ({self.error}); số liệu ở bảng bên trên."
        return f"Biểu đồ: {self.title}"

    def data_uri(self) -> str:
        """The chart as a ``data:image/png;base64,…`` URI (for pages built without a notebook)."""
        return "data:image/png;base64," + base64.b64encode(self.to_png()).decode("ascii")


class ChartFailed:
    """What a chart function returns when its figure cannot be built: a note, not an error."""

    def __init__(self, title: str, error: BaseException):
        self.title = title
        self.error = type(error).__name__

    def __repr__(self) -> str:
        return f"Không vẽ được biểu đồ: {self.title} ({self.error}); số liệu ở bảng bên trên."


def _never_fails(title: str):
    """Build the chart with mathtext off; any failure becomes a :class:`ChartFailed` note."""

    def wrap(build):
        @functools.wraps(build)
        def safe(*args, **kwargs):
            try:
                with matplotlib.rc_context(SAFE_TEXT):
                    return build(*args, **kwargs)
            except Exception as exc:
                return ChartFailed(title, exc)

        return safe

    return wrap


def _figure(n_bars: int = 5) -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH_IN, max(2.2, 0.35 * n_bars + 1.2)), dpi=DPI, layout="constrained")
    return fig, fig.add_subplot()


def _barh(labels: pd.Series, values: pd.Series, title: str, xlabel: str, colour: str) -> Chart:
    fig, ax = _figure(len(values))
    labels = [label_text(v) for v in labels]
    ax.barh(labels[::-1], list(values)[::-1], color=colour)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.margins(x=0.12)  # room for the value labels at the end of the longest bar
    for y, v in enumerate(list(values)[::-1]):
        ax.annotate(f"{v:g}", (v, y), xytext=(3, 0), textcoords="offset points", va="center")
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(fig)


@_never_fails("Số bản ghi theo danh sách")
def findings_by_category_chart(table: pd.DataFrame) -> Chart:
    """Records per problem list, from :func:`~vaxutils.report.tables.findings_by_category_table`."""
    shown = table[table["category"] != "normalized"]
    labels = shown["category"].map(CATEGORY_LABELS_VI).fillna(shown["category"])
    return _barh(
        labels, shown["n_records"], "Số bản ghi theo danh sách", "Số bản ghi", PROBLEM_COLOUR
    )


@_never_fails("Tỷ lệ bản ghi có vấn đề theo thôn")
def village_chart(table: pd.DataFrame, top: int = 15) -> Chart:
    """Problem rate per village (worst first), from ``findings_by_village_table``."""
    shown = table.head(top)
    return _barh(
        shown["village"],
        shown["problem_rate"],
        "Tỷ lệ bản ghi có vấn đề theo thôn",
        "%",
        PROBLEM_COLOUR,
    )


@_never_fails("Số người theo mũi tiêm")
def dose_sequence_chart(table: pd.DataFrame) -> Chart:
    """Persons per dose number, from ``dose_sequence_table``."""
    return _barh(
        table["label"], table["n_persons"], "Số người theo mũi tiêm", "Số người", NEUTRAL_COLOUR
    )


@_never_fails("Số mũi tiêm theo tháng")
def monthly_doses_chart(table: pd.DataFrame) -> Chart:
    """Doses per month; DQR outliers in red. From ``monthly_doses_table``."""
    fig = Figure(figsize=(WIDTH_IN, 3.0), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    colours = [PROBLEM_COLOUR if o else NEUTRAL_COLOUR for o in table["outlier"]]
    ax.bar([label_text(m) for m in table["month"]], table["n_doses"], color=colours)
    ax.set_title("Số mũi tiêm theo tháng (đỏ: bất thường)")
    ax.set_ylabel("Số mũi")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(fig)


@_never_fails("Tỷ lệ bản ghi có vấn đề theo xã")
def commune_ranking_chart(table: pd.DataFrame, top: int = 25) -> Chart:
    """Communes by share of records with a problem, worst first (``commune_ranking_table``)."""
    shown = table.head(top)
    labels = (
        shown["commune_name"].fillna(shown["commune_code"]) + " (" + shown["commune_code"] + ")"
    )
    return _barh(
        labels, shown["problem_rate"], "Tỷ lệ bản ghi có vấn đề theo xã", "%", PROBLEM_COLOUR
    )


@_never_fails("Tiến độ làm sạch theo lần chạy")
def progress_chart(table: pd.DataFrame) -> Chart:
    """Share of records with a problem per commune over the runs, with the 1 June 2022 deadline."""
    fig = Figure(figsize=(WIDTH_IN, 3.2), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for code, part in table.groupby("commune_code", sort=True):
        ax.plot(
            pd.to_datetime(part["run"]), part["problem_rate"], marker="o", label=label_text(code)
        )
    ax.axvline(DEADLINE, color=PROBLEM_COLOUR, linestyle="--", label="Hạn 01/06/2022")
    ax.set_title("Tiến độ làm sạch theo lần chạy")
    ax.set_ylabel("% bản ghi có vấn đề")
    ax.legend(fontsize=7, ncols=2)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    return Chart(fig)
