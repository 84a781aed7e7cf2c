"""Scripted people for the S2–S7 round trip: a village team, a police officer, a health station.

They know the truth of a synthetic commune (who each record really is) and answer the workbooks
the workflow sends them the way real people do, mistakes included:

* the **village team** (:func:`fill_review`) decides every row — "Đúng" when the record is right,
  "Sửa" with the true values, "Trùng" with the other record of the same person, "Đã mất" / "Đã
  chuyển đi" / "Không có ở địa phương" for the scripted life events — and, on the first round,
  types some IDs as numbers (Excel drops the leading zero), pastes birth dates as date cells,
  leaves a blank row, adds a note row under a table, moves a sheet to the front, forgets the other
  record of one duplicate, and answers legacy-font names both ways ("Đúng" to the decoded name
  proposed, or "Sửa" with the name typed);
* on the **second round** (:func:`fix_reported`) the team corrects exactly the rows reported back;
* the **police officer** (:func:`fill_police`) looks every person up in the population database:
  "Có" with the 12-digit number (and the database's name, birth date and sex where the list
  differs), "Không" for someone the database does not hold; an ID typed as a number on the
  first round;
* the **health station** (:func:`apply_platform_files`) applies the S5 files to a copy of the
  export: imports and direct edits, merges (doses moved to the record kept), removals.

:func:`score_round_trip` then counts, over the records wrong at the start: fixed correctly, wrong
final value, pending with a reason, lost; and over the records correct at the start: changed.
"""

from vaxutils.synth.people.platform import LONG_LABELS, apply_platform_files, long_export
from vaxutils.synth.people.score import score_round_trip
from vaxutils.synth.people.script import EVENTS, Script
from vaxutils.synth.people.workbooks import fill_police, fill_review, fix_reported

__all__ = [
    "EVENTS",
    "LONG_LABELS",
    "Script",
    "apply_platform_files",
    "fill_police",
    "fill_review",
    "fix_reported",
    "long_export",
    "score_round_trip",
]
