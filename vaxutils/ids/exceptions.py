"""Why an identifier is not valid: a small exception tree in the style of python-stdnum.

Each class carries a class-level message (Vietnamese first, then English) and a ``reason``; the
finding code is the field prefix plus the reason (``id_`` + ``invalid_length`` = ``id_invalid_length``,
``phone_`` + ``invalid_length`` = ``phone_invalid_length``), so the class *is* the reason code.

>>> from vaxutils.ids import cccd
>>> try:
...     cccd.validate("12345")
... except InvalidLength as exc:
...     print(exc.code("id"), "|", exc)
id_invalid_length | Độ dài không đúng. / The number has the wrong length.
>>> issubclass(InvalidProvince, InvalidComponent) and issubclass(InvalidComponent, ValueError)
True
"""

from __future__ import annotations


class ValidationError(ValueError):
    """Số không hợp lệ. / The number is not valid."""

    reason = "invalid"
    message_vi = "Số không hợp lệ."
    message_en = "The number is not valid."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or f"{self.message_vi} / {self.message_en}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def code(cls, prefix: str) -> str:
        """The finding code for a field prefix (``"id"``, ``"phone"``, ``"bhyt"``)."""
        return f"{prefix}_{cls.reason}"


class InvalidFormat(ValidationError):
    """Có ký tự không hợp lệ. / The number contains invalid characters."""

    reason = "invalid_characters"
    message_vi = "Có ký tự không hợp lệ (chỉ được dùng chữ số)."
    message_en = "The number contains invalid characters."


class InvalidLength(InvalidFormat):
    """Độ dài không đúng. / The number has the wrong length."""

    reason = "invalid_length"
    message_vi = "Độ dài không đúng."
    message_en = "The number has the wrong length."


class InvalidComponent(ValidationError):
    """Một phần của số không hợp lệ. / One of the parts of the number is not valid."""

    reason = "invalid_component"
    message_vi = "Một phần của số không hợp lệ."
    message_en = "One of the parts of the number is not valid."


class InvalidProvince(InvalidComponent):
    """Mã tỉnh (3 số đầu) không có trong danh mục 2022. / Unknown 2022 province code."""

    reason = "unknown_province"
    message_vi = "Mã tỉnh (3 chữ số đầu) không có trong danh mục 63 tỉnh năm 2022."
    message_en = "The province code (first three digits) is not one of the 63 codes of 2022."


class InvalidCentury(InvalidComponent):
    """Chữ số thế kỷ/giới tính (số thứ 4) không hợp lệ. / Impossible century digit."""

    reason = "invalid_century"
    message_vi = "Chữ số thứ 4 (thế kỷ và giới tính) phải là 0–3 với người sinh 1900–2099."
    message_en = "The fourth digit (century and sex) must be 0-3 for people born 1900-2099."


class FutureBirthYear(InvalidComponent):
    """Năm sinh mã hóa trong số sau năm 2022. / The encoded birth year is after 2022."""

    reason = "future_birth_year"
    message_vi = "Năm sinh mã hóa trong số (chữ số 4–6) sau năm 2022."
    message_en = "The birth year encoded in digits 4-6 is after 2022."


class InvalidPrefix(InvalidComponent):
    """Đầu số không hợp lệ. / Invalid prefix."""

    reason = "invalid_prefix"
    message_vi = "Đầu số không hợp lệ (di động: 03, 05, 07, 08, 09)."
    message_en = "Invalid prefix (mobile numbers start with 03, 05, 07, 08 or 09)."


class InvalidBenefitLevel(InvalidComponent):
    """Mức hưởng (ký tự thứ 3) phải là 1–5. / Benefit level must be 1-5."""

    reason = "invalid_benefit_level"
    message_vi = "Mức hưởng (ký tự thứ 3 của mã thẻ BHYT) phải là 1–5."
    message_en = "The benefit level (third character of the card code) must be 1-5."


class UnrecoverableDamage(InvalidFormat):
    """Excel đã đổi số thành dạng khoa học, mất chữ số. / Scientific notation: digits lost."""

    reason = "scientific_notation"
    message_vi = "Excel đã đổi số thành dạng khoa học (vd. 4.09501E+10), các chữ số cuối đã mất."
    message_en = "Excel turned the number into scientific notation; trailing digits are lost."
