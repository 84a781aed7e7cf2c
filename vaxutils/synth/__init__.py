"""Synthetic communes for testing: realistic people, platform exports with labelled errors.

Real vaccination records are personal data, so vaxutils is tested only against this generator.
:func:`generate_commune` builds, reproducibly from a seed, a commune's ground-truth population
(real 2022 commune codes and names, Vietnamese names by region and ethnic group, twins, IDs
consistent with sex and birth year, a few foreigners recorded by passport), their dose histories
(rules of DESIGN §2.4), the export as the platform or commune staff would have it (wide or long
layout, Vietnamese headers, title rows, text cells — numeric cells where Excel lost a leading
zero) with injected errors at :class:`ErrorRates`, the ``labels`` of every injected error, and a
truthful registry extract of the citizens. :func:`write_commune` writes the files; the CLI is
``vaxutils synth``.

>>> sc = generate_commune("01420", n_persons=200, seed=3, rates=ErrorRates.none())
>>> set(sc.labels["category"]) <= {"normalized"}
True
"""

from vaxutils.synth.commune import (
    REGISTRY_COLUMNS,
    SynthCommune,
    generate_commune,
    generate_district,
    registry_of,
    write_commune,
)
from vaxutils.synth.doses import generate_doses
from vaxutils.synth.inject import LABEL_COLUMNS
from vaxutils.synth.population import POPULATION_COLUMNS, generate_population
from vaxutils.synth.rates import ERROR_TYPES, NOISE_TYPES, TRAIT_TYPES, ErrorRates

__all__ = [
    "ERROR_TYPES",
    "LABEL_COLUMNS",
    "NOISE_TYPES",
    "POPULATION_COLUMNS",
    "REGISTRY_COLUMNS",
    "TRAIT_TYPES",
    "ErrorRates",
    "SynthCommune",
    "generate_commune",
    "generate_district",
    "generate_doses",
    "generate_population",
    "registry_of",
    "write_commune",
]
