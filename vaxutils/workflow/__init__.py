"""The cleaning procedure after screening (DESIGN §1, steps S2–S6), one subpackage per step.

- :mod:`vaxutils.workflow.review` — S2, the village review workbook out and back, checked.
- :mod:`vaxutils.workflow.police` — S3–S4, the police list out and back, checked, with the sign-off record.
- :mod:`vaxutils.workflow.platform` — S5, the platform's Excel import and the direct-edit list.
- :mod:`vaxutils.workflow.verify` — S6, the re-exported data screened again and compared, record by record.
"""
