"""The field groups (slots) of a record: each takes at most one injection, so none hides another."""

from __future__ import annotations

LABEL_COLUMNS = ("record_id", "category", "error_type", "field", "true_value")
SLOTS = ("id", "name", "dob", "sex", "phone", "insurance", "dose", "registry", "whole")
# A record with an error only the registry can reveal keeps every other person field intact, so
# that the registry match (by ID, else by name and birth date) still finds the person.
REGISTRY_ONLY = ("id", "name", "dob", "sex", "registry")
