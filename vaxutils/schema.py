"""Canonical field names and the findings table (DESIGN §3.1, §3.2).

Every reader maps its input onto these names; every stage speaks them. Vietnamese labels are
for anything a person reads.
"""

PERSON_FIELDS: tuple[str, ...] = (
    "record_id",
    "full_name",
    "dob",
    "sex",
    "id_number",
    "phone",
    "insurance_no",
    "province",
    "district",
    "commune",
    "village",
    "commune_code",
    "priority_group",
)

DOSE_FIELDS: tuple[str, ...] = (
    "dose_number",
    "vaccine",
    "lot",
    "dose_date",
    "facility",
    "facility_level",
)

CANONICAL_FIELDS: tuple[str, ...] = PERSON_FIELDS + DOSE_FIELDS

# The person fields people check and correct on a returned list (village review, police list)
# and the platform's import and direct edits change.
CORRECTABLE_FIELDS: tuple[str, ...] = ("full_name", "dob", "sex", "id_number")

FIELD_LABELS_VI: dict[str, str] = {
    "record_id": "Mã đối tượng",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CMND/CCCD",
    "phone": "Số điện thoại",
    "insurance_no": "Số thẻ BHYT",
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường/Thị trấn",
    "village": "Thôn/Ấp/Tổ/Bản",
    "commune_code": "Mã xã",
    "priority_group": "Mã nhóm đối tượng ưu tiên",
    "dose_number": "Mũi",
    "vaccine": "Tên vắc xin",
    "lot": "Số lô",
    "dose_date": "Ngày tiêm",
    "facility": "Cơ sở tiêm",
    "facility_level": "Tuyến",
    "source_row": "Dòng trong tệp gốc",
}

FINDINGS_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_row",
    "category",
    "code",
    "severity",
    "field",
    "value",
    "suggestion",
    "related",
    "message",
    "message_en",
)

CATEGORIES: tuple[str, ...] = (
    "missing_id",
    "id_format",
    "personal_info",
    "duplicate",
    "dose",
    "normalized",
)

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

CATEGORY_LABELS_VI: dict[str, str] = {
    "missing_id": "Không có số CMND/CCCD",
    "id_format": "Số CMND/CCCD sai định dạng",
    "personal_info": "Sai thông tin cơ bản",
    "duplicate": "Trùng đối tượng",
    "dose": "Sai lịch sử mũi tiêm",
    "normalized": "Chuẩn hóa tự động",
}

SEVERITY_LABELS_VI: dict[str, str] = {
    "error": "Lỗi (chặn ký hộ chiếu vắc xin)",
    "warning": "Cần kiểm tra",
    "info": "Tự động chuẩn hóa",
}
