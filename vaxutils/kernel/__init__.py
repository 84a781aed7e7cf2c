"""The ground floor: small operations on cells and dates that every layer needs, written once.

- :mod:`~vaxutils.kernel.cells` — a column of a frame as text, or missing, whatever the frame holds;
- :mod:`~vaxutils.kernel.calendar` — calendar arithmetic on whole arrays of days (months, years, ages).

Nothing here knows a field, a file or a step; it imports no other part of vaxutils.
"""
