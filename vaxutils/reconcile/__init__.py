"""Registry reconciliation (step S3): match vaccination records to the National Population Database
extract and list where they disagree.

>>> from vaxutils import reconcile
>>> reconcile.__all__
['LINKAGE_THRESHOLD', 'RegistryError', 'match_registry', 'prepare_registry', 'registry_issues']
"""

from vaxutils.reconcile.issues import registry_issues
from vaxutils.reconcile.registry import (
    LINKAGE_THRESHOLD,
    RegistryError,
    match_registry,
    prepare_registry,
)

__all__ = [
    "LINKAGE_THRESHOLD",
    "RegistryError",
    "match_registry",
    "prepare_registry",
    "registry_issues",
]
