"""Reference data: 2022 divisions, vaccines, facility levels (versioned files in ``data/``).

Every file carries a provenance header (source, version, generator, date) and is loaded lazily and
cached; the functions return fresh copies, so callers may change what they get.

>>> from vaxutils import refdata
>>> refdata.commune("01420")["name"], refdata.province_name("004")
('Xã Thượng Thôn', 'Cao Bằng')
"""

from vaxutils.refdata._files import provenance
from vaxutils.refdata.divisions import (
    UnknownDivision,
    commune,
    communes,
    communes_of_district,
    communes_of_province,
    district,
    districts,
    province,
    province_lookup,
    province_name,
    provinces,
)
from vaxutils.refdata.facilities import (
    exempt_levels,
    facility_level_from_code,
    facility_level_from_name,
    facility_level_lookup,
    facility_levels,
)
from vaxutils.refdata.vaccines import vaccine_lookup, vaccines

__all__ = [
    "UnknownDivision",
    "commune",
    "communes",
    "communes_of_district",
    "communes_of_province",
    "district",
    "districts",
    "exempt_levels",
    "facility_level_from_code",
    "facility_level_from_name",
    "facility_level_lookup",
    "facility_levels",
    "provenance",
    "province",
    "province_lookup",
    "province_name",
    "provinces",
    "vaccine_lookup",
    "vaccines",
]
