"""The findings catalogue's former home: it now sits at the schema level, :mod:`vaxutils.catalogue`."""

from vaxutils.catalogue import COLUMNS, CatalogueError, load, to_markdown

__all__ = ["COLUMNS", "CatalogueError", "load", "to_markdown"]
