"""Validity from everything the sources say (issue 10, point 1): closing articles, front matter,
metadata tables, labels, Pháp điển manifests — on the real corpus, a few files per store."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ingest.runner import ingest_paths
from kb.lookup import document_row
from kb.model import Status
from kb.store import Store
from kb.validity import LABEL_ONLY, document_validity

TODAY = date(2026, 12, 5)


def _store(tmp_path: Path, files: list[Path]) -> Store:
    store = Store.at_home(tmp_path / "home")
    report = ingest_paths(store, files)
    assert report.failed == []
    return store


def _wide(wide_dir: Path, relative: str) -> Path:
    path = wide_dir / relative
    assert path.is_file(), path
    return path


def test_nd234_ends_nd112_by_text_and_front_matter(tmp_path, wide_dir):
    store = _store(tmp_path, [_wide(wide_dir, "lao-dong/234-2026-nd-cp-xu-ly-ky-luat-vien-chuc.md")])
    validity = document_validity(store, "112/2020/NĐ-CP", TODAY)
    assert validity.status == Status.REPEALED
    assert validity.since == date(2026, 7, 1)
    assert validity.replaced_by == ["234/2026/NĐ-CP"]
    sources = {e["confidence"]: e for e in validity.evidence}
    assert "hết hiệu lực thi hành kể từ ngày Nghị định này" in sources["text"]["evidence"]
    assert sources["text"]["file"].endswith("234-2026-nd-cp-xu-ly-ky-luat-vien-chuc.md")
    assert sources["front_matter"]["evidence"] == "van_ban_thay_the: 112/2020/NĐ-CP"
    # the note in parentheses names 71/2023 and 172/2025: neither is ended by 234/2026
    for other in ("71/2023/NĐ-CP", "172/2025/NĐ-CP"):
        assert document_validity(store, other, TODAY).replaced_by == []
    assert document_validity(store, "112/2020/NĐ-CP", date(2026, 6, 30)).status != Status.REPEALED
    row = document_row(store, store.document("112/2020/NĐ-CP"), TODAY)  # a row of `ccn docs --json`
    assert (row.status, row.since, row.replaced_by) == ("repealed", "2026-07-01", ["234/2026/NĐ-CP"])
    assert [e["confidence"] for e in row.status_evidence] == ["text", "front_matter"]


def test_nd158_ends_nd92(tmp_path, wide_dir):
    store = _store(tmp_path, [_wide(wide_dir, "tu-phap-thi-hanh-an/nghi-dinh-158-2026-nd-cp-tuong-tra-tu-phap.md")])
    validity = document_validity(store, "92/2008/NĐ-CP", TODAY)
    assert (validity.status, validity.since, validity.replaced_by) == (
        Status.REPEALED, date(2026, 7, 1), ["158/2026/NĐ-CP"])
    # Điều 24 is read now (the parser no longer loses Điều 2–24), and the front matter agrees
    assert [(e["confidence"], e["evidence"][:40]) for e in validity.evidence] == [
        ("text", "Nghị định số 92/2008/NĐ-CP ngày 22 tháng"), ("front_matter", "thay_the: Nghị định 92/2008/NĐ-CP")]


def test_tt91_whole_list_and_no_decree_replaced_by_a_circular(tmp_path, wide_dir):
    store = _store(tmp_path, [_wide(wide_dir, "thue/91-2026-tt-btc-hoa-don-dien-tu.md"),
                              _wide(wide_dir, "thue/254-2026-nd-cp-huong-dan-luat-quan-ly-thue-ve-hoa-don-dien-tu-chung-tu-dien-tu.md")])
    stated = {(r.kind, r.to_doc) for r in store.relations(from_doc="91/2026/TT-BTC")
              if r.confidence == "text" and r.to_article is None and r.kind != "cites"}
    assert {("replaces", "32/2025/TT-BTC"), ("notes_end", "123/2020/NĐ-CP"), ("notes_end", "70/2025/NĐ-CP")} <= stated
    tt32 = document_validity(store, "32/2025/TT-BTC", TODAY)
    assert (tt32.status, tt32.since, tt32.replaced_by) == (Status.REPEALED, date(2026, 7, 1), ["91/2026/TT-BTC"])
    nd123 = document_validity(store, "123/2020/NĐ-CP", TODAY)
    assert nd123.replaced_by == ["254/2026/NĐ-CP"]  # the decree that replaces it, not the circular
    assert document_validity(store, "70/2025/NĐ-CP", TODAY).replaced_by == []
    row = document_row(store, store.document("70/2025/NĐ-CP"), TODAY)
    assert "91/2026/TT-BTC" not in row.replaced_by


@pytest.mark.parametrize(("relative", "amended", "repealed"), [
    ("giao-thong-van-tai/236-2026-nd-cp-sua-doi-nd-151-2024-atgt.md", "151/2024/NĐ-CP", (18, None, None)),
    ("giao-thong-van-tai/241-2026-nd-cp-sua-doi-nd-165-2024-luat-duong-bo.md", "165/2024/NĐ-CP", (17, 1, "d")),
])
def test_partial_repeal_is_not_a_replacement(tmp_path, wide_dir, relative, amended, repealed):
    store = _store(tmp_path, [_wide(wide_dir, relative)])
    validity = document_validity(store, amended, TODAY)
    assert validity.status != Status.REPEALED and validity.replaced_by == []
    assert document_row(store, store.document(amended), TODAY).replaced_by == []
    provisions = {(r.to_article, r.to_clause, r.to_point) for r in store.relations(to_doc=amended)
                  if r.kind == "repeals"}
    assert repealed in provisions
    partial = [r for r in store.relations(to_doc=amended) if r.confidence == "front_matter"]
    assert [(r.kind, r.evidence) for r in partial] == [("amends", f"thay_the: {amended} (một phần)")]


def test_luat_dau_tu_2020_not_plain_in_force(tmp_path, wide_dir, ccn_dir):
    store = _store(tmp_path, [_wide(wide_dir, "thuong-mai-dau-tu-chung-khoan/dau-tu.md"), ccn_dir / "ND-96-2026-ND-CP.md"])
    validity = document_validity(store, "61/2020/QH14", TODAY)
    assert validity.status == Status.UNKNOWN
    assert "143/2025/QH15" in validity.note and "96/2026/NĐ-CP" in validity.note
    label = [e for e in validity.evidence if e["confidence"] == "label"]
    assert label and label[0]["evidence"].startswith("Trạng thái: Còn hiệu lực") and label[0]["since"] == "2026-05-29"


def test_hoa_chat_documents(tmp_path, wide_dir):
    store = _store(tmp_path, [_wide(wide_dir, "cong-nghiep/hoa-chat.md"),
                              _wide(wide_dir, "hoa-chat/nghi-dinh-26-2026-nd-cp-hoa-chat-nguyen-hiem-san-pham-hang-hoa.md"),
                              _wide(wide_dir, "cong-nghiep/nghi-dinh-275-2026-nd-cp-xu-phat-hoa-chat-vat-lieu-no-cong-nghiep.md")])
    nd113 = document_validity(store, "113/2017/NĐ-CP", TODAY)
    assert (nd113.status, nd113.since, nd113.replaced_by) == (Status.REPEALED, date(2026, 1, 17), ["26/2026/NĐ-CP"])
    assert document_validity(store, "82/2022/NĐ-CP", TODAY).replaced_by == ["26/2026/NĐ-CP"]
    law = document_validity(store, "06/2007/QH12", TODAY)
    assert law.status == Status.UNKNOWN and "69/2025/QH15" in law.note
    guiding = document_validity(store, "32/2017/TT-BCT", TODAY)
    assert guiding.status == Status.UNKNOWN and "113/2017/NĐ-CP" in guiding.note
    assert document_validity(store, "113/2017/NĐ-CP", date(2025, 12, 31)).status == Status.IN_FORCE


def test_khuyen_cong_circulars_unknown_from_stale_compilation(tmp_path, ccn_dir, wide_dir):
    copy = tmp_path / "wide-copy" / "khuyen-cong.md"  # the same compilation, without a manifest
    copy.parent.mkdir()
    shutil.copy(_wide(wide_dir, "cong-nghiep/khuyen-cong.md"), copy)
    store = _store(tmp_path, [ccn_dir / "PHAPDIEN-DeMuc-Khuyen-cong.md", copy])
    for number in ("46/2012/TT-BCT", "36/2013/TT-BCT", "26/2014/TTLT-BTC-BCT"):
        validity = document_validity(store, number, TODAY)
        assert validity.status == Status.UNKNOWN, number
        assert "chưa được cập nhật" in validity.note and "235/2025/NĐ-CP" in validity.note


def test_label_only_status_says_so(tmp_path):
    """A status resting only on a source's label (no hiệu lực article read from the text)."""
    text = ("---\nso_hieu: 99/2026/TT-BCT\nloai_van_ban: Thông tư\nngay_hieu_luc: 2026-07-01\n"
            "trang_thai: Còn hiệu lực\nlastedit: 2026-06-30\n---\n\n# Thông tư 99/2026/TT-BCT\n\n"
            "Điều 1. Phạm vi điều chỉnh\n\nThông tư này quy định về một việc.\n")
    path = tmp_path / "label.md"
    path.write_text(text, encoding="utf-8")
    store = _store(tmp_path, [path])
    validity = document_validity(store, "99/2026/TT-BCT", TODAY)
    assert validity.status == Status.UNKNOWN
    assert LABEL_ONLY in validity.note and "Còn hiệu lực" in validity.note and "2026-06-30" in validity.note


def test_relation_confidence_column_migrated(tmp_path):
    from sqlalchemy import inspect

    store = Store.at_home(tmp_path / "home")
    with store.engine.connect() as conn:
        assert "confidence" in {c["name"] for c in inspect(conn).get_columns("relations")}


def _body_only(tmp_path: Path, wide_dir: Path, relative: str) -> Path:
    """A copy of a wide file with its front matter and metadata table stripped, as
    `python -m eval.relations_recall --body-only` strips them: only the body text speaks."""
    from eval.relations_recall import strip_metadata

    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    shutil.copy(_wide(wide_dir, relative), source / Path(relative).name)
    strip_metadata(source, tmp_path / "body")
    return tmp_path / "body" / Path(relative).name


def test_nd158_body_only_ends_nd92(tmp_path, wide_dir):
    """The OCR line "Điều 28. , Điều 30, …" (a list wrapped to a line's start) is not a heading, so
    Điều 2–24 are read; the header after the crawler's title gives the issue date."""
    path = _body_only(tmp_path, wide_dir, "tu-phap-thi-hanh-an/nghi-dinh-158-2026-nd-cp-tuong-tra-tu-phap.md")
    store = _store(tmp_path, [path])
    doc = store.document("158/2026/NĐ-CP")
    assert (doc.issued, doc.effective, doc.issuer) == (date(2026, 5, 15), date(2026, 7, 1), "Chính phủ")
    articles = [r.article for r in store.provisions("158/2026/NĐ-CP", "dieu")]
    assert articles == [1, 2, 3, 4, *range(6, 25)]  # Điều 5 is quoted in Điều 4 (“Điều 5. …”)
    validity = document_validity(store, "92/2008/NĐ-CP", TODAY)
    assert (validity.status, validity.since, validity.replaced_by) == (
        Status.REPEALED, date(2026, 7, 1), ["158/2026/NĐ-CP"])
    assert [e["confidence"] for e in validity.evidence] == ["text"]
    assert "không áp dụng với tương trợ tư pháp về dân sự" in validity.evidence[0]["evidence"]


def test_from_signing_body_only_issue_date_from_header(tmp_path, wide_dir):
    """TT 97/2026: "có hiệu lực thi hành kể từ ngày ký ban hành", signed "Hà Nội, ngày 06 tháng 7
    năm 2026" (header line kept in the body); "Bãi bỏ toàn bộ Thông tư số 55/2010/TT-BTC" read."""
    path = _body_only(tmp_path, wide_dir, "tai-chinh/thong-tu-97-2026-tt-btc-bai-bo-tt-55-2010.md")
    store = _store(tmp_path, [path])
    assert store.document("97/2026/TT-BTC").effective == date(2026, 7, 6)
    validity = document_validity(store, "55/2010/TT-BTC", TODAY)
    assert (validity.status, validity.since, validity.replaced_by) == (
        Status.REPEALED, date(2026, 7, 6), ["97/2026/TT-BTC"])
    assert validity.evidence[0]["evidence"].startswith("Bãi bỏ toàn bộ Thông tư số 55/2010/TT-BTC")
    assert document_validity(store, "55/2010/TT-BTC", date(2026, 7, 5)).status != Status.REPEALED


def test_from_signing_body_only_without_issue_date(tmp_path, wide_dir):
    """NĐ 125/2026 without its metadata has no date of signing anywhere: the replacement of NĐ
    109/2022 is still recorded, since a date shown as unknown (it was signed before it was held)."""
    path = _body_only(tmp_path, wide_dir,
                      "khoa-hoc-cong-nghe/nghi-dinh-125-2026-nd-cp-hoat-dong-khcn-dmst-trong-cs-giao-duc-dai-hoc.md")
    store = _store(tmp_path, [path])
    doc = store.document("125/2026/NĐ-CP")
    assert doc.issued is None and doc.effective is None
    held = date.today()  # an undated replacement counts from the day its text is held (ingested here)
    validity = document_validity(store, "109/2022/NĐ-CP", held)
    assert (validity.status, validity.since, validity.replaced_by) == (Status.REPEALED, None, ["125/2026/NĐ-CP"])
    assert "ngày ký chưa xác định" in validity.note
    assert "hết hiệu lực kể từ ngày Nghị định này có hiệu lực" in validity.evidence[0]["evidence"]
    row = document_row(store, store.document("109/2022/NĐ-CP"), held)
    assert (row.status, row.since, row.replaced_by) == ("repealed", None, ["125/2026/NĐ-CP"])


def test_number_with_space_after_hyphen_read_whole(tmp_path, wide_dir):
    """"Nghị định số 64/2014/NĐ- CP … hết hiệu lực kể từ ngày Nghị định này có hiệu lực thi hành"
    (NĐ 154/2026 Điều 44) ends NĐ 64/2014/NĐ-CP, not a "64/2014/NĐ"."""
    store = _store(tmp_path, [_wide(wide_dir, "hanh-chinh-tu-phap/nghi-dinh-154-2026-nd-cp-tiep-cong-dan.md")])
    targets = {r.to_doc for r in store.relations(from_doc="154/2026/NĐ-CP")}
    assert "64/2014/NĐ-CP" in targets and "64/2014/NĐ" not in targets
    validity = document_validity(store, "64/2014/NĐ-CP", TODAY)
    assert (validity.status, validity.since, validity.replaced_by) == (
        Status.REPEALED, date(2026, 7, 1), ["154/2026/NĐ-CP"])
