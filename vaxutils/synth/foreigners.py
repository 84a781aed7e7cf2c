"""Foreign residents of a synthetic commune: recorded by passport, not in the population database.

Foreigners vaccinated in Vietnam in 2021–2022 were recorded with their passport number (one
uppercase letter and seven digits, DESIGN §2.2) and their name as printed in the passport, in
capitals and without Vietnamese diacritics ("KIM MIN JUN", "WANG WEI", "JOHN SMITH"). They are
not checked against the National Population Database, so the registry extract leaves them out.
Screening must treat such a record as clean: a passport is a well-formed ID and a foreign name
contains no Vietnamese syllable "typed without diacritics" (a test checks the pools against
:data:`vaxutils.text.names.NEVER_PLAIN_SYLLABLES`).

Where they live: mostly in the big cities and the industrial-park provinces (Korean, Chinese,
Japanese and Taiwanese factory staff; Western residents in the cities), more in urban wards than in
rural communes, and in most rural communes of other provinces not at all.

>>> import numpy as np
>>> people = draw_foreigners(np.random.default_rng(1), np.array([True, False, True]))
>>> sorted(people)
['family', 'full_name', 'given', 'nationality', 'passport']
>>> bool(pd.Series(people["passport"]).str.fullmatch(r"[A-Z][0-9]{7}").all())
True
>>> foreigner_share({"province_code": "74", "division_type": "phường"}, 0.002, np.random.default_rng(0))
0.012
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaxutils.refdata import province

# CCCD codes of the five centrally run cities and the provinces with large industrial parks.
FOREIGNER_HUBS = frozenset(
    "001 031 048 079 092 019 022 024 026 027 030 033 074 075 077 080".split()
)
HUB_FACTOR = 3.0
WARD_FACTOR = 2.0
RURAL_SHARE_WITH_FOREIGNERS = 0.3  # outside the hubs, only some communes have any foreigner

# nationality -> (share, passport letter, family names, male given names, female given names,
#                 given name first?)
_NATIONALITIES: dict[str, tuple[float, str, str, str, str, bool]] = {
    "KR": (0.35, "M", "KIM LEE PARK CHOI JUNG KANG CHO YOON JANG LIM",
           "MIN JUN|SEO JUN|DO YOON|JI HOON|HYUN WOO|SUNG MIN|JAE HYUN|DONG HYUN|YOUNG HO",
           "SEO YEON|JI WOO|HA EUN|MIN SEO|SO YEON|JI YOUNG|HYE JIN|EUN JI|SU BIN", False),
    "CN": (0.25, "E", "WANG LI ZHANG LIU CHEN YANG ZHAO HUANG ZHOU WU",
           "WEI|LEI|JUN|HAO|YONG|QIANG|MING|TAO|JIAN|BO",
           "NA|FANG|JING|XIU YING|YAN|MIN|XIN|LING|JUAN", False),
    "TW": (0.1, "T", "CHEN LIN HUANG CHANG WANG TSAI YANG HSU CHENG",
           "CHIH MING|CHUN YI|CHIEN WEN|CHIA HAO|WEN CHIEH",
           "SHU FEN|MEI LING|YA TING|HSIU YING|YI CHEN", False),
    "JP": (0.12, "T", "SATO SUZUKI TAKAHASHI TANAKA WATANABE ITO YAMAMOTO NAKAMURA KOBAYASHI",
           "HIROSHI|TAKESHI|KENJI|DAISUKE|SHOTA|KAZUKI|RYO|YUSUKE",
           "YUKI|AYAKA|MISAKI|HARUKA|NAOMI|YUI|SAKURA|EMI", False),
    "US": (0.1, "P", "SMITH JOHNSON BROWN WILLIAMS MILLER TAYLOR ANDERSON WILSON MOORE CLARK",
           "JOHN|MICHAEL|DAVID|JAMES|ROBERT|PETER|THOMAS|DANIEL|MARK",
           "ANNA|EMMA|SARAH|LAURA|EMILY|JESSICA|RACHEL|KATE", True),
    "FR": (0.08, "P", "MARTIN BERNARD DUBOIS PETIT ROBERT RICHARD DURAND LEROY MOREAU",
           "PIERRE|JEAN|NICOLAS|JULIEN|LUC|PAUL|OLIVIER|ANTOINE",
           "MARIE|SOPHIE|CLAIRE|JULIE|CAMILLE|ELISE|MANON|CHLOE", True),
}  # fmt: skip
NATIONALITIES = tuple(_NATIONALITIES)


def name_pools() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """nationality -> (family names, male given names, female given names)."""
    return {
        code: (family.split(), male.split("|"), female.split("|"))
        for code, (_, _, family, male, female, _) in _NATIONALITIES.items()
    }


def foreigner_share(commune: dict, base: float, rng: np.random.Generator) -> float:
    """Share of the commune's adults who are foreigners (``base`` scaled by where it is).

    Hubs (:data:`FOREIGNER_HUBS`) have ``HUB_FACTOR`` times more, wards ``WARD_FACTOR`` times
    more; outside the hubs only some communes (:data:`RURAL_SHARE_WITH_FOREIGNERS`) have any.
    Always draws one number from ``rng`` so that the stream does not depend on the commune.
    """
    hub = province(commune["province_code"])["cccd_code"] in FOREIGNER_HUBS
    lucky = rng.random() < RURAL_SHARE_WITH_FOREIGNERS
    if base <= 0 or not (hub or lucky):
        return 0.0
    factor = (HUB_FACTOR if hub else 1.0) * (
        WARD_FACTOR if commune["division_type"] == "phường" else 1.0
    )
    return round(min(1.0, base * factor), 6)


def _pick(rng: np.random.Generator, options: list[str], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def draw_given(rng: np.random.Generator, male: np.ndarray, nationality: np.ndarray) -> np.ndarray:
    """Given names for the nationality and sex of each person (to redraw a namesake)."""
    pools = name_pools()
    out = np.empty(len(male), dtype=object)
    for code, (_, male_names, female_names) in pools.items():
        for is_male, names in ((True, male_names), (False, female_names)):
            idx = np.flatnonzero((nationality == code) & (male == is_male))
            out[idx] = _pick(rng, names, len(idx))
    return out


def full_names(family: np.ndarray, given: np.ndarray, nationality: np.ndarray) -> np.ndarray:
    """Passport order: "FAMILY GIVEN" (East Asia) or "GIVEN FAMILY" (Western names)."""
    given_first = np.isin(nationality, [c for c, v in _NATIONALITIES.items() if v[5]])
    f, g = pd.Series(family, dtype="string"), pd.Series(given, dtype="string")
    return np.where(given_first, (g + " " + f).to_numpy(object), (f + " " + g).to_numpy(object))


def draw_foreigners(
    rng: np.random.Generator, male: np.ndarray, slot: tuple[int, int] = (0, 1)
) -> dict[str, np.ndarray]:
    """Nationality, names and a unique passport number for each person of ``male``; ``slot=(k, m)``
    takes only numbers equal to ``k`` modulo ``m`` (people drawn with another ``k`` never share
    one; see :func:`vaxutils.synth.numbers.unique_numbers`)."""
    male = np.asarray(male, dtype=bool)
    n = len(male)
    shares = np.array([v[0] for v in _NATIONALITIES.values()])
    nationality = np.asarray(NATIONALITIES, dtype=object)[
        rng.choice(len(shares), n, p=shares / shares.sum())
    ]
    family = np.empty(n, dtype=object)
    for code, (names, _, _) in name_pools().items():
        idx = np.flatnonzero(nationality == code)
        family[idx] = _pick(rng, names, len(idx))
    given = draw_given(rng, male, nationality)
    letters = pd.Series(nationality).map({c: v[1] for c, v in _NATIONALITIES.items()})
    k, m = slot
    # 7 digits, distinct in the commune (and from other slots)
    numbers = rng.choice(10_000_000 // m, n, replace=False) * m + k
    digits = pd.Series(numbers).astype("string").str.zfill(7)
    return {
        "nationality": nationality,
        "family": family,
        "given": given,
        "full_name": full_names(family, given, nationality),
        "passport": (letters.astype("string") + digits).to_numpy(dtype=object),
    }
