"""Duplicate screening behind :mod:`vaxutils.screen.duplicates`, one concept a module: candidate
pairs and the decision (:mod:`.pairs`), the evidence (:mod:`.evidence`), groups (:mod:`.groups`),
findings (:mod:`.issues`)."""
