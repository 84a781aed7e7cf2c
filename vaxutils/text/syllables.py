"""Is a word shaped like one Vietnamese syllable? (onset, rhyme, at most one tone mark on the vowel
that carries it, old or new placement); and how many words of a text are syllables, and
syllables of names. The legacy-encoding detector uses it to tell text from mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

# Combining tone marks in the order the code charts list them: acute, grave, hook, tilde, dot.
TONE_MARKS = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

# A Vietnamese syllable (tone marks removed, lowercase): onset, then a vowel nucleus with either a
# consonant coda or one of the semivowel codas that nucleus takes (ay/ây, ai/oi/ui..., ao/eo,
# au/âu/êu/iu/ưu...). A little permissive; it only has to tell text from mojibake.
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
    r"(?:(?:uyê|uya|iê|yê|ia|ya|uô|ươ|ưa|oo|o[aăe]|u[aăâêơy]|[aăâeêioôơuưy])(?:ch|nh|ng|[cmnpt])?"
    r"|(?:oa|uâ|[aâ])y|(?:uô|ươ|oa|[aoôơuư])i|(?:oa|oe|[ae])o|(?:iê|yê|ươ|uy|[aâêiư])u)"
)
# A tone mark must sit on a vowel (NFD: vowel, then quality marks, then the tone); on a consonant
# it is not Vietnamese (e.g. "ñ" is n + tilde).
_TONE_ON_CONSONANT_RE = re.compile(
    r"(?:^|[^aeiouy\u0302\u0306\u031b\u0323])[\u0300\u0301\u0303\u0309\u0323]"
)
# The permissive pattern would accept a doubled vowel ("thuyy"); only "oo" (xoong) is Vietnamese.
_DOUBLED_VOWEL_RE = re.compile(r"(?!oo)([aăâeêioôơuưy])\1|[iy][iy]")
_TONE_SET = frozenset(TONE_MARKS)


_ONSET_RE = re.compile(r"ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx]")
_CODAS = ("ch", "nh", "ng", "c", "m", "n", "p", "t")
# Nuclei that never end a syllable: mía/múa/mưa, not "miê"/"muô"/"mươ" (thuở is uơ).
_NEEDS_CODA = frozenset({"iê", "yê", "uô", "ươ", "uyê"})


def _tone_places(rhyme: str) -> tuple[int, ...]:
    """Where a tone may sit in a rhyme (index of the vowel), in the new placement and, for the
    rhymes whose placement changed (hoà/hòa, khoẻ/khỏe, thuỷ/thủy), the old one too: on the vowel
    with a quality mark (ơ of ươ, ê of uyê); else before a consonant coda on the last vowel; else on
    the first vowel, except oa/oe/uy (either) and a three-vowel rhyme (the middle: oái, uỷu)."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
    if not vowels:
        return ()
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        return (marked[-1],)
    if rhyme.endswith(_CODAS):
        return (vowels[-1],)
    if rhyme in ("oa", "oe", "uy"):
        return (1, 0)
    if len(vowels) == 3:
        return (vowels[1],)
    return (vowels[0],)


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is shaped like one Vietnamese syllable: an onset, a rhyme, at most one
    tone mark, sitting on the vowel that carries it (old or new placement: Hòa and Hoà).

    >>> is_vietnamese_syllable("Nguyễn"), is_vietnamese_syllable("Nguyeãn"), is_vietnamese_syllable("V¨n")
    (True, False, False)
    >>> is_vietnamese_syllable("Hoà"), is_vietnamese_syllable("Hòa"), is_vietnamese_syllable("boì")
    (True, True, False)
    """
    lower = unicodedata.normalize("NFC", word.lower())
    decomposed = unicodedata.normalize("NFD", lower)
    if _TONE_ON_CONSONANT_RE.search(decomposed):
        return False
    tones = sum(ch in _TONE_SET for ch in decomposed)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_SET))
    if tones > 1 or _SYLLABLE_RE.fullmatch(bare) is None or _DOUBLED_VOWEL_RE.search(bare):
        return False
    onset = _ONSET_RE.match(bare)
    start = onset.end() if onset else 0
    if bare.startswith("gi") and not any(ch in "aăâeêoôơuưy" for ch in bare[2:]):
        start = 1  # gì, gìn: the i is the vowel
    rhyme = bare[start:]
    if rhyme in _NEEDS_CODA:
        return False
    if tones == 0 or len(lower) != len(bare):
        return tones == 0
    at = next(
        i
        for i, ch in enumerate(lower)
        if any(m in _TONE_SET for m in unicodedata.normalize("NFD", ch))
    )
    return at - start in _tone_places(rhyme)


@lru_cache(maxsize=1)
def _name_syllables() -> frozenset[str]:
    text = resources.files("vaxutils.text").joinpath("name_syllables.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def syllable_score(text: str) -> tuple[int, int]:
    """(Vietnamese syllables, of which syllables of names) in a text: a reading with more wins."""
    words = text.split()
    names = _name_syllables()
    valid = sum(is_vietnamese_syllable(word) for word in words)
    if len(words) < 2:  # one word is no name: "Phó", "Dòng" must not become "Phú", "Dũng"
        return valid, 0
    in_names = sum(unicodedata.normalize("NFC", word.lower()) in names for word in words)
    return valid, in_names
