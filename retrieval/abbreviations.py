"""Abbreviations of Vietnamese administrative and industrial-cluster (CCN) usage.

Used by `retrieval.analysis` to expand an abbreviation into its words, identically in documents
and queries, so that "CCN" and "cụm công nghiệp" share tokens. Keys are lower case NFC, written
with the tone-mark placement the analyser normalises to ("ủy", "hóa"). A key may contain "&" or
"-" ("kh&đt", "kt-xh"): the analyser recognises those as one token.

Ambiguity is resolved conservatively:
- `ABBREVIATIONS`: expanded wherever the token stands alone (never inside a document number:
  "32/2024/NĐ-CP" keeps its code parts "nđ", "cp" as they are).
- `BEFORE_NUMBER`: expanded only when a number follows ("TT 05/2025", "CV số 1178"): "TT" is
  also the "thứ tự" column of every table, "CV" also "chuyên viên".
- `NOT_EXPANDED`: left alone on purpose, with the competing readings.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    # zones and clusters
    "ccn": "cụm công nghiệp",
    "kcn": "khu công nghiệp",
    "kkt": "khu kinh tế",
    "kcx": "khu chế xuất",
    "kcnc": "khu công nghệ cao",
    "cnc": "công nghệ cao",
    # bodies
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "ubtvqh": "ủy ban thường vụ quốc hội",
    "ttg": "thủ tướng",
    "bct": "bộ công thương",
    "sct": "sở công thương",
    "btc": "bộ tài chính",
    "bxd": "bộ xây dựng",
    "bkhđt": "bộ kế hoạch và đầu tư",
    "btnmt": "bộ tài nguyên và môi trường",
    "stc": "sở tài chính",
    "sxd": "sở xây dựng",
    "skhđt": "sở kế hoạch và đầu tư",
    "stnmt": "sở tài nguyên và môi trường",
    "bql": "ban quản lý",
    "bqlda": "ban quản lý dự án",
    "mttq": "mặt trận tổ quốc",
    "tw": "trung ương",
    # document types
    "nđ": "nghị định",
    "qđ": "quyết định",
    "nq": "nghị quyết",
    "ttlt": "thông tư liên tịch",
    "vbqppl": "văn bản quy phạm pháp luật",
    "qppl": "quy phạm pháp luật",
    "tthc": "thủ tục hành chính",
    # sectors and ministries' fields
    "tnmt": "tài nguyên và môi trường",
    "tn&mt": "tài nguyên và môi trường",
    "khđt": "kế hoạch và đầu tư",
    "kh&đt": "kế hoạch và đầu tư",
    "nn&ptnt": "nông nghiệp và phát triển nông thôn",
    "gtvt": "giao thông vận tải",
    "lđtbxh": "lao động thương binh và xã hội",
    "xd": "xây dựng",
    "cntt": "công nghệ thông tin",
    "tmdv": "thương mại dịch vụ",
    "kt-xh": "kinh tế xã hội",
    "ktxh": "kinh tế xã hội",
    "cnh": "công nghiệp hóa",
    "hđh": "hiện đại hóa",
    "cnh-hđh": "công nghiệp hóa hiện đại hóa",
    # investment, enterprises, budget
    "sxkd": "sản xuất kinh doanh",
    "dn": "doanh nghiệp",
    "dnnvv": "doanh nghiệp nhỏ và vừa",
    "htx": "hợp tác xã",
    "tnhh": "trách nhiệm hữu hạn",
    "ctcp": "công ty cổ phần",
    "nsnn": "ngân sách nhà nước",
    "nsđp": "ngân sách địa phương",
    "đtc": "đầu tư công",
    "đkkd": "đăng ký kinh doanh",
    "đkdn": "đăng ký doanh nghiệp",
    "gcn": "giấy chứng nhận",
    "gcnđkđt": "giấy chứng nhận đăng ký đầu tư",
    "ctđt": "chủ trương đầu tư",
    "nđt": "nhà đầu tư",
    "cđt": "chủ đầu tư",
    "đtxd": "đầu tư xây dựng",
    "nlđ": "người lao động",
    "bhxh": "bảo hiểm xã hội",
    # land, construction, environment
    "htkt": "hạ tầng kỹ thuật",
    "gpmb": "giải phóng mặt bằng",
    "qsdđ": "quyền sử dụng đất",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất",
    "khsdđ": "kế hoạch sử dụng đất",
    "qhsdđ": "quy hoạch sử dụng đất",
    "gpxd": "giấy phép xây dựng",
    "đtm": "đánh giá tác động môi trường",
    "bvmt": "bảo vệ môi trường",
    "gpmt": "giấy phép môi trường",
    "xlnt": "xử lý nước thải",
    "ctr": "chất thải rắn",
    "pccc": "phòng cháy chữa cháy",
    "qcvn": "quy chuẩn kỹ thuật quốc gia",
    "tcvn": "tiêu chuẩn việt nam",
    "csdl": "cơ sở dữ liệu",
    # places and programmes
    "tp": "thành phố",
    "hcm": "hồ chí minh",
    "đbscl": "đồng bằng sông cửu long",
    "dtts": "dân tộc thiểu số",
    "dtts&mn": "dân tộc thiểu số và miền núi",
    "ntm": "nông thôn mới",
}

BEFORE_NUMBER: dict[str, str] = {
    "tt": "thông tư",
    "cv": "công văn",
}

NOT_EXPANDED: dict[str, str] = {
    "qh": "quy hoạch (planning) or Quốc hội (in numbers: 61/2020/QH14, ĐBQH)",
    "cp": "Chính phủ (NĐ-CP) or cổ phần (công ty CP)",
    "hđ": "hợp đồng or hội đồng",
    "ct": "chỉ thị, chủ tịch or công ty",
    "bc": "báo cáo or bộ chỉ huy",
    "tư": "a word of its own (tư nhân, thứ tư), not only Trung ương",
    "hd": "hướng dẫn or hợp đồng (typed without đ)",
    "tb": "thông báo or trung bình",
}
