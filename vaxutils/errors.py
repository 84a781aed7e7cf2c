"""User-facing errors.

A :class:`VaxutilsError` carries a message a health worker can act on (Vietnamese first, naming the
file, sheet, row and column where known, and what to do). The CLI prints it without a traceback.
"""


class VaxutilsError(Exception):
    """An error in the user's input or setup, explained in Vietnamese (English after)."""

    exit_code = 2
