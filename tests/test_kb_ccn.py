"""The knowledge base built from the real ccn corpus: structure, metadata, validity, relations."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ingest.parse import parse
from ingest.readers import read
from kb import lookup
from kb.model import Citation, Kind, Status
from kb.store import Store
from kb.validity import document_validity

ND32 = "32/2024/NĐ-CP"


def _articles(store: Store, key: str, part: str | None = None) -> list[int]:
    rows = store.provisions(key, kind=Kind.ARTICLE.value)
    return [r.article for r in rows if r.part == part and r.annex is None]


def test_nd32_structure_and_dates(ccn_store: Store):
    doc = ccn_store.document(ND32)
    assert doc.doc_type == "Nghị định" and doc.issuer == "Chính phủ"
    assert doc.issued == date(2024, 3, 15)
    assert doc.effective == date(2024, 5, 1)
    assert _articles(ccn_store, ND32) == list(range(1, 39))
    chapters = ccn_store.provisions(ND32, kind=Kind.CHAPTER.value)
    assert [c.label for c in chapters] == [f"Chương {n}" for n in ["I", "II", "III", "IV", "V", "VI", "VII"]]
    assert doc.title == "Về quản lý, phát triển cụm công nghiệp"
    assert ccn_store.provision(Citation(ND32, article=2)).title == "Giải thích từ ngữ"


def test_nd32_replaces_68_2017_and_66_2020(ccn_store: Store):
    rows = {r.doc: r for r in lookup.document_rows(ccn_store, date(2026, 11, 28))}
    assert rows[ND32].replaces == ["66/2020/NĐ-CP", "68/2017/NĐ-CP"]
    stub = rows["68/2017/NĐ-CP"]
    assert stub.in_store is False
    assert stub.status == Status.REPEALED.value
    assert stub.replaced_by == [ND32]
    validity = document_validity(ccn_store, "68/2017/NĐ-CP", date(2024, 4, 30))
    assert validity.status == Status.UNKNOWN  # before 01/5/2024 the store knows nothing more
    validity = document_validity(ccn_store, "68/2017/NĐ-CP", date(2024, 5, 1))
    assert validity.since == date(2024, 5, 1) and validity.replaced_by == [ND32]
    assert ccn_store.document("68/2017/NĐ-CP").issued == date(2017, 5, 25)


def test_show_point_exact_text(ccn_store: Store):
    result = lookup.show(ccn_store, "điểm c khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP", date(2026, 11, 28))
    assert result["found"]
    assert result["citation"] == {"doc": ND32, "part": None, "annex": None, "article": 8, "clause": 2, "point": "c"}
    assert result["citation_text"] == "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"
    assert result["text"] == (
        "c) Đạt tỷ lệ lấp đầy ít nhất 60% hoặc nhu cầu thuê đất công nghiệp trong cụm công nghiệp "
        "vượt quá diện tích đất công nghiệp hiện có của cụm công nghiệp;"
    )
    assert result["status"] == Status.IN_FORCE.value
    assert result["doc_title"] == "Về quản lý, phát triển cụm công nghiệp"


def test_show_before_effective_date(ccn_store: Store):
    result = lookup.show(ccn_store, "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP", date(2024, 1, 1))
    assert result["status"] == Status.NOT_YET.value


def test_nd32_docx_and_txt_give_the_same_provisions(ccn_dir: Path):
    def provisions(name: str) -> list[tuple]:
        (doc,) = parse(read(ccn_dir / name))
        return [(p.citation, p.kind, p.text) for p in doc.all_provisions()]

    from_docx, from_txt = provisions("ND-32-2024-ND-CP.docx"), provisions("ND-32-2024-ND-CP.txt")
    assert len(from_docx) == 244  # 7 chương, 38 Điều and their khoản and điểm
    assert from_docx == from_txt


def test_tt14_articles_annexes_and_repeal(ccn_store: Store):
    key = "14/2024/TT-BCT"
    assert _articles(ccn_store, key) == [1, 2, 3, 4, 5, 6]
    annexes = [r.annex for r in ccn_store.provisions(key, kind=Kind.ANNEX.value)]
    assert annexes == ["I", "II"]
    rows = {r.doc: r for r in lookup.document_rows(ccn_store, date(2026, 11, 28))}
    assert rows[key].replaces == ["28/2020/TT-BCT"]
    assert rows[key].effective == "2024-10-01"


def test_qd16_decision_and_regulation_numbered_apart(ccn_store: Store):
    key = "16/2026/QĐ-UBND"
    assert _articles(ccn_store, key) == [1, 2, 3]
    assert _articles(ccn_store, key, part="Quy chế") == list(range(1, 31))
    doc = ccn_store.document(key)
    assert doc.issued == date(2026, 2, 25) and doc.effective == date(2026, 3, 7)
    page_number = re.compile(r"(^|\n)\s*\d{1,3}\s*(\n|$)")
    for row in ccn_store.provisions(key):
        assert not page_number.search(row.text), (row.label, row.text[:200])
    regulation_art1 = ccn_store.provision(Citation(key, "Quy chế", None, 1))
    assert regulation_art1.title == "Phạm vi điều chỉnh và đối tượng áp dụng"
    decision_art1 = ccn_store.provision(Citation(key, None, None, 1))
    assert decision_art1.text.startswith("Điều 1. Ban hành kèm theo Quyết định này Quy chế")


def test_qd130_charter(ccn_store: Store):
    key = "130/QĐ-CTĐP"
    assert _articles(ccn_store, key) == [1, 2, 3, 4]
    clauses = [r for r in ccn_store.provisions(key, kind=Kind.CLAUSE.value) if r.article == 2]
    assert [r.clause for r in clauses] == list(range(1, 11))
    doc = ccn_store.document(key)
    assert doc.issued == date(2022, 12, 27) and doc.effective == date(2022, 12, 27)


def test_cv1178_letter_from_pdf(ccn_dir: Path):
    (doc,) = parse(read(ccn_dir / "CV-1178-DCK-CTT-2025.pdf"))
    assert doc.number == "1178/ĐCK-CTT"
    assert doc.doc_type == "Công văn"
    assert doc.issued == date(2025, 7, 9)
    assert doc.subject == "hướng dẫn về công tác quản lý, phát triển cụm công nghiệp theo địa giới hành chính mới"
    assert doc.recipients == ["Sở Công Thương tỉnh Lào Cai"]
    body = doc.provisions[0]
    assert [c.label for c in body.children] == ["mục 1", "mục 2"]
    everything = "\n".join(p.text for p in doc.all_provisions()) + doc.subject + doc.title
    for artefact in ("ƣ", "Ƣ", "HÕA", "Hõa"):
        assert artefact not in everything
    assert "Nghị định số 139/2025/NĐ-CP" in body.text
    assert doc.signer == "Nguyễn Văn Thịnh"


def test_cv1178_cites_nd32_point(ccn_store: Store):
    cited_by = [r for r in ccn_store.relations(to_doc=ND32) if r.kind == "cites" and r.from_doc == "1178/ĐCK-CTT"]
    assert any((r.to_article, r.to_clause, r.to_point) == (8, 1, "c") for r in cited_by)


def test_cross_reference_inside_nd32(ccn_store: Store):
    result = lookup.show(ccn_store, "khoản 1 Điều 12 Nghị định 32/2024/NĐ-CP", date(2026, 11, 28))
    cited_by = result["relations"]["cited_by"]
    assert any(r["from_doc"] == ND32 and "Điều 35" in r["evidence"] or r["from_doc"] == ND32 for r in cited_by)


def test_nd139_lists_point_to_nd32(ccn_store: Store):
    """"… điểm c khoản 1 Điều 8; … khoản 3 Điều 34 Nghị định số 32/2024/NĐ-CP": the list is NĐ 32's."""
    cites = {(r.to_article, r.to_clause, r.to_point) for r in ccn_store.relations(from_doc="139/2025/NĐ-CP")
             if r.kind == "cites" and r.to_doc == ND32}
    assert {(8, 1, "c"), (34, 1, None), (34, 3, None)} <= cites
    own = {(r.to_article) for r in ccn_store.relations(from_doc="139/2025/NĐ-CP")
           if r.kind == "cites" and r.to_doc == "139/2025/NĐ-CP"}
    assert 34 not in own  # NĐ 139/2025 has 22 Điều: "Điều 34" there is never its own


def test_chi_thi_numbered_tasks(ccn_store: Store):
    rows = ccn_store.provisions("07/CT-TTg")
    assert [r.label for r in rows] == ["nội dung"] + [f"mục {n}" for n in range(1, 10)]
    assert rows[1].text.startswith("1. Bộ Kế hoạch và Đầu tư")


def test_forms_inside_annexes_stay_inside(ccn_store: Store):
    """TT 14's Phụ lục II quotes a model Quyết định with its Quy chế; NĐ 30's Phụ lục III quotes
    "Phụ lục …1..." of a model letter: neither becomes a part or an annex of its own."""
    tt14 = ccn_store.provisions("14/2024/TT-BCT")
    assert [r for r in tt14 if r.part is not None] == []
    annexes = [r.annex for r in ccn_store.provisions("30/2020/NĐ-CP", kind=Kind.ANNEX.value)]
    assert annexes == ["I", "II", "III", "IV", "V", "VI"]


def test_nd96_annexes_read_through_ocr_noise(ccn_dir: Path):
    """NĐ 96/2026's file (OCR'd) heads its annexes ": Phụ lục I" and ". Phụ lục H", prints Mục II
    of each Danh mục as "H." and Mục III as "II.", and Danh mục B's Mục I as "1.": read as the
    decree numbers them, Phụ lục II, Phần A / B, Mục III."""
    (doc,) = parse(read(ccn_dir / "ND-96-2026-ND-CP.md"))
    annexes = [p for p in doc.provisions if p.kind == Kind.ANNEX]
    assert [a.label for a in annexes] == ["Phụ lục I", "Phụ lục II"]
    items = {n.label: n for s in annexes[1].children for n in s.children}
    assert "cụm công nghiệp" in items["Phần A, Mục III.6"].text  # đặc biệt ưu đãi: hạ tầng CCN
    assert items["Phần B, Mục III.1"].text == "1. Xây dựng, phát triển hạ tầng cụm công nghiệp."
    assert [s.title[:16] for s in annexes[1].children] == [
        "A. NGÀNH, NGHÈ Đ", "I. CÔNG NGHỆ CAO", "II. NÔNG NGHIỆP", "III. BẢO VỆ MÔI ", "IV. VĂN HÓA, XÃ ",
        "V. DỰ ÁN KHÁC", "B. NGÀNH, NGHÈ Ư", "I. KHOA HỌC CÔNG", "II. NÔNG NGHIỆP", "III. BẢO VỆ MÔI ",
        "IV. GIÁO DỤC, VĂ", "V. NGÀNH, NGHỀ K"]


def test_show_an_annex_item_as_search_renders_it(ccn_store: Store):
    """An annex item cited as the search and the letters write it is that item, not its whole
    Phụ lục; a form listed first in its annex's list of forms is shown as the form itself."""
    at = date(2026, 12, 7)
    shown = {q: lookup.show(ccn_store, q, at) for q in (
        "Biểu số 04 Phụ lục I Thông tư số 14/2024/TT-BCT", "Biểu số 4 Thông tư 14/2024/TT-BCT",
        "mục I.7 Phụ lục I Nghị định số 30/2020/NĐ-CP", "mục II.4.b Phụ lục I Nghị định 30/2020/NĐ-CP",
        "Mẫu số 02 Phụ lục II Thông tư số 14/2024/TT-BCT")}
    texts = {q: (r["citation_text"], r["text"].split("\n")[0]) for q, r in shown.items()}
    assert list(texts.values()) == [
        ("Biểu số 04 Phụ lục I Thông tư số 14/2024/TT-BCT",
         "Biểu số 04. Tổng hợp tình hình cụm công nghiệp trên địa bàn cấp tỉnh"),
        ("Biểu số 04 Phụ lục I Thông tư số 14/2024/TT-BCT",
         "Biểu số 04. Tổng hợp tình hình cụm công nghiệp trên địa bàn cấp tỉnh"),
        ("mục I.7 Phụ lục I Nghị định số 30/2020/NĐ-CP",
         "7. Số trang văn bản: Được đánh từ số 1, bằng chữ số Ả Rập, cỡ chữ 13 đến 14, kiểu chữ đứng, được "
         "đặt canh giữa theo chiều ngang trong phần lề trên của văn bản, không hiển thị số trang thứ nhất."),
        ("mục II.4 Phụ lục I Nghị định số 30/2020/NĐ-CP", "4. Địa danh và thời gian ban hành văn bản"),
        ("Mẫu số 02 Phụ lục II Thông tư số 14/2024/TT-BCT", "Mẫu số 02"),
    ], texts
    assert "Quyết định thành lập" in shown["Mẫu số 02 Phụ lục II Thông tư số 14/2024/TT-BCT"]["text"]
    missing = lookup.show(ccn_store, "Biểu số 09 Phụ lục I Thông tư số 14/2024/TT-BCT", at)
    assert not missing["found"] and missing["warnings"] == [
        "không có Biểu số 09 Phụ lục I Thông tư số 14/2024/TT-BCT trong kho dữ liệu"]
    whole = lookup.show(ccn_store, "Thông tư 14/2024/TT-BCT", at)
    assert not whole["found"] and whole["warnings"] == [
        "Thông tư số 14/2024/TT-BCT có trong kho dữ liệu; hãy nêu Điều, khoản, điểm hoặc Phụ lục, mục, Biểu, "
        "Mẫu cần xem"]
