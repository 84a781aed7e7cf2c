"""The columns of a village review sheet and the decisions a village team can write.

One list, used to write the sheet and to read it back, so the two cannot drift apart.
"""

from __future__ import annotations

# Decisions, as the village_review contract (expectations/village_review.json) lists them.
CORRECT, FIX, NOT_LOCAL, MOVED, DEAD, DUPLICATE = (
    "Đúng",
    "Sửa",
    "Không có ở địa phương",
    "Đã chuyển đi",
    "Đã mất",
    "Trùng",
)
DECISIONS: tuple[str, ...] = (CORRECT, FIX, NOT_LOCAL, MOVED, DEAD, DUPLICATE)

# (field, label) of the columns sent to the village, in order.
SHOWN: tuple[tuple[str, str], ...] = (
    ("record_id", "Mã đối tượng"),
    ("source_row", "Dòng trong tệp xuất"),
    ("village", "Thôn/Ấp/Tổ"),
    ("full_name", "Họ và tên"),
    ("dob", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("id_number", "Số CMND/CCCD"),
    ("phone", "Số điện thoại"),
    ("problems", "Vấn đề cần rà soát"),
    ("suggestions", "Gợi ý sửa"),
)
# (field, label) of the columns the village team fills in.
FILLED: tuple[tuple[str, str], ...] = (
    ("decision", "Kết luận của tổ"),
    ("full_name", "Họ và tên đúng"),
    ("dob", "Ngày sinh đúng"),
    ("sex", "Giới tính đúng"),
    ("id_number", "Số CMND/CCCD đúng"),
    ("note", "Ghi chú"),
    ("reviewer", "Người rà soát"),
    ("duplicate_of", "Trùng với mã đối tượng"),
)
LABEL_OF_SHOWN = dict(SHOWN)
LABEL_OF_FILLED = dict(FILLED)
# Categories of findings a village team can settle (dose problems are the health station's).
REVIEWED_CATEGORIES: tuple[str, ...] = ("missing_id", "id_format", "personal_info", "duplicate")

INSTRUCTIONS: tuple[str, ...] = (
    "Mỗi trang tính là một thôn/ấp/tổ: danh sách đối tượng có thông tin cần rà soát.",
    "Với mỗi dòng, chọn 'Kết luận của tổ' trong danh sách:",
    f"  • {CORRECT}: thông tin hiện có là đúng, không cần sửa.",
    f"  • {FIX}: ghi thông tin đúng vào các cột tô vàng (chỉ ghi cột cần sửa; đối chiếu thẻ CCCD).",
    f"  • {NOT_LOCAL}: người này không sống ở địa phương.",
    f"  • {MOVED}: người này đã chuyển đi nơi khác.",
    f"  • {DEAD}: người này đã mất.",
    f"  • {DUPLICATE}: hồ sơ này là hồ sơ trùng của một người đã có: ghi mã đối tượng của hồ sơ còn lại"
    " vào cột 'Trùng với mã đối tượng' (hoặc Ghi chú); hồ sơ còn lại được giữ, các mũi tiêm được gộp vào.",
    "Ghi số CCCD đủ 12 chữ số (cột đã để dạng văn bản nên không mất số 0 ở đầu);"
    " ngày sinh dạng ngày/tháng/năm, ví dụ 05/03/1990 (ô đã để dạng văn bản: đừng dán ô ngày của Excel).",
    "Tên bị lỗi phông chữ cũ (ví dụ 'NguyÔn V¨n'): tên đúng đã ghi ở cột 'Gợi ý sửa'; chọn 'Đúng' nếu"
    " gợi ý đúng, hoặc 'Sửa' và ghi tên đúng.",
    "Không sửa cột 'Mã đối tượng', không xóa hay thêm dòng, không đổi tên cột.",
    "Làm xong, gửi lại tệp này cho trạm y tế xã.",
)
