"""Record linkage shared by duplicate detection (:mod:`vaxutils.screen.duplicates`) and registry
reconciliation (:mod:`vaxutils.reconcile`): the same person found in two records, or in a record and
the population database.

- :mod:`~vaxutils.linkage.blocking` — the few candidate pairs worth comparing, never all pairs;
- :mod:`~vaxutils.linkage.compare` — candidate pairs compared field by field, all at once;
- :mod:`~vaxutils.linkage.probabilistic` — splink's Fellegi–Sunter model over the same blocking, the
  engine the rules are measured against (needs the ``compare`` extra: ``pip install 'vaxutils[compare]'``).
"""
