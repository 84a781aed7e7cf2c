"""The places a record can end in at S5, the columns of each place's table, and
:class:`PlatformFiles`, which holds them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from vaxutils.workflow.review.columns import DEAD, MOVED, NOT_LOCAL

IMPORT, EDIT, MERGE, REMOVAL, NOT_IMPORTABLE, CONFIRMED = (
    "nhập Excel",
    "sửa trực tiếp",
    "gộp hồ sơ",
    "loại khỏi danh sách",
    "chưa nhập được",
    "đã đúng",
)
OUTCOMES: tuple[str, ...] = (IMPORT, EDIT, MERGE, REMOVAL, NOT_IMPORTABLE, CONFIRMED)
IMPORT_COLUMNS = ("record_id", "id_number", "full_name", "dob", "sex", "source")
EDIT_COLUMNS = ("record_id", "field", "old_value", "new_value", "source", "who")
LEFT_OUT_COLUMNS = ("record_id", "reason", "action")
MERGE_COLUMNS = (
    "record_id",
    "keep_record_id",
    "doses_to_move",
    "differences",
    "source",
    "who",
)
REMOVAL_COLUMNS = ("record_id", "decision", "platform_action", "note", "who")
OUTCOME_COLUMNS = ("record_id", "outcome")
FIELD_NAMES_VI = {
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
}
VILLAGE, POLICE = "rà soát thôn", "công an xã"
PLATFORM_ACTIONS = {
    DEAD: "Cập nhật trạng thái 'Đã mất' cho đối tượng; giữ nguyên lịch sử tiêm, không ký hộ chiếu mới.",
    MOVED: "Cập nhật nơi ở mới (chuyển đối tượng về xã nơi cư trú mới); không xóa mũi tiêm.",
    NOT_LOCAL: "Báo cơ sở đã tiêm xác minh và chuyển đối tượng về nơi cư trú thực tế; không xóa mũi "
    "tiêm, không nhập lại ở xã.",
}
NOT_IN_DATABASE = "Không có trong CSDL dân cư."
VALID_KINDS = ["cccd", "cmnd", "passport"]


@dataclass
class PlatformFiles:
    """One table per place a record can end in (see the module docstring), and ``outcome``: one
    row per record of the lists with the place it went to (``unplaced``: those in none)."""

    imports: pd.DataFrame
    edits: pd.DataFrame
    left_out: pd.DataFrame
    merges: pd.DataFrame
    removals: pd.DataFrame
    confirmed: pd.DataFrame
    outcome: pd.DataFrame
    listed: pd.Index

    @property
    def counts(self) -> dict[str, int]:
        """Records per outcome, in :data:`OUTCOMES` order."""
        found = self.outcome["outcome"].value_counts()
        return {o: int(found.get(o, 0)) for o in OUTCOMES}

    @property
    def unplaced(self) -> pd.Index:
        """Records of the lists that are in no file (an empty index when all is well)."""
        return self.listed.difference(pd.Index(self.outcome["record_id"]))
