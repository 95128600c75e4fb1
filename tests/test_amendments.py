"""An amending decree added to the store changes the validity and wording of what it amends.

The corpus lacks the real amending decree of NĐ 32/2024 (NĐ 303/2026 could not be obtained), so
this test writes its own: a decree with a deliberately impossible number (9999/2026/NĐ-CP), used
only here, never shipped as data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.runner import ingest_paths
from kb import lookup
from kb.model import Status
from kb.store import Store

AMENDING = "9999/2026/NĐ-CP"
def amending_decree(number: str, changes: str) -> str:
    """A test decree (written here, not a real text) amending NĐ 32/2024 from 15/9/2026: its
    Điều 1 lists `changes`, in the numbered form of the real amending decrees."""
    return f"""CHÍNH PHỦ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: {number}
Hà Nội, ngày 01 tháng 8 năm 2026
NGHỊ ĐỊNH
Sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của Chính phủ về quản lý, phát triển cụm công nghiệp
Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;
Chính phủ ban hành Nghị định sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP.
Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 32/2024/NĐ-CP
{changes}Điều 2. Hiệu lực thi hành
Nghị định này có hiệu lực thi hành từ ngày 15 tháng 9 năm 2026.
Nơi nhận:
- Như trên;
TM. CHÍNH PHỦ
THỦ TƯỚNG
"""


AMENDING_TEXT = amending_decree(AMENDING, """1. Sửa đổi, bổ sung điểm c khoản 2 Điều 8 như sau:
“c) Đạt tỷ lệ lấp đầy ít nhất 50% hoặc nhu cầu thuê đất công nghiệp vượt quá diện tích đất công nghiệp hiện có;”
2. Bãi bỏ khoản 2 Điều 9.
3. Sửa đổi, bổ sung khoản 3 Điều 2 như sau:
“3. Chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp là doanh nghiệp, hợp tác xã.”.
4. Bổ sung khoản 3 vào sau khoản 2 Điều 8 như sau:
“3. Tỷ lệ lấp đầy quy định tại điểm c khoản 1 Điều này được tính trên địa bàn cấp tỉnh.”.
5. Thay thế cụm từ “Sở Kế hoạch và Đầu tư” bằng cụm từ “Sở Tài chính” tại khoản 2 Điều 13.
6. Bổ sung khoản 4a vào sau khoản 4 Điều 14 như sau:
“4a. Nội dung bổ sung của văn bản thử nghiệm.”.
""")


@pytest.fixture(scope="module")
def amended_store(tmp_path_factory, ccn_dir: Path) -> Store:
    home = tmp_path_factory.mktemp("kb-amend")
    store = Store.at_home(home)
    amending = home / "nd-sua-doi.txt"
    amending.write_text(AMENDING_TEXT, encoding="utf-8")
    report = ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx", amending])
    assert report.failed == []
    return store


POINT = "điểm c khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"


def test_amended_point_before_and_after(amended_store: Store):
    before = lookup.show(amended_store, POINT, date(2026, 9, 14))
    after = lookup.show(amended_store, POINT, date(2026, 9, 15))
    assert before["text"].startswith("c) Đạt tỷ lệ lấp đầy ít nhất 60%")
    assert after["text"].startswith("c) Đạt tỷ lệ lấp đầy ít nhất 50%")
    assert after["status"] == Status.IN_FORCE.value
    assert AMENDING in after["validity"]["note"]
    assert [v["valid_from"] for v in after["versions"]] == ["2024-05-01", "2026-09-15"]
    assert after["versions"][0]["valid_to"] == "2026-09-15"
    assert {r["from_doc"] for r in after["relations"]["amended_by"]} == {AMENDING}


def test_repealed_clause(amended_store: Store):
    clause = "khoản 2 Điều 9 Nghị định số 32/2024/NĐ-CP"
    assert lookup.show(amended_store, clause, date(2026, 1, 1))["status"] == Status.IN_FORCE.value
    after = lookup.show(amended_store, clause, date(2026, 10, 1))
    assert after["status"] == Status.REPEALED.value
    assert after["validity"]["replaced_by"] == [AMENDING]


def test_amending_document_metadata(amended_store: Store):
    doc = amended_store.document(AMENDING)
    assert doc.effective == date(2026, 9, 15)
    kinds = {(r.kind, r.to_doc, r.to_article) for r in amended_store.relations(from_doc=AMENDING)}
    assert ("amends", "32/2024/NĐ-CP", None) in kinds
    assert ("amends", "32/2024/NĐ-CP", 8) in kinds
    assert ("repeals", "32/2024/NĐ-CP", 9) in kinds
    # The amended decree as a whole stays in force.
    rows = {r.doc: r for r in lookup.document_rows(amended_store, date(2026, 10, 1))}
    assert rows["32/2024/NĐ-CP"].status == Status.IN_FORCE.value


def test_search_results_carry_amendment_notes(amended_store: Store, tmp_path_factory):
    from retrieval.build import build_indexes, open_searcher
    from retrieval.search import Filters
    from retrieval.settings import preset

    home = tmp_path_factory.mktemp("amend-index")
    build_indexes(amended_store, home, dense="none")
    searcher = open_searcher(amended_store, home, preset("bm25"))
    result = searcher.search("khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP", filters=Filters(as_of=date(2026, 10, 1)))
    assert f"điểm c khoản 2 Điều 8 được sửa đổi, bổ sung bởi {AMENDING}" in result.hits[0].notes


def test_new_wording_without_the_closing_quote(amended_store: Store):
    """Real amending texts close the quote and the sentence: “…”. — neither is the provision's."""
    after = lookup.show(amended_store, "khoản 3 Điều 2 Nghị định số 32/2024/NĐ-CP", date(2026, 10, 1))
    assert after["text"] == "3. Chủ đầu tư xây dựng hạ tầng kỹ thuật cụm công nghiệp là doanh nghiệp, hợp tác xã."


def test_added_clause_exists_from_the_amending_date(amended_store: Store):
    """"Bổ sung khoản 3 vào sau khoản 2 Điều 8": khoản 3 is new; khoản 2 (the anchor) is untouched."""
    added = "khoản 3 Điều 8 Nghị định số 32/2024/NĐ-CP"
    before = lookup.show(amended_store, added, date(2026, 9, 14))
    assert before["found"] and before["status"] == Status.NOT_YET.value and before["text"] == ""
    after = lookup.show(amended_store, added, date(2026, 9, 15))
    assert after["status"] == Status.IN_FORCE.value
    assert after["text"] == ("3. Tỷ lệ lấp đầy quy định tại điểm c khoản 1 Điều này được tính trên "
                             "địa bàn cấp tỉnh.")
    assert [v["valid_from"] for v in after["versions"]] == ["2026-09-15"]
    assert after["validity"]["note"] == f"được bổ sung bởi {AMENDING} từ 15/09/2026"
    printed = lookup.format_show(after)  # `ccn show`
    assert printed.startswith("khoản 3 Điều 8 Nghị định số 32/2024/NĐ-CP") and f"Được sửa đổi bởi: {AMENDING}" in printed
    anchor = lookup.show(amended_store, "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP", date(2026, 10, 1))
    assert anchor["text"].startswith("2. Mở rộng cụm công nghiệp phải đáp ứng các điều kiện sau:")
    assert lookup.show(amended_store, "khoản 4 Điều 8 Nghị định số 32/2024/NĐ-CP", date(2026, 10, 1))["found"] is False


def test_words_replaced(amended_store: Store):
    clause = "khoản 2 Điều 13 Nghị định số 32/2024/NĐ-CP"
    before = lookup.show(amended_store, clause, date(2026, 9, 14))["text"]
    after = lookup.show(amended_store, clause, date(2026, 9, 15))
    assert "Sở Kế hoạch và Đầu tư" in before and "Sở Kế hoạch và Đầu tư" not in after["text"]
    assert after["text"] == before.replace("Sở Kế hoạch và Đầu tư", "Sở Tài chính")
    assert after["versions"][-1]["note"] == "thay thế cụm từ «Sở Kế hoạch và Đầu tư» bằng cụm từ «Sở Tài chính»"
    # the other clauses of Điều 13 keep their wording
    first = lookup.show(amended_store, "khoản 1 Điều 13 Nghị định số 32/2024/NĐ-CP", date(2026, 10, 1))
    assert len(first["versions"]) == 1


def test_added_lettered_clause_is_not_its_anchor(amended_store: Store):
    """"Bổ sung khoản 4a vào sau khoản 4 Điều 14": a khoản 4a has no address here; Điều 14 is
    marked amended ("xem văn bản sửa đổi") and neither it nor khoản 4 takes the new wording."""
    at = date(2026, 10, 1)
    article = lookup.show(amended_store, "Điều 14 Nghị định số 32/2024/NĐ-CP", at)
    assert article["text"].startswith("Điều 14. Trình tự đầu tư xây dựng hạ tầng kỹ thuật")
    assert "xem văn bản sửa đổi" in article["versions"][-1]["note"]
    clause = lookup.show(amended_store, "khoản 4 Điều 14 Nghị định số 32/2024/NĐ-CP", at)
    assert clause["text"].startswith("4. Tổ chức thi công xây dựng")
    assert "4a." not in clause["text"]
