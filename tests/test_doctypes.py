"""The registry of document types (kb/doctypes.py): one vocabulary read by the header parser, the
citation grammar, ingestion, the letter checker and drafting.

A type registered in one place (`doctypes.registered`) is parsed from a header, cited, rendered
and checked; without it the same text reads as a plain Chỉ thị. The number rules that two modules
held apart ("…/2026/QĐ-UBND" in a draft header, "366-QĐ/TW", "…/L-CTN") are one function.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from drafting.checker import check_text
from ingest.header import parse_header
from ingest.runner import ingest_paths
from kb import citations, doctypes
from kb.doctypes import DocType
from kb.model import Citation, DocClass
from kb.store import Store

NUMBER = "99/2026/CTLT-BCT-BNV"  # a test-only number: no such document exists
TEXT = f"""BỘ CÔNG THƯƠNG - BỘ NỘI VỤ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: {NUMBER}
Hà Nội, ngày 05 tháng 01 năm 2026
CHỈ THỊ LIÊN TỊCH
Về phối hợp quản lý cụm công nghiệp
Điều 1. Phạm vi
Chỉ thị liên tịch này quy định việc phối hợp quản lý cụm công nghiệp.
Điều 2. Trách nhiệm phối hợp
1. Sở Công Thương chủ trì tổng hợp báo cáo.
2. Sở Nội vụ phối hợp rà soát tổ chức bộ máy.
Điều 3. Hiệu lực thi hành
Chỉ thị liên tịch này có hiệu lực thi hành từ ngày 01 tháng 3 năm 2026.
Nơi nhận:
- Như trên;
BỘ TRƯỞNG BỘ CÔNG THƯƠNG
"""
LINES = TEXT.splitlines()
JOINT_DIRECTIVE = DocType("Chỉ thị liên tịch", "CTLT", DocClass.NORM, cited=True, max_serial=50)


@pytest.fixture
def joint_directive():
    """The registry with one more type, restored after the test."""
    with doctypes.registered(JOINT_DIRECTIVE):
        yield JOINT_DIRECTIVE
    assert doctypes.by_name("Chỉ thị liên tịch") is None


def test_without_the_type_the_text_is_a_plain_directive():
    head = parse_header(LINES)
    assert head.doc_type == "Chỉ thị"
    assert doctypes.doc_type_from_number(NUMBER) is None
    assert citations.find_citations(f"Chỉ thị liên tịch số {NUMBER}") == []  # "Chỉ thị" then no number


def test_a_registered_type_is_parsed(joint_directive):
    head = parse_header(LINES)
    assert (head.doc_type, head.number, head.title) == (
        "Chỉ thị liên tịch", NUMBER, "Về phối hợp quản lý cụm công nghiệp")
    assert doctypes.doc_type_from_number(NUMBER) == "Chỉ thị liên tịch"
    assert doctypes.issuer_from_number(NUMBER) is None  # two ministries: not one issuer


def test_a_registered_type_is_cited_and_rendered(joint_directive):
    mentions = citations.find_citations(f"theo khoản 2 Điều 2 Chỉ thị liên tịch số {NUMBER} và Điều 3 "
                                        "Chỉ thị liên tịch này")
    assert [(m.doc_ref.doc_type, m.doc_ref.number, m.doc_ref.this_document) for m in mentions] == [
        ("Chỉ thị liên tịch", NUMBER, False), ("Chỉ thị liên tịch", None, True)]
    assert mentions[0].targets == [Citation(NUMBER, article=2, clause=2)]
    assert citations.render(Citation(NUMBER, article=2, clause=2)) == (
        f"khoản 2 Điều 2 Chỉ thị liên tịch số {NUMBER}")
    assert citations.render_full(NUMBER, None, date(2026, 1, 5), "Bộ Công Thương và Bộ Nội vụ",
                                 "Về phối hợp quản lý cụm công nghiệp") == (
        f"Chỉ thị liên tịch số {NUMBER} ngày 05 tháng 01 năm 2026 của Bộ Công Thương và Bộ Nội vụ "
        "về phối hợp quản lý cụm công nghiệp")
    assert citations.match_partial("Chỉ thị liên tịch 99/2026", [NUMBER, "99/2026/NĐ-CP"]) == [NUMBER]


def test_a_registered_type_is_ingested_and_checked(joint_directive, tmp_path: Path):
    source = tmp_path / "chi-thi-lien-tich.txt"
    source.write_text(TEXT, encoding="utf-8")
    store = Store.at_home(tmp_path / "home")
    assert ingest_paths(store, [source]).failed == []
    doc = store.document(NUMBER)
    assert (doc.doc_type, doc.doc_class) == ("Chỉ thị liên tịch", "norm")
    letter = (
        "Kính gửi: Sở Công Thương tỉnh Lào Cai.\n"
        f"1. Thực hiện khoản 2 Điều 2 Chỉ thị liên tịch số {NUMBER}.\n"
        f"2. Theo khoản 5 Điều 2 Chỉ thị liên tịch số {NUMBER}.\n"
        f"3. Theo Thông tư số {NUMBER}.\n"
        "4. Theo Chỉ thị liên tịch số 120/2025/CTLT-BCT-BNV.\n"
    )
    report = check_text(store, letter, as_of=date(2026, 4, 1))
    assert [(f.code, f.text) for f in report.findings] == [
        ("no_such_provision", f"khoản 5 Điều 2 Chỉ thị liên tịch số {NUMBER}"),
        ("wrong_document_type", f"Thông tư số {NUMBER}"),
        ("unknown_document", "Chỉ thị liên tịch số 120/2025/CTLT-BCT-BNV"),
    ]
    assert "số thứ tự 120 vượt xa số văn bản loại này" in report.findings[2].message  # max_serial 50
    first = next(c for c in report.citations if c.citation == Citation(NUMBER, article=2, clause=2))
    assert first.worst.code == "ok"


# --- one vocabulary ------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "doc_type", "issuer"), [
    ("32/2024/NĐ-CP", "Nghị định", "Chính phủ"),
    ("14/2024/TT-BCT", "Thông tư", "Bộ Công Thương"),
    ("57/2024/QH15", "Luật", "Quốc hội"),
    ("05/CT-TTg", "Chỉ thị", "Thủ tướng Chính phủ"),
    ("05/2020/L-CTN", "Lệnh", "Chủ tịch nước"),  # the header read "L" as Luật, the grammar as Lệnh
    ("366-QĐ/TW", "Quyết định", None),  # a party's number: the header found no type
    ("…/2026/QĐ-UBND", "Quyết định", None),  # a draft's "Số:" without its serial: the grammar found none
    ("1178/ĐCK-CTT", "Công văn", None),
    ("12/BB-SCT", "Biên bản", None),  # the header knew Biên bản, the grammar did not
    ("32/2024", None, None),
])
def test_type_and_issuer_from_number(number, doc_type, issuer):
    assert doctypes.doc_type_from_number(number) == doc_type
    assert doctypes.issuer_from_number(number) == issuer


def test_registry_is_consistent():
    types = doctypes.all_types()
    codes = [t.code for t in types if t.code]
    assert len({t.name for t in types}) == len(types) and len(set(codes)) == len(codes)
    assert {"Lệnh", "Hiến pháp", "Quy chế", "Nghị quyết liên tịch"} <= set(doctypes.NORMATIVE)
    assert "Văn bản hợp nhất" not in doctypes.NORMATIVE | doctypes.ADMINISTRATIVE
    with pytest.raises(ValueError, match="NĐ đã dùng cho Nghị định"):
        doctypes.register(DocType("Nghị định liên tịch", "NĐ"))


@pytest.mark.parametrize(("raw", "name"), [
    ("nghi-dinh", "Nghị định"), ("Nghi dinh", "Nghị định"), ("Thong tu", "Thông tư"), ("NĐ", "Nghị định"),
    ("nghị  định", "Nghị định"), ("Thông tư liên tịch", "Thông tư liên tịch"),
    ("Nghị định sửa đổi", None), ("Nghị quyết của Chính phủ", None), ("", None), (None, None),
])
def test_a_front_matter_type_is_read_through_the_registry(raw: str | None, name: str | None):
    """The wide corpus's front matter writes types as a crawler did ("nghi-dinh" in NĐ
    232/2026's, "Nghị định sửa đổi" in NĐ 148/2026's); a type the registry does not name gives
    None, and the số hiệu says the type (ingest/parse.py)."""
    assert doctypes.registered_name(raw) == name
