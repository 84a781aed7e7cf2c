"""Names of places for report titles, from the 2022 GSO list when it is available.

>>> commune_title("99999")
'Xã 99999'
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _commune_names() -> dict[str, tuple[str, str, str]]:
    try:
        from vaxutils import refdata

        table = refdata.communes()
    except Exception:  # refdata missing or broken: titles fall back to the code
        return {}
    return {
        str(c): (str(n), str(d), str(p))
        for c, n, d, p in zip(
            table["commune_code"],
            table["name"],
            table["district_name"],
            table["province_name"],
            strict=True,
        )
    }


def commune_name(code: str) -> str | None:
    """The commune's name (e.g. "Xã Thượng Thôn"), or None when unknown."""
    found = _commune_names().get(str(code))
    return found[0] if found else None


def commune_title(code: str) -> str:
    """ "Xã Thượng Thôn, Huyện Hà Quảng, Tỉnh Cao Bằng (01420)", or "Xã 01420" when unknown."""
    found = _commune_names().get(str(code))
    if not found:
        return f"Xã {code}"
    return f"{found[0]}, {found[1]}, {found[2]} ({code})"
