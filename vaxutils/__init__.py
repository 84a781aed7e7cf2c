"""vaxutils — làm sạch dữ liệu tiêm chủng COVID-19 theo từng xã.

Clean COVID-19 vaccination records commune by commune (Official Dispatch 2262/BYT-CNTT, 2022)
so that every vaccinated person can get a correctly signed vaccine passport.

The code is cut in layers, a module importing only from layers below it: the one table is in
docs/ARCHITECTURE.md, and it is the import contract in pyproject.toml that the tests run.
"""

__version__ = "0.1.0"
