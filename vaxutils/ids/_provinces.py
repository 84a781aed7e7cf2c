"""The 63 provinces of 2022 as CCCD codes (DESIGN §2.1), for decoding identifiers.

The list itself is the data file of :mod:`vaxutils.refdata` (GSO 2022, CCCD code = GSO code
zero-padded to three digits, Circular 07/2016/TT-BCA Art. 7). Since July 2025 codes are reused
with other meanings, so identifiers are always decoded with this 2022 list, never a newer one.

>>> len(PROVINCES), PROVINCES["001"], PROVINCES["052"]
(63, 'Hà Nội', 'Bình Định')
"""

from vaxutils.refdata import provinces as _provinces

PROVINCES: dict[str, str] = dict(zip(_provinces()["cccd_code"], _provinces()["name"], strict=True))
