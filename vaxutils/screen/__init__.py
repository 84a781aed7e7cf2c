"""Screening (step S1): list every record that needs fixing, in the Ministry's three lists
(no ID, malformed ID, wrong basic information) plus duplicates and dose-history problems.

>>> from vaxutils.screen import screen, screen_by_commune, ScreenResult  # doctest: +SKIP

Compute only: the screened folder is written and read by :mod:`vaxutils.stages.screen`.
"""

from vaxutils.screen.engine import ScreenResult, screen
from vaxutils.screen.partitioned import screen_by_commune

__all__ = ["ScreenResult", "screen", "screen_by_commune"]
