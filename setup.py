"""Packaging detail pyproject.toml cannot say: the top-level ``notebooks/`` and ``expectations/``
folders (the design's layout, what users open) ship inside the package as ``vaxutils/notebooks``
and ``vaxutils/expectations``, where :mod:`vaxutils._resources` finds them after a (non-editable)
install (their package data is listed in pyproject.toml). Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

SHIPPED = {"vaxutils.notebooks": "notebooks", "vaxutils.expectations": "expectations"}

setup(
    packages=[*find_namespace_packages(include=["vaxutils", "vaxutils.*"]), *SHIPPED],
    package_dir=SHIPPED,
)
