"""The legacy decoders (TCVN3, VNI) on every Vietnamese syllable with every tone.

The syllables are built from the spelling rules (onsets, rhymes, k/gh/ngh before i/e/ê, qu, gi), each
with the six tones in the new placement and, where it changed, the old one (hoà and hòa).
"""

from __future__ import annotations

import itertools
import unicodedata

import pandas as pd
import pytest

from vaxutils.text import legacy

ONSETS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
RHYMES = """a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên ênh êp êt êu i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oong ooc ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
u uc ui um un ung up ut ua uôc uôi uôm uôn uông uôt ư ưc ưi ưng ưt ưu ưa ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêt yêu oa oac oach oai oam oan oang oanh oap oat oay oăc oăm oăn oăng oăt oe oen oet oeo
uân uâng uât uây uê uênh uy uych uyn uynh uyt uya uyên uyêt uyu uơ""".split()
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
QUALITY = set("ăâêôơư")
CODA = ("ch", "nh", "ng", "c", "m", "n", "p", "t")
FRONT = ("i", "e", "ê", "y")


def _spelling_ok(onset, rhyme):
    first = rhyme[0]
    if onset in ("k", "gh", "ngh"):
        return first in FRONT
    if onset in ("c", "g", "ng") and first in FRONT:
        return False
    if onset == "qu" and first in ("u", "o"):
        return False
    if onset == "gi" and first == "y":
        return False
    if onset == "gi" and first == "i":  # gì, gìn, gịt: only i as the whole vowel
        return rhyme in ("i", "ich", "im", "in", "inh", "ip", "it")
    if onset == "" and first == "y" and rhyme not in ("y", "yêm", "yên", "yêt", "yêu"):
        return False
    return True


def _tone_positions(rhyme):
    """Index (in the rhyme) of the vowel carrying the tone: new style, and old style when it differs."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
    marked = [i for i in vowels if rhyme[i] in QUALITY]
    if marked:
        return [marked[-1]]
    if rhyme.endswith(CODA):
        return [vowels[-1]]
    if rhyme in ("oa", "oe", "uy"):
        return [1, 0]
    if len(vowels) == 3:
        return [1]
    return [vowels[0]]


def _syllables():
    """Every Vietnamese syllable (onset + rhyme, spelling rules kept) with every tone, in the
    new tone placement and, for oa/oe/uy, the old one too (hoà and hòa)."""
    out = []
    for onset, rhyme in itertools.product(ONSETS, RHYMES):
        if not _spelling_ok(onset, rhyme):
            continue
        for tone in TONES:
            for pos in _tone_positions(rhyme) if tone else [0]:
                r = rhyme[:pos] + rhyme[pos] + tone + rhyme[pos + 1 :] if tone else rhyme
                # gi + in is written gin (gìn): the onset's i is the rhyme's
                spelled = "g" + r if onset == "gi" and rhyme[0] == "i" else onset + r
                out.append(unicodedata.normalize("NFC", spelled))
    return sorted(set(out))


SYLLABLES = _syllables()
ENCODINGS = ("tcvn3", "vni")


def test_the_inventory_is_complete():
    assert len(SYLLABLES) > 20_000
    letters = {ch for s in SYLLABLES for ch in s}
    vietnamese = {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in TONES} | {
        "đ"
    }
    assert vietnamese <= letters  # every vowel with every tone, and đ
    for word in (
        "nguyễn",
        "thị",
        "huế",
        "mỹ",
        "khuyến",
        "hoà",
        "hòa",
        "thuở",
        "gìn",
        "quý",
        "nghiêng",
    ):
        assert word in SYLLABLES, word


def test_every_syllable_is_recognised():
    assert [s for s in SYLLABLES if not legacy.is_vietnamese_syllable(s)] == []
    # and mojibake-shaped words are not: a tone on a semivowel, an open iê/uô/ươ
    for word in ("boì", "leõ", "buyù", "miê", "muô", "nguyêñ"):
        assert not legacy.is_vietnamese_syllable(word), word


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_syllable_decodes_back(encoding):
    lower = list(SYLLABLES)
    back = [legacy._decode(legacy.encode_legacy(t, encoding), encoding) for t in lower]
    assert [t for t, b in zip(lower, back, strict=True) if b != t] == []
    # capitals: TCVN3 draws toned capitals with the lowercase codes, so their case may come back
    # lower; VNI keeps it
    for form in (str.capitalize, str.upper):
        texts = [form(s) for s in SYLLABLES]
        back = [legacy._decode(legacy.encode_legacy(t, encoding), encoding) for t in texts]
        same = (lambda a, b: a.lower() == b.lower()) if encoding == "tcvn3" else str.__eq__
        assert [t for t, b in zip(texts, back, strict=True) if not same(b, t)] == []


def _names(syllable: str, i: int) -> str:
    """A full name with the syllable as given name, in one of three shapes."""
    given = syllable.capitalize()
    return (f"Lê Thị {given}", f"NGUYỄN VĂN {syllable.upper()}", f"Trần Hữu {given}")[i % 3]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_syllable_in_a_name_is_detected_and_repaired(encoding):
    names = [_names(s, i) for i, s in enumerate(SYLLABLES)]
    encoded = pd.Series([legacy.encode_legacy(n, encoding) for n in names])
    found = legacy.detect_series(encoded)
    repaired = legacy.repair_series(encoded)
    missed = [(n, e) for n, e, f in zip(names, encoded, found, strict=True) if f != encoding]
    assert missed == []
    wrong = [(n, r) for n, r in zip(names, repaired, strict=True) if r.lower() != n.lower()]
    assert wrong == []
    # the same names in Unicode are left alone
    assert legacy.detect_series(pd.Series(names)).isna().all()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_cell_of_one_syllable_is_never_repaired_wrongly(encoding):
    """Alone, a syllable may be both good Unicode and good mojibake ("Hoà" is VNI for Hồ): then it
    is left alone. Whenever it is repaired, the repair is right."""
    cells = [s.capitalize() for s in SYLLABLES]
    encoded = pd.Series([legacy.encode_legacy(c, encoding) for c in cells])
    found = legacy.detect_series(encoded)
    repaired = legacy.repair_series(encoded)
    hit = found.eq(encoding).to_numpy()
    assert hit.mean() > 0.7  # measured: 75% TCVN3, 90% VNI; the rest read as Unicode too
    wrong = [
        (c, r) for c, r, h in zip(cells, repaired, hit, strict=True) if h and r.lower() != c.lower()
    ]
    assert wrong == []
    assert legacy.detect_series(pd.Series(cells)).isna().all()  # Unicode syllables are left alone
