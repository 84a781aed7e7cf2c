"""Match vaccination records to the registry extract (step S3: the National Population Database).

The registry extract is the database's truthful view of the commune: ``person_id``, ``id_number`` (the
12-digit personal ID, everyone has one), ``cmnd`` (old 9-digit card, optional), ``full_name``, ``dob``
(ISO text), ``sex`` (Nam/Nữ), ``commune_code``, ``village``. :func:`prepare_registry` normalises it
like the prepared persons frame; :func:`match_registry` finds at most one registry person per record,
in this order (the first that gives a plausible match wins):

1. ``id``: the record's valid ID equals the person's ``id_number``;
2. ``cmnd``: the record's valid ID equals the person's old CMND;
3. ``suggested_id``: the repaired ID of a malformed one (lost leading zeros, separators…) equals either;
4. ``linkage``: no usable number — blocked comparison of name, birth date and sex within the commune
   (rapidfuzz, :mod:`vaxutils.linkage.compare`); accepted from :data:`LINKAGE_THRESHOLD`, unless a
   second person scores within :data:`AMBIGUITY_MARGIN` of the best (namesakes, twins: no guess).

An exact number match is *plausible* when the rest agrees at least a little (:data:`PLAUSIBLE_SCORE`);
a number that points to somebody else entirely (typo landing on a real number) is only kept when
linkage finds nobody better, and then reported as such by :func:`vaxutils.reconcile.registry_issues`.

>>> persons = pd.DataFrame({"record_id": ["R1"], "name_key": ["lê văn hùng"],
...     "ascii_key": ["le van hung"], "dob": pd.to_datetime(["1980-01-15"]), "dob_precision": ["day"],
...     "birth_year": pd.array([1980], dtype="Int64"), "sex": ["Nam"], "id_kind": ["missing"],
...     "id_compact": [None], "id_suggestion": [None], "commune_code": ["01420"]})
>>> registry = persons.drop(columns=["record_id"]).assign(person_id="P9",
...     id_number="001080012345", cmnd=None, full_name="Lê Văn Hùng")
>>> match_registry(persons, registry).to_dict("records")
[{'record_id': 'R1', 'person_id': 'P9', 'match_method': 'linkage', 'match_score': 1.0}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils import dates, sex
from vaxutils.errors import VaxutilsError
from vaxutils.kernel.cells import as_text, column_or_na, text_column
from vaxutils.linkage.blocking import blocking_keys, link_pairs
from vaxutils.linkage.compare import compare_pairs, pair_score
from vaxutils.text import names

MATCH_COLUMNS = ["record_id", "person_id", "match_method", "match_score"]
REGISTRY_REQUIRED = ("person_id", "id_number", "full_name", "dob", "sex")

# pair_score (0..1: name 0.55, birth date 0.30, sex 0.15) from which a record without a usable ID is
# taken to be a registry person. 0.85 accepts one clear error on top of a matching name (a day/month
# typo in the birth date, or the wrong sex, or the name typed without diacritics) and rejects twins
# (given names differ: ≤ 0.81) and namesakes born in another year (≤ 0.72).
LINKAGE_THRESHOLD = 0.85
# Two registry persons this close to each other for one record: ambiguous, no match.
AMBIGUITY_MARGIN = 0.02
# Below this, an exact ID match shares neither a similar name nor the birth date: the number most
# likely belongs to somebody else.
PLAUSIBLE_SCORE = 0.5

# Linkage blocks, all within the commune first, then by name and year regardless of the commune code
# (a record may lack it).
LINKAGE_RULES = (
    ("commune_code", "birth_year", "family_ascii"),
    ("commune_code", "birth_year", "given_ascii"),
    ("commune_code", "ascii_key"),
    ("ascii_key", "birth_year"),
)

_METHOD_RANK = {"id": 0, "cmnd": 1, "suggested_id": 2, "linkage": 3}


class RegistryError(VaxutilsError):
    """The registry extract cannot be used as it is (e.g. a required column is missing)."""


def prepare_registry(registry: pd.DataFrame) -> pd.DataFrame:
    """The registry extract normalised like the prepared persons frame (a new frame, same index).

    Adds name_key, ascii_key, dob (datetime), dob_precision, birth_year, and id_kind / id_compact so
    that registry persons compare with records field for field. ``id_number`` and ``cmnd`` keep their
    digits only.
    """
    if not isinstance(registry, pd.DataFrame):
        raise RegistryError(
            "Trích xuất CSDL dân cư phải là một bảng (DataFrame). "
            "The registry extract must be a DataFrame."
        )
    missing = [c for c in REGISTRY_REQUIRED if c not in registry.columns]
    if missing:
        raise RegistryError(
            f"Trích xuất CSDL dân cư thiếu cột: {', '.join(missing)}. Cần các cột "
            f"{', '.join(REGISTRY_REQUIRED)} (và cmnd, commune_code, village nếu có). "
            f"The registry extract lacks columns: {', '.join(missing)}."
        )

    def text(column: str) -> pd.Series:
        return as_text(text_column(registry, column)).str.strip()

    full_name = names.normalize_series(text("full_name")).astype("string")
    parsed = dates.parse_dates(text("dob"))
    id_number = _digits(text("id_number"))
    return pd.DataFrame(
        {
            "person_id": text("person_id"),
            "id_number": id_number,
            "cmnd": _digits(text("cmnd")),
            "full_name": full_name,
            "name_key": names.match_key_series(full_name).astype("string"),
            "ascii_key": names.ascii_key_series(full_name).astype("string"),
            "dob": parsed["date"],
            "dob_precision": parsed["precision"].astype("string"),
            "birth_year": parsed["date"].dt.year.astype("Int64"),
            "sex": sex.normalize_series(text("sex")).astype("string"),
            "id_kind": pd.Series("cccd", index=registry.index, dtype="string").where(
                id_number.notna()
            ),
            "id_compact": id_number,
            "commune_code": text("commune_code"),
            "village": text("village"),
        },
        index=registry.index,
    )


def _digits(values: pd.Series) -> pd.Series:
    digits = values.str.replace(r"[^0-9]", "", regex=True)
    return digits.where(digits.str.len().gt(0).fillna(False))


def _empty_matches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": pd.Series(dtype="string"),
            "person_id": pd.Series(dtype="string"),
            "match_method": pd.Series(dtype="string"),
            "match_score": pd.Series(dtype="float64"),
        }
    )


def _exact_pairs(persons: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Record × registry positions whose numbers are equal, with the method that found them."""
    record_keys = {
        "id_compact": as_text(persons["id_compact"]) if "id_compact" in persons else None,
        "id_suggestion": as_text(persons["id_suggestion"]) if "id_suggestion" in persons else None,
    }
    parts = []
    for record_key, registry_key, method in (
        ("id_compact", "id_number", "id"),
        ("id_compact", "cmnd", "cmnd"),
        ("id_suggestion", "id_number", "suggested_id"),
        ("id_suggestion", "cmnd", "suggested_id"),
    ):
        if record_keys[record_key] is None or registry_key not in registry.columns:
            continue
        left = pd.DataFrame(
            {"key": record_keys[record_key].to_numpy(), "left": range(len(persons))}
        )
        right = pd.DataFrame({"key": as_text(registry[registry_key]).to_numpy()})
        right["right"] = range(len(registry))
        pairs = left.dropna(subset=["key"]).merge(right.dropna(subset=["key"]), on="key")
        parts.append(pairs[["left", "right"]].assign(match_method=method))
    if not parts:
        return pd.DataFrame({"left": [], "right": [], "match_method": []})
    return pd.concat(parts, ignore_index=True)


def _scored(persons: pd.DataFrame, registry: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    left = pairs["left"].to_numpy("int64")
    right = pairs["right"].to_numpy("int64")
    comparison = compare_pairs(persons, registry, left, right)
    return pairs.assign(match_score=np.round(pair_score(comparison), 4))


def match_registry(persons: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """At most one registry person per record: record_id, person_id, match_method, match_score.

    ``persons`` is the prepared persons frame; ``registry`` the output of :func:`prepare_registry`
    (a raw extract is prepared first). Records that match nobody are absent. Passports (foreigners)
    are not in the population database and are never matched. Inputs are not modified.
    """
    if persons is None or len(persons) == 0 or registry is None or len(registry) == 0:
        return _empty_matches()
    if "name_key" not in registry.columns:
        registry = prepare_registry(registry)
    persons = persons.reset_index(drop=True)
    registry = registry.reset_index(drop=True)
    foreign = as_text(persons.get("id_kind", pd.Series(index=persons.index))).eq("passport")
    eligible = ~foreign.fillna(False).to_numpy(bool)

    exact = _exact_pairs(persons, registry)
    exact = exact[eligible[exact["left"].to_numpy("int64")]] if len(exact) else exact
    exact = _scored(persons, registry, exact) if len(exact) else exact.assign(match_score=[])
    plausible = exact[exact["match_score"] >= PLAUSIBLE_SCORE]

    pool = eligible.copy()
    pool[plausible["left"].to_numpy("int64")] = False
    linked = _linkage(persons, registry, np.flatnonzero(pool))

    fallback = exact[exact["match_score"] < PLAUSIBLE_SCORE]
    chosen = pd.concat([plausible, linked, fallback], ignore_index=True)
    if chosen.empty:
        return _empty_matches()
    chosen["_tier"] = np.repeat([0, 1, 2], [len(plausible), len(linked), len(fallback)])
    chosen["_rank"] = chosen["match_method"].map(_METHOD_RANK)
    chosen = chosen.sort_values(
        ["left", "_tier", "_rank", "match_score"],
        ascending=[True, True, True, False],
        kind="stable",
    ).drop_duplicates("left")
    return pd.DataFrame(
        {
            "record_id": as_text(persons["record_id"]).to_numpy()[chosen["left"].to_numpy("int64")],
            "person_id": as_text(registry["person_id"]).to_numpy()[
                chosen["right"].to_numpy("int64")
            ],
            "match_method": chosen["match_method"].to_numpy(),
            "match_score": chosen["match_score"].to_numpy("float64"),
        }
    ).astype({"record_id": "string", "person_id": "string", "match_method": "string"})


def _linkage(persons: pd.DataFrame, registry: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Best registry person for each record at ``positions`` by name, birth date and sex."""
    columns = ["left", "right", "match_method", "match_score"]
    if len(positions) == 0:
        return pd.DataFrame(columns=columns)
    record_keys = blocking_keys(persons.iloc[positions]).reset_index(drop=True)
    record_keys["commune_code"] = _commune(persons).iloc[positions].to_numpy()
    registry_keys = blocking_keys(registry).reset_index(drop=True)
    registry_keys["commune_code"] = _commune(registry).to_numpy()
    pairs = link_pairs(record_keys, registry_keys, LINKAGE_RULES)
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    pairs["left"] = positions[pairs["left"].to_numpy()]
    scored = _scored(persons, registry, pairs.assign(match_method="linkage"))
    scored = scored.sort_values(["left", "match_score"], ascending=[True, False], kind="stable")
    place = scored.groupby("left").cumcount().to_numpy()
    second = scored[place == 1].set_index("left")["match_score"]
    best = scored[place == 0]
    runner_up = best["left"].map(second).fillna(0.0)
    clear = (best["match_score"] >= LINKAGE_THRESHOLD) & (
        best["match_score"] - runner_up >= AMBIGUITY_MARGIN
    )
    return best.loc[clear, columns]


def _commune(frame: pd.DataFrame) -> pd.Series:
    return as_text(column_or_na(frame, "commune_code")).str.strip()
