"""What the scripted people know: the truth of each record of a synthetic commune, the records
of one person, the life events, who the police cannot find; and how a person tells a shown value
from the true one."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vaxutils import dates, ids, sex
from vaxutils.synth.commune import SynthCommune
from vaxutils.text import legacy, names

EVENTS = ("Đã mất", "Đã chuyển đi", "Không có ở địa phương")


@dataclass
class Script:
    """The truth of each record and what the scripted people will do.

    ``truth``: per record id, the person's full_name, dob (dd/mm/yyyy), sex, the ID numbers the
    platform may rightly hold (``ids``: the clean export's, the 12-digit number, the CMND),
    ``person_id``, ``in_database``. ``keep_of``: a duplicate record → the record of the same
    person that stays. ``events``: record → "Đã mất" / "Đã chuyển đi" / "Không có ở địa phương".
    ``unknown_to_police``: records whose person the database does not return.
    """

    truth: pd.DataFrame
    keep_of: dict[str, str]
    events: dict[str, str] = field(default_factory=dict)
    unknown_to_police: set[str] = field(default_factory=set)
    legacy_names: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, commune: SynthCommune, seed: int = 0) -> Script:
        people = commune.record_person.merge(commune.population, on="person_id", how="left")
        people = people.set_index("record_id")
        dob = pd.to_datetime(people["dob"]).dt.strftime("%d/%m/%Y")
        truth = pd.DataFrame(
            {
                "person_id": people["person_id"],
                "full_name": people["full_name"],
                "dob": dob,
                "sex": people["sex"],
                "id_number": people["export_id"].fillna(people["id_number"]),
                "cccd": people["id_number"],
                "cmnd": people["cmnd"],
                "in_database": people["nationality"].eq("VN").fillna(False)
                & people["id_number"].notna(),
            }
        ).astype({c: "string" for c in ("person_id", "full_name", "dob", "sex", "id_number")})
        first = truth.reset_index().groupby("person_id")["record_id"].transform("min")
        keep_of = {
            r: k for r, k in zip(truth.index, first.to_numpy(), strict=True) if r != k
        }  # a handful of split records
        labels = commune.labels
        legacy_names = set(
            labels.loc[labels["error_type"].isin(["name_tcvn3", "name_vni"]), "record_id"]
        )
        rng = np.random.default_rng(seed)
        # life events and the person the police cannot find, among records with wrong basic info
        wrong = labels.loc[
            labels["category"].eq("personal_info")
            & labels["error_type"].isin(["birth_year_typo", "sex_flipped", "name_typo"]),
            "record_id",
        ]
        wrong = sorted(set(wrong) - set(keep_of) - set(keep_of.values()) - legacy_names)
        chosen = list(rng.choice(wrong, size=min(len(wrong), 4), replace=False)) if wrong else []
        events = dict(zip(chosen[:3], EVENTS, strict=False))
        unknown = set(chosen[3:4])
        return cls(truth, keep_of, events, unknown, legacy_names)


def same_name(a: object, b: object) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    key = names.match_key_series(pd.Series([a, b], dtype="string"))
    return (
        legacy.detect_series(pd.Series([a], dtype="string")).isna().iat[0]
        and key.iat[0] == key.iat[1]
    )


def same_dob(shown: object, true: object) -> bool:
    parsed = dates.parse_dates(pd.Series([shown, true], dtype="string"))
    if parsed["date"].isna().iat[0]:
        return False
    if parsed["precision"].iat[0] == "year":  # a year alone is what the platform knows: not wrong
        return parsed["date"].iat[0].year == parsed["date"].iat[1].year
    return parsed["date"].iat[0] == parsed["date"].iat[1]


def same_id(shown: object, allowed: list) -> bool:
    compact = ids.classify_ids(pd.Series([shown], dtype="string"))["id_compact"].iat[0]
    allowed = [a for a in allowed if pd.notna(a)]
    if not allowed:
        return pd.isna(shown) or not str(shown).strip()
    return pd.notna(compact) and compact in allowed


def same_sex(shown: object, true: object) -> bool:
    return sex.normalize_series(pd.Series([shown], dtype="string")).iat[0] == true
