"""Vaccine-passport certificates in the EU DCC 1.3 format: the public surface of the parts.

- :mod:`.payload` builds one payload per ready dose (:func:`certificate_payloads`, the JSON text
  by :func:`payload_text`);
- :mod:`.history` counts ``dn``/``sd`` over the merged dose history, boosters as Decision
  (EU) 2021/2301 asks (3/3 after two doses, 2/1 after Janssen);
- :mod:`.uvci` makes the deterministic certificate ids (:func:`certificate_ids`, :func:`luhn36`);
- :mod:`.products` holds the value-set codes and the schema; :mod:`.schema_check` checks payloads
  against it (:func:`column_problems`, :func:`schema_problems`);
- :mod:`.payload_files` writes them as JSON Lines per facility and day.

>>> luhn36("0A1B")
'T'
"""

from vaxutils.passport.history import encode_series, person_groups
from vaxutils.passport.payload import (
    FIELD_COLUMNS,
    ISSUER,
    PAYLOAD_COLUMNS,
    certificate_ids,
    certificate_payloads,
    payload_text,
)
from vaxutils.passport.payload_files import facility_file_stem, write_payload_files
from vaxutils.passport.products import DCC_VERSION, TARGET_COVID19, products, schema
from vaxutils.passport.schema_check import (
    FULL_SCHEMA_CHECK,
    SCHEMA_SAMPLE,
    column_problems,
    schema_problems,
    validator,
)
from vaxutils.passport.uvci import COUNTRY, luhn36

__all__ = [
    "COUNTRY",
    "DCC_VERSION",
    "FIELD_COLUMNS",
    "FULL_SCHEMA_CHECK",
    "ISSUER",
    "PAYLOAD_COLUMNS",
    "SCHEMA_SAMPLE",
    "TARGET_COVID19",
    "certificate_ids",
    "certificate_payloads",
    "column_problems",
    "encode_series",
    "facility_file_stem",
    "luhn36",
    "payload_text",
    "person_groups",
    "products",
    "schema",
    "schema_problems",
    "validator",
    "write_payload_files",
]
