"""Header, căn cứ and closing blocks (ingest.header) on the real corpus: ccn documents checked
against MANIFEST.tsv (the oracle), and the letters of Sở Công Thương Lào Cai."""

from __future__ import annotations

import csv
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest

from ingest.header import (
    Closing,
    Header,
    agency_case,
    parse_bases,
    parse_closing,
    parse_header,
    parse_number,
    position_case,
    sentence_case,
)
from ingest.readers import read

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"  # as in conftest.py
CCN, LETTERS = CORPUS / "ccn", CORPUS / "letters"


@cache
def lines_of(path: Path) -> tuple[str, ...]:
    return tuple(read(path).lines)


def parsed(path: Path) -> tuple[Header, Closing, list[str]]:
    lines = list(lines_of(path))
    header = parse_header(lines)
    return header, parse_closing(lines, header.body_start), lines


@cache
def manifest() -> dict[str, dict[str, str]]:
    """MANIFEST rows by file name; "(as above)" cells filled from the row above."""
    table: dict[str, dict[str, str]] = {}
    previous: dict[str, str] = {}
    with (CCN / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            row = {k: previous.get(k, v) if v == "(as above)" else v for k, v in row.items()}
            table[Path(row["file"]).name] = previous = row
    return table


# --- ccn documents against MANIFEST.tsv -------------------------------------------------------

NUMBERED = [
    "ND-32-2024-ND-CP.docx", "ND-32-2024-ND-CP.txt", "TT-14-2024-TT-BCT.docx",
    "TT-14-2024-TT-BCT.txt", "ND-139-2025-ND-CP.docx", "ND-139-2025-ND-CP.txt",
    "CT-07-2012-CT-TTg.docx", "CT-07-2012-CT-TTg.txt", "ND-178-2026-ND-CP.docx",
    "ND-178-2026-ND-CP.txt", "QD-16-2026-QD-UBND-LaoCai.txt", "CV-1178-DCK-CTT-2025.txt",
    "CV-1178-DCK-CTT-2025.pdf", "ND-30-2020-ND-CP.docx",
]


def _expand(name: str) -> str:
    return name.replace("UBND", "Ủy ban nhân dân")


@pytest.mark.parametrize("name", NUMBERED)
def test_header_matches_manifest(name: str) -> None:
    row = manifest()[name]
    header, _, _ = parsed(CCN / name)
    assert header.number == row["document_number"]
    assert row["type"].startswith(header.doc_type or "?")
    assert header.issued == datetime.strptime(row["date_issued"], "%d/%m/%Y").date()
    issuer = _expand(row["issuer"])
    full = f"{header.parent_issuer} – {header.issuer}" if header.parent_issuer else header.issuer
    assert issuer == full or (name.startswith("CV-") and header.parent_issuer == "Bộ Công Thương")
    if not row["title_trich_yeu"].startswith(("(", "V/v")):
        assert header.title == row["title_trich_yeu"]
    assert header.warnings == []


@pytest.mark.parametrize(
    "name", ["EX-BC-SCT-LaoCai-2026-vuong-mac-ND32.docx", "EX-CV-SCT-LaoCai-2026-xin-y-kien-phuong-an-CCN-NSNN.txt"]
)
def test_unnumbered_drafts_match_manifest(name: str) -> None:
    row = manifest()[name]
    header, _, _ = parsed(CCN / name)
    assert header.number is None
    assert row["document_number"].endswith(header.number_pattern)  # "(unnumbered draft) …/BC-SCT"
    assert row["type"].startswith(header.doc_type)
    assert header.issuer == row["issuer"] == "Sở Công Thương tỉnh Lào Cai"
    assert header.parent_issuer == "Ủy ban nhân dân tỉnh Lào Cai"
    assert header.issued is None and "năm 2026" in header.issued_text
    assert any("chưa cấp số" in w for w in header.warnings)


@pytest.mark.parametrize("name", ["ND-32-2024-ND-CP.docx", "ND-32-2024-ND-CP.txt"])
def test_nd32_header_bases_closing(name: str) -> None:
    header, closing, lines = parsed(CCN / name)
    assert (header.issuer, header.parent_issuer, header.place) == ("Chính phủ", None, "Hà Nội")
    assert header.title == "Về quản lý, phát triển cụm công nghiệp"
    assert lines[header.body_start].startswith("Căn cứ Luật Tổ chức Chính phủ")
    bases = parse_bases(lines)
    assert len(bases) == 7 and bases[-1] == "Căn cứ Luật Bảo vệ môi trường ngày 17 tháng 11 năm 2020"
    assert bases.proposer == "Theo đề nghị của Bộ trưởng Bộ Công Thương"
    assert closing.authority_lines == ["TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG"]
    assert (closing.signer_title, closing.signer) == ("Phó Thủ tướng", "Trần Hồng Hà")
    assert closing.distribution[0] == "Ban Bí thư Trung ương Đảng"
    assert closing.distribution[-1] == "Lưu: VT, CN (2b)"
    assert "VPCP: BTCN, các PCN, Trợ lý TTg, TGĐ Cổng TTĐT, các Vụ, Cục, đơn vị trực thuộc, Công báo" in closing.distribution
    assert lines[closing.start] == "Nơi nhận:"


def test_tt14_closing_stops_before_annex() -> None:
    header, closing, lines = parsed(CCN / "TT-14-2024-TT-BCT.txt")
    assert parse_bases(lines).proposer == "Theo đề nghị của Cục trưởng Cục Công Thương địa phương"
    assert (closing.authority, closing.signer_title, closing.signer) == (
        "KT. BỘ TRƯỞNG", "Thứ trưởng", "Phan Thị Thắng",
    )
    assert lines[closing.end] == "PHỤ LỤC I"
    assert "Cổng thông tin điện tử Bộ Công Thương" in closing.distribution


def test_nd139_header_and_closing() -> None:
    header, closing, lines = parsed(CCN / "ND-139-2025-ND-CP.docx")
    assert header.title.startswith("Quy định về phân định thẩm quyền của chính quyền địa phương 02")
    assert header.title.endswith("quản lý nhà nước của Bộ Công Thương")
    assert len(parse_bases(lines)) == 3
    assert (closing.signer_title, closing.signer) == ("Phó Thủ tướng", "Nguyễn Hòa Bình")


def test_qd16_layout_text_first_header_only() -> None:
    header, closing, lines = parsed(CCN / "QD-16-2026-QD-UBND-LaoCai.txt")
    assert header.number == "16/2026/QĐ-UBND" and header.place == "Lào Cai"
    assert header.issuer == "Ủy ban nhân dân tỉnh Lào Cai" and header.parent_issuer is None
    assert header.title == "Ban hành Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh Lào Cai"
    assert lines[header.body_start].startswith("Căn cứ Luật Tổ chức chính quyền địa phương")
    bases = parse_bases(lines)
    assert len(bases) == 8
    assert bases[1] == (
        "Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025 được sửa đổi, bổ sung bởi"
        " Luật số 87/2025/QH15"
    )
    assert bases.proposer.endswith("Tờ trình số 3499/TTr-SCT ngày 31 tháng 12 năm 2025")
    # two-column closing: Nơi nhận items and the signature share layout lines
    assert closing.authority_lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert (closing.signer_title, closing.signer) == ("Phó Chủ tịch", "Nguyễn Thế Phước")
    assert "Bộ Công Thương" in closing.distribution
    assert "Các BQL dự án ĐTXD tỉnh, Khu vực" in closing.distribution
    assert closing.distribution[-1] == "Lưu: VT, KT(Đức, Long)"
    second_header = next(i for i in range(closing.start, len(lines)) if lines[i].startswith("ỦY BAN"))
    assert closing.end == second_header


@pytest.mark.parametrize("name", ["CV-1178-DCK-CTT-2025.txt", "CV-1178-DCK-CTT-2025.pdf"])
def test_cv1178_letter(name: str) -> None:
    header, closing, lines = parsed(CCN / name)
    assert header.number == "1178/ĐCK-CTT" and header.issued == date(2025, 7, 9)
    assert header.doc_type == "Công văn"
    assert header.parent_issuer == "Bộ Công Thương"
    assert header.issuer == "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    assert header.subject == (
        "hướng dẫn về công tác quản lý, phát triển cụm công nghiệp theo địa giới hành chính mới"
    )
    assert header.recipients == ["Sở Công Thương tỉnh Lào Cai"]
    assert lines[header.body_start].startswith("Ngày 03 tháng 7 năm 2025")
    assert (closing.authority, closing.signer_title, closing.signer) == (
        "KT. CỤC TRƯỞNG", "Phó Cục trưởng", "Nguyễn Văn Thịnh",
    )
    assert closing.distribution[0] == "Như trên"
    assert len(closing.distribution) == 4


def test_qd130_issuer_from_authority_line() -> None:
    header, closing, lines = parsed(CCN / "QD-130-2022-QD-CTDP.md")
    assert (header.number, header.issued) == ("130/QĐ-CTĐP", date(2022, 12, 27))
    assert header.doc_type == "Quyết định"
    assert header.authority_line == "CỤC TRƯỞNG CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG"
    assert header.issuer == "Cục Công Thương địa phương"
    assert header.title == "Về việc quy định chức năng, nhiệm vụ của Phòng Quản lý cụm công nghiệp"
    assert lines[header.body_start].startswith("Căn cứ Quyết định số 2638/QĐ-BCT")
    assert (closing.authority, closing.signer_title, closing.signer) == (
        None, "Cục trưởng", "Ngô Quang Trung",
    )
    assert closing.distribution == ["Như Điều 4", "Lãnh đạo Cục", "Các đơn vị thuộc Cục", "Lưu: VT, VP"]


def test_ct07_directive() -> None:
    header, closing, lines = parsed(CCN / "CT-07-2012-CT-TTg.txt")
    assert header.issuer == "Thủ tướng Chính phủ" and header.doc_type == "Chỉ thị"
    assert lines[header.body_start].startswith("Trong thời gian qua")
    assert parse_bases(lines) == []
    assert (closing.authority, closing.signer_title, closing.signer) == (
        None, "Thủ tướng", "Nguyễn Tấn Dũng",
    )


# --- letters of Sở Công Thương tỉnh Lào Cai ---------------------------------------------------

SO = "Sở Công Thương tỉnh Lào Cai"
LETTER_CASES = {
    "bao-cao-ccn-gui-bct-ban-chuan-nguoi-dung.docx": dict(
        pattern="…/BC-SCT", type="Báo cáo", title="Khó khăn, vướng mắc trong thành lập cụm công"
        " nghiệp và đề xuất, kiến nghị", recipients=["Bộ Công Thương"], signer="Nguyễn Đình Chiến",
        signer_title="Phó Giám đốc",
    ),
    "bao-cao-ket-qua-thang-atvsld.docx": dict(
        pattern="…/BC-SCT", type="Báo cáo", title="Kết quả thực hiện Tháng hành động về an toàn, vệ"
        " sinh lao động năm 2026 của ngành Công Thương tỉnh Lào Cai",
        recipients=["Cục Kỹ thuật an toàn và Môi trường công nghiệp", "Sở Nội vụ tỉnh Lào Cai"],
        signer="Hoàng Văn Thuân", signer_title="Phó Giám đốc",
    ),
    "bao-cao-tinh-hinh-trien-khai-ccn.docx": dict(
        pattern="…/BC-SCT", type="Báo cáo",
        title="Tình hình triển khai các cụm công nghiệp trên địa bàn tỉnh",
        recipients=["Ủy ban nhân dân tỉnh Lào Cai"], signer="Hoàng Chí Hiền", signer_title="Giám đốc",
    ),
    "bien-ban-kiem-tra-thuc-te-hhnh.docx": dict(
        pattern=None, issued=date(2026, 6, 17), type="Biên bản",
        title="Kiểm tra thực tế phục vụ cấp Giấy phép vận chuyển hàng hóa nguy hiểm loại 3 của"
        " Công ty TNHH Vật tư chuyên dùng xăng dầu An Khang", signer="Trần Trọng Trang",
        signer_title="Trưởng đoàn",
    ),
    "bien-ban-lam-viec-lien-nganh-ccn.docx": dict(
        pattern=None, type="Biên bản", issuer=None, title="Làm việc", signer="Nguyễn Đình Chiến",
        signer_title="Đại diện Sở Công Thương",
    ),
    "cong-van-de-nghi-bo-sung-ho-so.docx": dict(
        pattern="…/SCT-CN", type="Công văn", subject="hoàn thiện, bổ sung hồ sơ đề nghị cấp Giấy"
        " phép dịch vụ nổ mìn trên địa bàn tỉnh Lào Cai",
        recipients=["Công ty TNHH đá cẩm thạch An Phú"], signer="Hoàng Văn Thuân",
        signer_title="Phó Giám đốc",
    ),
    "cong-van-don-doc-tien-do-ha-tang-ccn-bao-cao-hang-tuan.docx": dict(
        pattern="…/SCT-CN", type="Công văn",
        subject="đôn đốc tiến độ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp",
        n_recipients=7, signer="Nguyễn Đình Chiến", signer_title="Phó Giám đốc",
    ),
    "cong-van-moi-hop-sct.docx": dict(
        pattern="…/SCT-CN", type="Công văn", subject="mời dự họp",
        recipients=["Sở Nông nghiệp và Môi trường", "Ủy ban nhân dân xã Quy Mông",
                    "Công ty cổ phần Luyện kim hoá chất Tây Bắc"],
        signer="Nguyễn Đình Chiến", signer_title="Phó Giám đốc",
    ),
    "cong-van-noi-bo-phong-tham-gia-y-kien-kcn.docx": dict(
        pattern=None, issued=date(2026, 6, 19), type="Công văn", issuer="Phòng QLCN",
        parent="Sở Công Thương", subject="tham gia ý kiến Hồ sơ đề xuất đầu tư dự án hạ tầng KCN"
        " Phú Xuân, xã Gia Phú", recipients=["Phòng Kế hoạch - Tổng hợp"],
        signer="Trần Trọng Trang", signer_title="Phó Trưởng phòng",
    ),
    "cong-van-xin-y-kien-cac-co-quan-phuong-an-ccn-von-nsnn.docx": dict(
        pattern="…/SCT-CN", type="Công văn", subject="tham gia ý kiến về Phương án trình tự thành"
        " lập các cụm công nghiệp hình thành trước đây bằng nguồn vốn ngân sách nhà nước",
        n_recipients=5, signer="Nguyễn Đình Chiến", signer_title="Phó Giám đốc",
    ),
    "giay-chung-nhan-attp-winmart.docx": dict(
        pattern=None, type="Giấy chứng nhận", parent=None,
        title="Cơ sở đủ điều kiện an toàn thực phẩm", signer="Nguyễn Đình Chiến",
        signer_title="Phó Giám đốc",
    ),
    "giay-phep-van-chuyen-hhnh.docx": dict(
        pattern="…/GP-SCT", type="Giấy phép", title="Vận chuyển hàng hóa nguy hiểm",
        signer="Hoàng Văn Thuân", signer_title="Phó Giám đốc",
    ),
    "ke-hoach-thuc-hien-de-an-08.docx": dict(
        pattern="…/KH-SCT", type="Kế hoạch", title="Thực hiện Đề án số 08 về phát triển công nghiệp"
        " tỉnh Lào Cai theo hướng xanh, hiện đại giai đoạn 2026-2030", signer="Trịnh Văn Thành",
        signer_title="Phó Giám đốc",
    ),
    "to-trinh-vbqppl-tien-chat-thuoc-no.docx": dict(
        pattern="…/TTr-SCT", type="Tờ trình", title="Về việc ban hành Quyết định quy định cơ quan"
        " tiếp nhận hồ sơ đề nghị cấp Giấy chứng nhận đủ điều kiện sản xuất tiền chất thuốc nổ trên"
        " địa bàn tỉnh Lào Cai", recipients=["Ủy ban nhân dân tỉnh Lào Cai"],
        signer="Hoàng Chí Hiền", signer_title="Giám đốc",
    ),
}


@pytest.mark.parametrize("name", sorted(LETTER_CASES))
def test_letters(name: str) -> None:
    want = LETTER_CASES[name]
    header, closing, _ = parsed(LETTERS / name)
    assert header.number is None  # every letter here is an unnumbered working copy
    assert header.number_pattern == want["pattern"]
    assert header.doc_type == want["type"]
    assert header.issued == want.get("issued")
    assert header.issuer == want.get("issuer", SO)
    assert header.parent_issuer == want.get("parent", "Ủy ban nhân dân tỉnh Lào Cai" if
                                            want.get("issuer", SO) else None)
    assert header.title == want.get("title", "")
    assert header.subject == want.get("subject", "")
    if "recipients" in want:
        assert header.recipients == want["recipients"]
    if "n_recipients" in want:
        assert len(header.recipients) == want["n_recipients"]
    assert (closing.signer, closing.signer_title) == (want["signer"], want["signer_title"])


def test_letter_place_and_date_above_signature() -> None:
    _, closing, _ = parsed(LETTERS / "giay-phep-van-chuyen-hhnh.docx")
    assert closing.place == "Lào Cai" and closing.issued is None
    assert closing.issued_text == "ngày tháng 6 năm 2026"
    assert closing.distribution[0] == "UBND tỉnh (để b/c)"
    assert "Công ty TNHH vật tư chuyên dùng xăng dầu An Khang" in closing.distribution


def test_bien_ban_keeps_every_signer() -> None:
    _, closing, _ = parsed(LETTERS / "bien-ban-lam-viec-lien-nganh-ccn.docx")
    assert len(closing.other_signers) == 5
    assert ("Đại diện Sở Tài chính", "Vũ Lân") in closing.other_signers


# --- units and tolerance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16 /2026/QĐ-UBND", ("16/2026/QĐ-UBND", None)),
        ("1178 /ĐCK-CTT", ("1178/ĐCK-CTT", None)),
        ("07/CT-TTg", ("07/CT-TTg", None)),
        ("               /BC-SCT", (None, "…/BC-SCT")),
        ("      /SCT-CN", (None, "…/SCT-CN")),
        ("/BC - SCT", (None, "…/BC-SCT")),
        ("…/QĐ-UBND", (None, "…/QĐ-UBND")),
        ("", (None, None)),
    ],
)
def test_parse_number(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CHÍNH PHỦ", "Chính phủ"),
        ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ"),
        ("BỘ CÔNG THƯƠNG", "Bộ Công Thương"),
        ("CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG",
         "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"),
        ("CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG", "Cục Công Thương địa phương"),
        ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "Ủy ban nhân dân tỉnh Lào Cai"),
        ("UBND TỈNH LÀO CAI", "Ủy ban nhân dân tỉnh Lào Cai"),
        ("SỞ CÔNG THƯƠNG TỈNH LÀO CAI", "Sở Công Thương tỉnh Lào Cai"),
        ("BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "Bộ Kế hoạch và Đầu tư"),
        ("PHÒNG QLCN", "Phòng QLCN"),
    ],
)
def test_agency_case(text: str, expected: str) -> None:
    assert agency_case(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PHÓ THỦ TƯỚNG", "Phó Thủ tướng"), ("THỨ TRƯỞNG", "Thứ trưởng"),
     ("PHÓ CỤC TRƯỞNG", "Phó Cục trưởng"), ("PHÓ GIÁM ĐỐC", "Phó Giám đốc"),
     ("CHÁNH VĂN PHÒNG", "Chánh Văn phòng"), ("PHÓ TRƯỞNG PHÒNG", "Phó Trưởng phòng")],
)
def test_position_case(text: str, expected: str) -> None:
    assert position_case(text) == expected


def test_sentence_case_keeps_acronyms_and_names() -> None:
    assert sentence_case("VỀ VIỆC PHÁT TRIỂN CCN TỈNH LÀO CAI THEO NGHỊ ĐỊNH 32/2024/NĐ-CP") == (
        "Về việc phát triển CCN tỉnh Lào Cai theo nghị định 32/2024/NĐ-CP"
    )


def test_two_column_closing_lines() -> None:
    lines = [
        "Điều 3. Các cơ quan chịu trách nhiệm thi hành Quyết định này./.",
        "Nơi nhận:   TM. ỦY BAN NHÂN DÂN",
        "- Như Điều 3;",
        "- Bộ Công Thương;   KT. CHỦ TỊCH",
        "- Lưu: VT.   PHÓ CHỦ TỊCH",
        "(Đã ký)",
        "Nguyễn Văn A",
    ]
    closing = parse_closing(lines, 1)
    assert closing.start == 1 and closing.end == 7
    assert closing.distribution == ["Như Điều 3", "Bộ Công Thương", "Lưu: VT"]
    assert closing.authority == "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
    assert (closing.signer_title, closing.signer) == ("Phó Chủ tịch", "Nguyễn Văn A")


@pytest.mark.parametrize(
    "lines", [[], [""], ["Văn bản không có phần đầu."], ["###", "|a|b|"], ["Số:", "ngày"] * 3]
)
def test_tolerant_never_raises(lines: list[str]) -> None:
    header = parse_header(lines)
    closing = parse_closing(lines)
    assert header.warnings and closing.warnings
    assert parse_bases(lines) == []
