"""vaxutils — làm sạch dữ liệu tiêm chủng COVID-19 theo từng xã.

Clean COVID-19 vaccination records commune by commune (Official Dispatch 2262/BYT-CNTT, 2022)
so that every vaccinated person can get a correctly signed vaccine passport.

Layers (a layer imports only from layers below it):

1. ``vaxutils.ids``, ``vaxutils.text``, ``vaxutils.dates``, ``vaxutils.sex``, ``vaxutils.refdata``
2. ``vaxutils.io``
3. ``vaxutils.screen``, ``vaxutils.synth``
4. ``vaxutils.contracts``
5. ``vaxutils.report``, ``vaxutils.batch``, ``vaxutils.cli``
"""

__version__ = "0.1.0"
