"""Which commune a row belongs to, from a commune code or from the names people typed.

District and province exports often name each person's commune, district and province
(``Xã/Phường``, ``Quận/Huyện``, ``Tỉnh/TP``) without a ``Mã xã``. The names come as people type
them: with or without ``Xã``/``Phường``/``Thị trấn``/``Quận``/``Huyện``/``Thị xã``/``Thành phố``/
``Tỉnh``/``TP.``, in any case, with the tone mark on either vowel (``Hoà``/``Hòa``), decomposed
Unicode, or without diacritics. They are matched against the 2022 GSO list (``communes.csv``) and
the platform's own list (PL3, ``platform_pl3.csv``), level by level: the province narrows the
districts, the district narrows the communes. At each level an exact match (diacritics kept, tone
placement folded) wins; only when there is none does the diacritic-free match count, and then only
if it is unique. A row is ``resolved`` with one commune, ``ambiguous`` with several candidates,
or ``unresolved`` with none. When in doubt the row stays out: it is never guessed.

The work is done once per distinct (code, commune, district, province), not per row.

>>> r = resolve_communes(pd.Series(["xa thuong thon", "Thượng Thôn", "Phường 14", None]),
...                      pd.Series(["Hà Quảng", "huyện hà quảng", None, None]),
...                      pd.Series(["Cao Bằng", "CAO BANG", "Hồ Chí Minh", None]))
>>> r[["commune_code", "status"]].to_dict("list")
{'commune_code': ['01420', '01420', None, None], 'status': ['names', 'names', 'ambiguous', 'unresolved']}
>>> resolve_communes(pd.Series(["Xã Thượng Thôn"]), code=pd.Series(["1420"]))["status"].tolist()
['code']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict

import numpy as np
import pandas as pd

from vaxutils.refdata._files import read_table
from vaxutils.refdata.divisions import province_lookup

IDENTITY_COLUMNS: tuple[str, ...] = ("commune_code", "status", "candidates")
STATUSES: tuple[str, ...] = ("code", "names", "ambiguous", "unresolved")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_TONE_RE = re.compile(f"[{_TONES}]")
# Administrative words in front of a name, as diacritic-free word sequences (longest first).
_PREFIXES = {
    "commune": ("Thị trấn", "Phường", "Xã", "TT", "P", "X"),
    "district": ("Thành phố", "Thị xã", "Quận", "Huyện", "TP", "TX", "Q", "H"),
    "province": ("Thành phố trực thuộc trung ương", "Thành phố", "Tỉnh", "TP"),
}
_NUMBERED = re.compile(r"^(?:q|p|quan|phuong)\.?\s*(\d+)$")  # "Q1", "P.12" → "1", "12"
_SHOW = 5  # candidates named per ambiguous row


def _words(text: object) -> list[str] | None:
    """NFD words of a name, lower case, tone marks moved to the end of their word (hoà == hòa)."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFD", text.replace("Ð", "Đ").replace("ð", "đ")).casefold()
    text = re.sub(r"[^\w\u0300-\u036f]+", " ", text.replace("_", " "))
    words = []
    for word in text.split():
        tones = "".join(_TONE_RE.findall(word))
        words.append(_TONE_RE.sub("", word) + tones)
    return words or None


def _plain(word: str) -> str:
    return "".join(c for c in word.replace("đ", "d") if not unicodedata.combining(c))


def name_keys(text: object, level: str) -> tuple[set[str], set[str]]:
    """The exact and diacritic-free keys of a place name: with and without its prefix.

    >>> sorted(name_keys("Xã  Thượng Thôn", "commune")[1])
    ['thuongthon', 'xathuongthon']
    >>> name_keys("Hoà An", "district")[0] == name_keys("Hòa An", "district")[0]
    True
    """
    words = _words(text)
    if not words:
        return set(), set()
    exact, plain = {"".join(words)}, {"".join(_plain(w) for w in words)}
    flat = " ".join(_plain(w) for w in words)
    numbered = _NUMBERED.match(flat)
    if numbered:
        exact.add(numbered.group(1))
        plain.add(numbered.group(1))
    plain_words = [_plain(w) for w in words]
    for prefix in _PREFIXES[level]:
        toned = _words(prefix)
        n = len(toned)
        if len(words) > n and plain_words[:n] == [_plain(w) for w in toned]:
            # "Xã" is a prefix, "Xà" (Xà Phìn) is not: with diacritics, only the real word counts
            if words[:n] == toned:
                exact.add("".join(words[n:]))
            plain.add("".join(plain_words[n:]))
            break
    return exact, plain


@functools.cache
def _reference() -> pd.DataFrame:
    """Every commune once per spelling: the 2022 GSO list and the platform's PL3 list."""
    gso = read_table("communes.csv")[
        ["commune_code", "name", "district_code", "district_name", "province_code", "province_name"]
    ]
    provinces = read_table("provinces.csv").set_index("gso_code")["full_name"]
    gso_full = gso.assign(province_name=gso["province_code"].map(provinces))
    pl3 = read_table("platform_pl3.csv").rename(
        columns={
            "ma_xa": "commune_code",
            "ten_xa": "name",
            "ma_huyen": "district_code",
            "ten_huyen": "district_name",
            "ma_tinh": "province_code",
            "ten_tinh": "province_name",
        }
    )
    pl3 = pl3[pl3["commune_code"].str.len() == 5]  # island districts have no commune
    return pd.concat([gso, gso_full, pl3[gso.columns]], ignore_index=True).drop_duplicates()


@functools.cache
def _indexes() -> dict:
    """Lookups level by level: province key → codes; (province, key) → districts; (district, key) → communes."""
    ref = _reference()
    idx: dict = {
        name: defaultdict(set) for name in ("p_ex", "p_pl", "d_ex", "d_pl", "c_ex", "c_pl")
    }
    for pcode, pname in (
        ref[["province_code", "province_name"]].drop_duplicates().itertuples(index=False)
    ):
        exact, plain = name_keys(pname, "province")
        for k in exact:
            idx["p_ex"][k].add(pcode)
        for k in plain:
            idx["p_pl"][k].add(pcode)
    for pcode, dcode, dname in (
        ref[["province_code", "district_code", "district_name"]]
        .drop_duplicates()
        .itertuples(index=False)
    ):
        exact, plain = name_keys(dname, "district")
        for k in exact:
            idx["d_ex"][(pcode, k)].add(dcode)
        for k in plain:
            idx["d_pl"][(pcode, k)].add(dcode)
    for dcode, ccode, cname in (
        ref[["district_code", "commune_code", "name"]].drop_duplicates().itertuples(index=False)
    ):
        exact, plain = name_keys(cname, "commune")
        for k in exact:
            idx["c_ex"][(dcode, k)].add(ccode)
        for k in plain:
            idx["c_pl"][(dcode, k)].add(ccode)
    codes = ref.drop_duplicates("commune_code").set_index("commune_code")
    idx["label"] = (
        codes["name"] + " (" + codes["district_name"] + ", " + codes["province_name"] + ")"
    ).to_dict()
    idx["districts_of"] = ref.groupby("province_code")["district_code"].agg(set).to_dict()
    idx["all_provinces"] = set(ref["province_code"])
    return idx


def _match(text: object, level: str, scopes: set[str], exact_index, plain_index) -> set[str] | None:
    """Codes at one level whose name matches ``text`` inside ``scopes`` (None: no name given)."""
    exact, plain = name_keys(text, level)
    if not exact:
        return None
    found = {c for s in scopes for k in exact for c in exact_index.get((s, k), ())}
    if found:
        return found
    return {c for s in scopes for k in plain for c in plain_index.get((s, k), ())}


def _resolve_one(commune: object, district: object, province: object) -> set[str]:
    idx = _indexes()
    exact, plain = name_keys(province, "province")
    if exact:
        pcodes = set().union(*(idx["p_ex"].get(k, set()) for k in exact)) or set().union(
            *(idx["p_pl"].get(k, set()) for k in plain)
        )
        if not pcodes:  # short forms: "TP.HCM", "BRVT"
            cccd = province_lookup(pd.Series([province], dtype=object)).iloc[0]
            pcodes = {cccd[1:]} if isinstance(cccd, str) else set()
    else:
        pcodes = idx["all_provinces"]
    dscopes = set().union(*(idx["districts_of"].get(p, set()) for p in pcodes)) if pcodes else set()
    dcodes = _match(district, "district", pcodes, idx["d_ex"], idx["d_pl"])
    dcodes = dscopes if dcodes is None else dcodes & dscopes
    ccodes = _match(commune, "commune", dcodes, idx["c_ex"], idx["c_pl"])
    return ccodes or set()


def _label(code: str) -> str:
    return f"{code} {_indexes()['label'].get(code, '')}".strip()


def _text(s: pd.Series) -> pd.Series:
    """Cells as ``string``: numbers as their digits, unencodable characters (lone surrogates)
    replaced; one conversion per distinct value (a column holds a few hundred names)."""
    codes, uniques = pd.factorize(np.asarray(s, dtype=object), use_na_sentinel=True)

    def clean(v: object) -> str | None:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = v if isinstance(v, str) else str(v)
        return text.encode("utf-8", "replace").decode("utf-8")

    cleaned = np.array([clean(v) for v in uniques] + [None], dtype=object)
    return pd.Series(cleaned[codes], index=s.index, dtype="string")


def known_commune_codes(s: pd.Series) -> pd.Series:
    """The 5-digit code of each cell that is a commune code of either list ("1420" → "01420"), else NA."""
    text = _text(s).str.strip()
    padded = text.where(text.str.fullmatch(r"\d{1,5}").fillna(False)).str.zfill(5)
    return padded.where(padded.isin(set(_indexes()["label"])))


def resolve_communes(
    commune: pd.Series,
    district: pd.Series | None = None,
    province: pd.Series | None = None,
    code: pd.Series | None = None,
) -> pd.DataFrame:
    """Per row: ``commune_code`` (NA unless resolved), ``status`` (code | names | ambiguous |
    unresolved) and ``candidates`` (the communes that matched, when ambiguous; NA otherwise).

    A valid code wins; a blank or unknown code falls back to the names. Index preserved.
    """
    index = commune.index
    empty = pd.Series(pd.NA, index=index, dtype="string")
    district = empty if district is None else district.reindex(index)
    province = empty if province is None else province.reindex(index)
    out = pd.DataFrame(
        {
            "commune_code": empty.copy(),
            "status": pd.Series("unresolved", index=index, dtype="string"),
            "candidates": empty.copy(),
        }
    )
    if len(index) == 0:
        return out.astype("string")
    by_code = known_commune_codes(code.reindex(index)) if code is not None else empty
    has_code = by_code.notna().to_numpy()
    out.loc[has_code, "commune_code"] = by_code[has_code]
    out.loc[has_code, "status"] = "code"
    names = pd.DataFrame({"c": _text(commune), "d": _text(district), "p": _text(province)})
    names = names.apply(lambda col: col.str.strip()).loc[~has_code]
    if names.empty:
        return out.astype("string")
    # One resolution per distinct name triple: a district file has a few hundred.
    triples, inverse = np.unique(
        names.fillna("\x00").to_numpy(dtype=str), axis=0, return_inverse=True
    )
    codes = np.full(len(triples), None, dtype=object)
    status = np.full(len(triples), "unresolved", dtype=object)
    candidates = np.full(len(triples), None, dtype=object)
    for i, (c, d, p) in enumerate(triples):  # loop over unique triples, not rows
        c, d, p = (None if v == "\x00" else v for v in (c, d, p))
        found = _resolve_one(c, d, p) if c else set()
        if len(found) == 1:
            codes[i], status[i] = next(iter(found)), "names"
        elif found:
            status[i] = "ambiguous"
            shown = [_label(x) for x in sorted(found)[:_SHOW]]
            candidates[i] = "; ".join(shown) + ("; ..." if len(found) > _SHOW else "")
    rows = names.index
    inverse = inverse.reshape(-1)
    out.loc[rows, "commune_code"] = pd.array(codes[inverse], dtype="string")
    out.loc[rows, "status"] = pd.array(status[inverse], dtype="string")
    out.loc[rows, "candidates"] = pd.array(candidates[inverse], dtype="string")
    return out.astype("string")
