"""The one error of the contracts layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaxutils.errors import VaxutilsError

if TYPE_CHECKING:
    from vaxutils.contracts.result import ContractResult


class ContractError(VaxutilsError):
    """Data broke a stage's contract, or a contract file/parameter is wrong.

    ``result`` is the :class:`ContractResult` when data failed validation (exit code 1), else
    ``None`` for a setup problem such as an unknown suite (exit code 2).

    >>> ContractError("Thiếu cột record_id").exit_code
    2
    """

    def __init__(self, message: str, result: ContractResult | None = None) -> None:
        super().__init__(message)
        self.result = result
        self.exit_code = 1 if result is not None else 2
