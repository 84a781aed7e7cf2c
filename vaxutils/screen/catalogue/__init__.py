"""The area files of the findings catalogue (``*.yaml`` beside this module), each owned by the
checks of its area; :mod:`vaxutils.catalogue` reads them at the schema level and is what this
module hands on, so that ``vaxutils.screen.catalogue.load()`` keeps working.
"""

from vaxutils.catalogue import COLUMNS, CatalogueError, load, to_markdown

__all__ = ["COLUMNS", "CatalogueError", "load", "to_markdown"]
