"""The dose checks behind :mod:`vaxutils.screen.doses`, one concept a module.

- :mod:`.prepare`: typed doses from text cells (``doses.parquet``);
- :mod:`.products`: product facts as arrays;
- :mod:`.days`: calendar arithmetic on day arrays;
- :mod:`.issues`: the codes and the collector of findings;
- :mod:`.history`: each dose next to the previous one of its history;
- :mod:`.ages`: the age rules;
- :mod:`.rules`: :func:`~.rules.dose_issues`, every check in order.
"""
