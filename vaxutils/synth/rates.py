"""How often each kind of damage is injected into a synthetic export (:class:`ErrorRates`).

A rate is the share of the commune's people whose record gets that injection (``child_without_id``:
share of the 5–17 year-olds). Each record receives at most one injection per field group (ID,
name, birth date, sex, phone, insurance, doses, duplicates), so the realised counts are exact:
``round(rate * n)`` when enough eligible records exist (phone and insurance damage only when the
commune's export has that column). The defaults affect about 15–22% of records with a real error
(the 2022 national picture: ~19 of 85 million people had a wrong record), plus normalisation
noise that is not an error.

``foreigner`` is no error: it is the share of adults recorded by passport (DESIGN §2.2), scaled
per commune by :func:`vaxutils.synth.population.foreigner_share` (cities and industrial
provinces have more, most rural communes none). Clean data keeps its foreigners.

>>> rates = ErrorRates()
>>> 0.15 <= rates.error_share() <= 0.22
True
>>> ErrorRates.none().error_share(), ErrorRates.none().noise_share() > 0
(0.0, True)
>>> ERROR_TYPES["id_leading_zero_lost"], ERROR_TYPES["phone_invalid_prefix"]
('id_format', 'personal_info')
>>> ErrorRates.none(noise=False).foreigner == ErrorRates().foreigner
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

# error_type -> the category its record lands in (DESIGN §3.2). Some injections put a record in a
# second category too (see vaxutils.synth.inject): duplicates with an empty ID are also missing_id,
# a shared ID is also personal_info on the record that borrowed it.
ERROR_TYPES: dict[str, str] = {
    # missing_id
    "id_empty": "missing_id",
    "id_placeholder": "missing_id",
    "child_without_id": "missing_id",
    # id_format
    "id_leading_zero_lost": "id_format",
    "id_separators": "id_format",
    "id_scientific": "id_format",
    "id_letter_o": "id_format",
    "id_wrong_length": "id_format",
    "id_unknown_province": "id_format",
    "id_bad_century": "id_format",
    # personal_info
    "id_swapped_digits": "personal_info",
    "sex_flipped": "personal_info",
    "sex_missing": "personal_info",
    "sex_invalid": "personal_info",
    "birth_year_typo": "personal_info",
    "day_month_swapped": "personal_info",
    "dob_missing": "personal_info",
    "name_missing": "personal_info",
    "name_no_diacritics": "personal_info",
    "name_tcvn3": "personal_info",
    "name_vni": "personal_info",
    "name_eth_for_d": "personal_info",
    "name_typo": "personal_info",
    "dob_impossible": "personal_info",  # 31/02/1990, 15/13/1985
    "dob_future": "personal_info",  # after the export date
    "dob_after_first_dose": "personal_info",
    # phone and insurance number: warnings in personal_info (vaxutils/screen/catalogue/contact.yaml)
    "phone_wrong_length": "personal_info",
    "phone_invalid_prefix": "personal_info",
    "insurance_wrong_length": "personal_info",
    "insurance_bad_benefit_level": "personal_info",
    "insurance_leading_zero_lost": "personal_info",  # stored as a number: a numeric cell
    # duplicate
    "duplicate_split": "duplicate",
    "shared_id": "duplicate",
    # dose
    "dose_out_of_order": "dose",
    "dose_too_close": "dose",
    "dose_before_start": "dose",
    "dose_future": "dose",
    "dose_unapproved": "dose",
    "dose_number_gap": "dose",
    "dose_before_eligibility": "dose",
}
# Hard cases: the shapes behind screening's last false alarms (issue 15). Off by default (the
# default communes stay as they were); ErrorRates.hard_cases() turns them on.
#   birth_year_late           a birth year typed 1–10 years late on a record whose 12-digit ID holds
#                             the true year: personal_info only, never a dose "before the eligible age";
#   namesake_missing_field    one of two namesakes (different people, same full name) loses its ID or
#                             its birth date: missing_id / personal_info, never a duplicate;
#   duplicate_split_boosters  one person split over two records, the second holding only the boosters
#                             numbered again from 1 (booster AZ after Pfizer: "mixing" if judged
#                             alone), sometimes without ID and birth date: duplicate, never a dose error.
HARD_CASE_TYPES: dict[str, str] = {
    "birth_year_late": "personal_info",
    "namesake_missing_field": "personal_info",  # or missing_id, when the ID is the field lost
    "duplicate_split_boosters": "duplicate",
}
# Normalisation noise: labelled category "normalized", never an error.
NOISE_TYPES: tuple[str, ...] = (
    "name_uppercase",
    "name_nfd",
    "name_extra_spaces",
    "name_tone_style",
    "id_surrounding_spaces",
    "sex_case",
    "phone_leading_zero_lost",  # stored as a number (numeric cell); one reading: info only
)
# Traits of the population that are not errors (not zeroed by ErrorRates.none(), not scaled).
TRAIT_TYPES: tuple[str, ...] = ("foreigner",)


@dataclass(frozen=True)
class ErrorRates:
    """Share of people whose record gets each injection (see :data:`ERROR_TYPES`)."""

    # missing_id (~3.5% + children)
    id_empty: float = 0.015
    id_placeholder: float = 0.01
    child_without_id: float = 0.10  # of the 5–17 year-olds
    # id_format (~3%)
    id_leading_zero_lost: float = 0.01
    id_separators: float = 0.005
    id_scientific: float = 0.003
    id_letter_o: float = 0.003
    id_wrong_length: float = 0.005
    id_unknown_province: float = 0.002
    id_bad_century: float = 0.002
    # personal_info (~6%)
    id_swapped_digits: float = 0.005
    sex_flipped: float = 0.005
    sex_missing: float = 0.003
    sex_invalid: float = 0.002
    birth_year_typo: float = 0.008
    day_month_swapped: float = 0.006
    dob_missing: float = 0.003
    name_missing: float = 0.002
    name_no_diacritics: float = 0.01
    name_tcvn3: float = 0.003
    name_vni: float = 0.003
    name_eth_for_d: float = 0.002
    name_typo: float = 0.006
    dob_impossible: float = 0.002
    dob_future: float = 0.001
    dob_after_first_dose: float = 0.002
    # phone / insurance number damage (warnings, ~1.2% of records)
    phone_wrong_length: float = 0.004
    phone_invalid_prefix: float = 0.002
    insurance_wrong_length: float = 0.003
    insurance_bad_benefit_level: float = 0.001
    insurance_leading_zero_lost: float = 0.002  # only where the 10-digit number starts with 0
    # duplicate (pairs: each touches two records)
    duplicate_split: float = 0.01
    shared_id: float = 0.003
    # dose (~2.5%)
    dose_out_of_order: float = 0.004
    dose_too_close: float = 0.004
    dose_before_start: float = 0.003
    dose_future: float = 0.003
    dose_unapproved: float = 0.003
    dose_number_gap: float = 0.003
    dose_before_eligibility: float = 0.004
    # hard cases (HARD_CASE_TYPES): off unless asked for
    birth_year_late: float = 0.0
    namesake_missing_field: float = 0.0
    duplicate_split_boosters: float = 0.0
    # normalisation noise (not errors)
    name_uppercase: float = 0.05
    name_nfd: float = 0.02
    name_extra_spaces: float = 0.02
    name_tone_style: float = 0.01
    id_surrounding_spaces: float = 0.02
    sex_case: float = 0.03
    phone_leading_zero_lost: float = 0.01
    # population traits (not errors)
    foreigner: float = 0.002  # of adults, before the commune's factor (x3 hubs, x2 wards)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"ErrorRates.{f.name} phải trong khoảng 0–1 (must be 0–1): {value!r}"
                )

    @classmethod
    def none(cls, noise: bool = True) -> ErrorRates:
        """No errors at all (clean data); normalisation noise kept unless ``noise=False``."""
        zeros = {name: 0.0 for name in ERROR_TYPES}
        if not noise:
            zeros.update({name: 0.0 for name in NOISE_TYPES})
        return replace(cls(), **zeros)

    @classmethod
    def hard_cases(cls, share: float = 0.01) -> ErrorRates:
        """The default rates plus each hard case (:data:`HARD_CASE_TYPES`) at ``share``."""
        return replace(cls(), **{name: share for name in HARD_CASE_TYPES})

    def scaled(self, factor: float) -> ErrorRates:
        """Every error rate multiplied by ``factor`` (noise unchanged)."""
        return replace(
            self, **{name: min(1.0, getattr(self, name) * factor) for name in ERROR_TYPES}
        )

    def error_share(self) -> float:
        """Approximate share of records with at least one error (children counted at ~20%)."""
        total = sum(getattr(self, name) for name in ERROR_TYPES)
        total -= self.child_without_id * 0.8  # the 5–17 year-olds are ~20% of people
        total += self.duplicate_split + self.shared_id  # pairs touch two records
        return round(total, 4)

    def noise_share(self) -> float:
        """Sum of the normalisation-noise rates."""
        return round(sum(getattr(self, name) for name in NOISE_TYPES), 4)
