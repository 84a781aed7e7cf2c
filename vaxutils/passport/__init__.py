"""Step S7: the daily vaccine-passport worklist of each vaccination facility.

Every dose given up to the work day is listed for its facility as ready to sign or blocked, with
the reasons a signer can act on (see :mod:`vaxutils.passport.worklist`).
"""

from vaxutils.passport.workbook import write_passport_workbook
from vaxutils.passport.worklist import BLOCKED, READY, passport_worklist

__all__ = ["BLOCKED", "READY", "passport_worklist", "write_passport_workbook"]
