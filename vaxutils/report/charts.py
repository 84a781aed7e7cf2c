"""Charts of the report tables: they only draw what a ``*_table`` function computed.

Every function returns a :class:`Chart`: a :class:`matplotlib.figure.Figure` (``.figure``) built
without pyplot (no global state, safe in worker threads, no backend needed). As the last
expression of a notebook cell it is stored as a PNG, which the HTML export embeds as a ``data:``
URI, so reports stay self-contained; its plain-text form is its title, which nbval can compare.
Labels are Vietnamese.

>>> import pandas as pd
>>> t = pd.DataFrame({"label": ["Mũi 1", "Mũi 2"], "n_persons": [10, 8]})
>>> dose_sequence_chart(t)
Biểu đồ: Số người theo mũi tiêm
"""

from __future__ import annotations

import base64
import io

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


class Chart:
    """A drawn figure and its title; Jupyter shows it as PNG, text shows the title."""

    def __init__(self, figure: Figure):
        self.figure = figure
        axes = figure.axes
        self.title = axes[0].get_title() if axes else ""

    def to_png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def __repr__(self) -> str:
        return f"Biểu đồ: {self.title}"

    def data_uri(self) -> str:
        """The chart as a ``data:image/png;base64,…`` URI (for pages built without a notebook)."""
        return "data:image/png;base64," + base64.b64encode(self.to_png()).decode("ascii")


def _figure(n_bars: int = 5) -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH_IN, max(2.2, 0.35 * n_bars + 1.2)), dpi=DPI, layout="constrained")
    return fig, fig.add_subplot()


def _barh(labels: pd.Series, values: pd.Series, title: str, xlabel: str, colour: str) -> Chart:
    fig, ax = _figure(len(values))
    labels = [str(v) for v in labels]
    ax.barh(labels[::-1], list(values)[::-1], color=colour)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.margins(x=0.12)  # room for the value labels at the end of the longest bar
    for y, v in enumerate(list(values)[::-1]):
        ax.annotate(f"{v:g}", (v, y), xytext=(3, 0), textcoords="offset points", va="center")
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(fig)


def findings_by_category_chart(table: pd.DataFrame) -> Chart:
    """Records per problem list, from :func:`~vaxutils.report.tables.findings_by_category_table`."""
    shown = table[table["category"] != "normalized"]
    labels = shown["category"].map(CATEGORY_LABELS_VI).fillna(shown["category"])
    return _barh(
        labels, shown["n_records"], "Số bản ghi theo danh sách", "Số bản ghi", PROBLEM_COLOUR
    )


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


def dose_sequence_chart(table: pd.DataFrame) -> Chart:
    """Persons per dose number, from ``dose_sequence_table``."""
    return _barh(
        table["label"], table["n_persons"], "Số người theo mũi tiêm", "Số người", NEUTRAL_COLOUR
    )


def monthly_doses_chart(table: pd.DataFrame) -> Chart:
    """Doses per month; DQR outliers in red. From ``monthly_doses_table``."""
    fig = Figure(figsize=(WIDTH_IN, 3.0), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    colours = [PROBLEM_COLOUR if o else NEUTRAL_COLOUR for o in table["outlier"]]
    ax.bar([str(m) for m in table["month"]], table["n_doses"], color=colours)
    ax.set_title("Số mũi tiêm theo tháng (đỏ: bất thường)")
    ax.set_ylabel("Số mũi")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(fig)


def commune_ranking_chart(table: pd.DataFrame, top: int = 25) -> Chart:
    """Communes by share of records with a problem, worst first (``commune_ranking_table``)."""
    shown = table.head(top)
    labels = (
        shown["commune_name"].fillna(shown["commune_code"]) + " (" + shown["commune_code"] + ")"
    )
    return _barh(
        labels, shown["problem_rate"], "Tỷ lệ bản ghi có vấn đề theo xã", "%", PROBLEM_COLOUR
    )


def progress_chart(table: pd.DataFrame) -> Chart:
    """Share of records with a problem per commune over the runs, with the 1 June 2022 deadline."""
    fig = Figure(figsize=(WIDTH_IN, 3.2), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for code, part in table.groupby("commune_code", sort=True):
        ax.plot(pd.to_datetime(part["run"]), part["problem_rate"], marker="o", label=str(code))
    ax.axvline(DEADLINE, color=PROBLEM_COLOUR, linestyle="--", label="Hạn 01/06/2022")
    ax.set_title("Tiến độ làm sạch theo lần chạy")
    ax.set_ylabel("% bản ghi có vấn đề")
    ax.legend(fontsize=7, ncols=2)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    return Chart(fig)
