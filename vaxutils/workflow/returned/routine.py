"""The read-back routine every returned list shares (village review S2, police list S3–S4).

Ten steps, in this order (the order of the problems a person reads): find the list's sheets and
rows; keep the rows whose record was sent, once; take what the list held for each record; read
the person values typed in the fill-in columns (a birth date Excel turned into a date cell only
when it is sure); put them in the form screening writes; let the list judge its own answers
(``decide``: which rows' corrections count); apply the corrections; let the list check the
result (``check``); screen the changed records again; warn about every record sent but not
returned. What differs between lists is in its :class:`ListSpec` and the two hooks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaxutils.workflow.returned.changes import changed_fields, rescreen
from vaxutils.workflow.returned.rows import Problems, returned_rows, usable_rows
from vaxutils.workflow.returned.values import (
    CORRECTABLE_FIELDS,
    person_values,
    typed_person_values,
)

# decide(rows, corrected, unsure, problems) -> (rows whose corrections count or None for all,
# the list's own answers by name); check(rows, after, problems) -> more answers by name
Decide = Callable[
    [pd.DataFrame, pd.DataFrame, np.ndarray, Problems],
    tuple[np.ndarray | None, dict[str, pd.Series]],
]
Check = Callable[[pd.DataFrame, pd.DataFrame, Problems], dict[str, pd.Series]]


@dataclass(frozen=True)
class ListSpec:
    """What makes one returned list itself: its columns (shown, and filled in by people), the
    fill-in field every row must answer (its label, with the record id's, finds the header), its
    name in messages, the sheets that are not data, the message for a record that did not come
    back, and whether a row whose corrections count is screened even when nothing changed."""

    shown: tuple[tuple[str, str], ...]
    filled: tuple[tuple[str, str], ...]
    answer: str
    what: str
    skip_sheets: tuple[str, ...]
    not_returned: str
    strict: bool = False

    @property
    def label_of_shown(self) -> dict[str, str]:
        return dict(self.shown)

    @property
    def label_of_filled(self) -> dict[str, str]:
        return dict(self.filled)

    @property
    def columns(self) -> dict[str, str]:
        """Header label -> column of the returned rows (filled columns get ``filled_``)."""
        return {label: name for name, label in self.shown} | {
            label: f"filled_{name}" for name, label in self.filled
        }


@dataclass
class ReadBack:
    """The returned rows, the person values before and after, which changed, the problems so far
    (more may be added before :meth:`Problems.frame`) and the list's own answers."""

    rows: pd.DataFrame
    before: pd.DataFrame
    after: pd.DataFrame
    changed: pd.DataFrame
    problems: Problems
    answers: dict[str, pd.Series] = field(default_factory=dict)


def read_back(
    path: str | os.PathLike,
    spec: ListSpec,
    sent: pd.Index,
    values_of: Callable[[pd.DataFrame], pd.DataFrame],
    *,
    export_date: date | None = None,
    decide: Decide | None = None,
    check: Check | None = None,
) -> ReadBack:
    """Read a returned list back (the ten steps above); ``values_of(rows)`` gives what the list
    held for each row's record (the person fields, indexed like ``rows``)."""
    problems = Problems()
    id_label = spec.label_of_shown["record_id"]
    rows = returned_rows(
        Path(path), spec.columns, [id_label, spec.label_of_filled[spec.answer]], problems,
        what=spec.what, skip_sheets=list(spec.skip_sheets),
    )  # fmt: skip
    rows = rows[usable_rows(rows, sent, problems, id_label)].reset_index(drop=True)
    before = values_of(rows)
    typed, unsure = typed_person_values(rows, before["dob"], problems, spec.label_of_filled["dob"])
    corrected = person_values(typed)
    accepted, answers = decide(rows, corrected, unsure, problems) if decide else (None, {})
    after = before[list(CORRECTABLE_FIELDS)].copy()
    for name in CORRECTABLE_FIELDS:
        given = corrected[name].notna().to_numpy()
        if accepted is not None:
            given = given & accepted
        after.loc[given, name] = corrected.loc[given, name]
    if check is not None:
        answers = answers | check(rows, after, problems)
    changed = changed_fields(before, after)
    strict = accepted if spec.strict else None
    rescreen(rows, after, changed, export_date, problems, spec.label_of_filled, strict=strict)
    for rid in sent.difference(rows["record_id"]):
        problems.add("warning", (None, None), None, rid, None, spec.not_returned)
    return ReadBack(rows, before, after, changed, problems, answers)
