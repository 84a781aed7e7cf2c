"""Probabilistic deduplication with splink 5 (DuckDB backend), the alternative engine.

The default engine (:mod:`vaxutils.screen.duplicates`) decides pairs with explicit rules; this one
trains a Fellegi–Sunter model on the commune itself (u by random sampling, m by expectation
maximisation) over the same blocking rules and returns scored pairs. ``benchmarks/bench_dedupe.py``
measures both on synthetic communes with known truth; the rules stay the default because they encode
what a probability model does not know — two different valid ID numbers are two people, and twins
share everything but the given name — and they are faster on a commune.

splink and DuckDB are not dependencies of vaxutils (nothing in production uses this engine): they come
with the ``compare`` extra, ``pip install 'vaxutils[compare]'``; without them
:func:`splink_duplicate_pairs` stops with :class:`CompareExtraMissing`, which says so.

splink 5's entry point: ``DuckDBAPI().register(df)`` then ``Linker(sdf, settings)`` (no ``db_api=``).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from vaxutils.errors import VaxutilsError
from vaxutils.kernel.cells import as_text
from vaxutils.linkage.blocking import DEDUPE_RULES, blocking_keys

# Match probability from which splink pairs are taken to be one person.
SPLINK_THRESHOLD = 0.95


class CompareExtraMissing(VaxutilsError, ImportError):
    """splink or DuckDB is not installed: they come with the ``compare`` extra."""


def _splink_input(persons: pd.DataFrame) -> pd.DataFrame:
    frame = persons.reset_index(drop=True)
    keys = blocking_keys(frame).reset_index(drop=True)
    name_key = as_text(frame["name_key"]) if "name_key" in frame else keys["ascii_key"]
    return (
        pd.DataFrame(
            {
                "pos": np.arange(len(frame), dtype="int64"),
                "ascii_key": keys["ascii_key"],
                "given_key": name_key.str.replace(r"^.* ", "", regex=True),
                "given_ascii": keys["given_ascii"],
                "family_ascii": keys["family_ascii"],
                "birth_year": keys["birth_year"].astype("string"),
                "dob_day": keys["dob_day"],
                "sex": as_text(frame["sex"]) if "sex" in frame else pd.NA,
                "id_key": keys["id_key"],
                "phone": keys["phone"],
            }
        )
        .astype("object")
        .where(lambda f: f.notna(), None)
    )


def splink_duplicate_pairs(
    persons: pd.DataFrame, threshold: float = SPLINK_THRESHOLD, seed: int = 1
) -> pd.DataFrame:
    """Pairs of positions (``left`` < ``right``) splink scores as one person, with match_probability."""
    try:  # a heavy import that only a comparison needs
        import splink.comparison_library as cl
        from splink import Linker, SettingsCreator, block_on
        from splink.backends.duckdb import DuckDBAPI
    except ImportError as error:
        raise CompareExtraMissing(
            f"Cần splink và duckdb để so sánh với mô hình xác suất ({error.name} chưa được cài): "
            "pip install 'vaxutils[compare]'. / splink and duckdb are needed for the probabilistic "
            "comparison; install the extra: pip install 'vaxutils[compare]'."
        ) from error

    frame = _splink_input(persons)
    if len(frame) < 2:
        return pd.DataFrame({"left": [], "right": [], "match_probability": []})
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="pos",
        comparisons=[
            cl.JaroWinklerAtThresholds("ascii_key", [0.95, 0.88]),
            cl.ExactMatch("given_key"),
            cl.ExactMatch("dob_day"),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("id_key"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in DEDUPE_RULES],
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("ascii_key", "dob_day")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob_day"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("ascii_key"))
    scored = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    left = np.minimum(scored["pos_l"], scored["pos_r"]).astype("int64")
    right = np.maximum(scored["pos_l"], scored["pos_r"]).astype("int64")
    return pd.DataFrame(
        {"left": left, "right": right, "match_probability": scored["match_probability"]}
    ).reset_index(drop=True)
