"""The DCC value-set codes of the eight passport products, and the payload's JSON schema.

``data/dcc_products.json`` holds ``vp``/``mp``/``ma`` per canonical product, checked against the
published EU DCC value sets (github.com/ehn-dcc-development/eu-dcc-valuesets; sources in the
file); the primary series comes from :func:`vaxutils.refdata.vaccines`.
``data/dcc_vaccination_1.3.0.schema.json`` encodes the DCC 1.3.0 schema's constraints.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import pandas as pd

from vaxutils.refdata import vaccines

DCC_VERSION = "1.3.0"
TARGET_COVID19 = "840539006"  # SNOMED CT: COVID-19 (DCC value set disease-agent-targeted)


@functools.cache
def products() -> pd.DataFrame:
    """The DCC codes (mp, ma, vp) of the eight passport products, indexed by canonical product."""
    text = (
        resources.files("vaxutils.passport").joinpath("data/dcc_products.json").read_text("utf-8")
    )
    table = pd.DataFrame.from_dict(json.loads(text)["products"], orient="index")
    primary = vaccines().set_index("product")["primary_doses"]
    table["primary_doses"] = primary.reindex(table.index).astype("Int64")
    return table


@functools.cache
def schema() -> dict:
    """The JSON schema a payload must meet (package data)."""
    path = "data/dcc_vaccination_1.3.0.schema.json"
    return json.loads(resources.files("vaxutils.passport").joinpath(path).read_text("utf-8"))
