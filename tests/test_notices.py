"""Notices (ingest.notices): documents known to change the law whose text is not held, and the
reorganisation of state bodies, on the real corpus with ../shared/corpus/notices ingested.

NĐ 303/2026/NĐ-CP (in force 15/9/2026) amends Điều 8 … of NĐ 32/2024 and ends Điều 6, 11, 12
of NĐ 139/2025; TT 38/2025/TT-BCT amends TT 14/2024 (provisions unknown); institutions-2025
says which bodies were merged or abolished. The supersession test writes its own notice and
amending text, with an impossible number (9998/2026/NĐ-CP), only in a temporary folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import NOTICES, home_with, store_copy
from test_amendments import amending_decree

from answers.answer import NOT_CURRENT, Answerer
from drafting.assemble import assemble
from drafting.checker import check_file
from drafting.spec import load_spec
from ingest.runner import ingest_paths
from kb import lookup
from kb.model import Status
from kb.store import Store
from retrieval.build import open_searcher

FIXTURES = Path(__file__).parent / "fixtures" / "check"
ND32, ND139, ND303 = "32/2024/NĐ-CP", "139/2025/NĐ-CP", "303/2026/NĐ-CP"
K1_D8 = "khoản 1 Điều 8 Nghị định 32/2024/NĐ-CP"
STATEMENT = ("Điều 8 đã được sửa đổi bởi Nghị định số 303/2026/NĐ-CP từ 15/9/2026 (theo thông báo: nguồn "
             "thứ cấp, chưa đối chiếu văn bản gốc); toàn văn sửa đổi chưa có trong cơ sở tri thức — nội dung "
             "dưới đây là bản trước khi sửa đổi")
TODAY, BEFORE = date(2026, 12, 5), date(2026, 9, 1)


@pytest.fixture(scope="module")
def notice_store(tmp_path_factory, ccn_store: Store) -> Store:
    """A copy of the session's ccn store with the notices ingested."""
    store = store_copy(ccn_store, tmp_path_factory.mktemp("kb-notices"))
    report = ingest_paths(store, [NOTICES])
    assert report.failed == []
    assert sum(1 for name in report.ingested if name.endswith(".yaml")) == 3
    return store


@pytest.fixture(scope="module")
def notice_answerer(search_home, tmp_path_factory) -> Answerer:
    """The search home (ccn corpus, indexed) copied, with the notices ingested into the copy."""
    store, home = home_with(search_home, tmp_path_factory, NOTICES)
    return Answerer(store, open_searcher(store, home))


# --- the stub documents --------------------------------------------------------------------------


def test_notice_documents_are_known_without_text(notice_store: Store):
    rows = {r.doc: r for r in lookup.document_rows(notice_store, TODAY)}
    nd303 = rows[ND303]
    assert (nd303.type, nd303.issuer, nd303.issued, nd303.effective) == (
        "Nghị định", "Chính phủ", "2026-08-01", "2026-09-15")
    assert (nd303.source, nd303.in_store, nd303.articles) == ("notice", False, 0)
    assert rows["38/2025/TT-BCT"].source == "notice"
    assert rows[ND32].source == "text"
    front = notice_store.document(ND303).meta["front_matter"]
    assert front["confidence"] == "secondary" and front["source"].startswith("working summary")


def test_tt14_shows_its_amendment_by_tt38(notice_store: Store):
    rows = {r.doc: r for r in lookup.document_rows(notice_store, TODAY)}
    note = "có văn bản sửa đổi: 38/2025/TT-BCT (từ 01/7/2025; điều khoản sửa đổi chưa rõ)"
    assert rows["14/2024/TT-BCT"].amendment_notes == [note]
    assert lookup.document_rows(notice_store, date(2025, 6, 30))[0] is not None
    early = {r.doc: r for r in lookup.document_rows(notice_store, date(2025, 6, 30))}
    assert early["14/2024/TT-BCT"].amendment_notes == []
    shown = lookup.show(notice_store, "khoản 1 Điều 3 Thông tư 14/2024/TT-BCT", TODAY)
    assert note in shown["notes"]


# --- an amended provision whose new wording is not held ------------------------------------------


def test_show_states_the_amendment_and_is_not_plain_in_force(notice_store: Store):
    home = Path(notice_store.url.removeprefix("sqlite:///")).parent
    run = subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), "show", K1_D8,
                          "--as-of", "2026-12-05", "--json"], capture_output=True, text=True, encoding="utf-8",
                         timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["status"] == "amended_text_missing" != "in_force"
    assert shown["status_text"] == "Đã được sửa đổi (chưa có toàn văn sửa đổi)"
    assert shown["validity"]["note"] == STATEMENT
    assert shown["validity"]["since"] == "2026-09-15"
    assert shown["text"].startswith("1. Thành lập cụm công nghiệp phải đáp ứng các điều kiện sau:")
    last = shown["versions"][-1]
    assert (last["source_doc"], last["valid_from"], last["text_missing"]) == (ND303, "2026-09-15", True)
    assert [r["from_doc"] for r in shown["relations"]["amended_by"]] == [ND303]
    # a reported change is orientation only, labelled so, never the quoted text
    assert shown["reported_changes"] and all(r.startswith("Thông tin tham khảo, chưa kiểm chứng")
                                             for r in shown["reported_changes"])
    assert "50 %" not in shown["text"]


def test_before_the_notice_date_nothing_changes(notice_store: Store, ccn_store: Store):
    with_notices = lookup.show(notice_store, K1_D8, BEFORE)
    without = lookup.show(ccn_store, K1_D8, BEFORE)
    for key in ("status", "status_text", "validity", "text"):
        assert with_notices[key] == without[key], key
    # the history lists the coming change, and the wording in force until then
    assert with_notices["versions"][0]["text"] == without["versions"][0]["text"]
    assert with_notices["versions"][0]["valid_to"] == "2026-09-15"
    assert with_notices["status"] == "in_force" and with_notices["reported_changes"] == []


def test_application_ended_by_the_notice(notice_store: Store):
    for article in (6, 11, 12):
        shown = lookup.show(notice_store, f"Điều {article} Nghị định 139/2025/NĐ-CP", TODAY)
        assert shown["status"] == Status.REPEALED.value
        assert shown["validity"]["note"].startswith(f"Điều {article} không còn được áp dụng (bị bãi bỏ) từ 15/9/2026")
        assert lookup.show(notice_store, f"Điều {article} Nghị định 139/2025/NĐ-CP", BEFORE)["status"] == "in_force"
    # the rest of NĐ 139/2025 stays in force
    assert lookup.show(notice_store, "Điều 13 Nghị định 139/2025/NĐ-CP", TODAY)["status"] == "in_force"


def test_draft_citing_an_amended_point_gets_a_warning(notice_store: Store):
    report = check_file(notice_store, FIXTURES / "clean.txt", as_of=date(2026, 10, 1))
    amended = [f for f in report.warnings if f.code == "amended_provision"]
    assert any(f.text.startswith("điểm c khoản 1 Điều 8") and ND303 in f.message
               and "toàn văn sửa đổi chưa có" in f.message for f in amended), amended
    ended = [f for f in report.errors if f.code == "not_in_force_at_date"]
    assert any("Điều 12 Nghị định số 139/2025/NĐ-CP" in f.message and ND303 in f.message for f in ended)
    before = check_file(notice_store, FIXTURES / "clean.txt", as_of=date(2026, 9, 14))
    assert before.findings == []


def test_drafted_letter_cites_the_amended_point_with_the_statement(notice_store: Store):
    spec = load_spec(Path(__file__).resolve().parents[1] / "drafting" / "examples" / "gop_y.yaml")
    later = assemble(spec, notice_store, as_of=date(2026, 10, 1))
    point = next(c for c in later.citations if (c.citation["article"], c.citation["point"]) == (8, "c"))
    assert point.status == "amended_text_missing" and ND303 in point.validity_note
    assert any(i.severity == "warning" and i.message.startswith("điểm c khoản 1 Điều 8 Nghị định số 32/2024/NĐ-CP: "
                                                                 "Điều 8 đã được sửa đổi bởi Nghị định số 303/2026")
               for i in later.issues)
    earlier = assemble(spec, notice_store, as_of=date(2026, 9, 1))
    assert next(c for c in earlier.citations if c.citation["article"] == 8).status == "in_force"


# --- what changed around the texts ---------------------------------------------------------------


def test_quote_naming_so_ke_hoach_dau_tu_gets_a_nay_la_note(notice_store: Store):
    shown = lookup.show(notice_store, "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP", TODAY)
    assert "Sở Kế hoạch và Đầu tư" in shown["text"]
    assert "Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025)" in shown["notes"]
    assert "Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025)" not in \
        lookup.show(notice_store, "khoản 2 Điều 13 Nghị định 32/2024/NĐ-CP", date(2025, 2, 1))["notes"]


def test_district_level_texts_are_flagged(notice_store: Store):
    note = "Từ 01/7/2025 không còn cấp huyện; nay là cấp xã"
    for citation in ("khoản 1 Điều 15 Nghị định 32/2024/NĐ-CP", "khoản 1 Điều 10 Nghị định 32/2024/NĐ-CP",
                     "điểm c khoản 3 Điều 3 Thông tư 14/2024/TT-BCT"):
        shown = lookup.show(notice_store, citation, BEFORE)
        assert "cấp huyện" in shown["text"] and note in shown["notes"], citation
    # NĐ 139/2025, written for the reform, is not annotated
    assert note not in lookup.show(notice_store, "Điều 12 Nghị định 139/2025/NĐ-CP", BEFORE)["notes"]


def test_nd139_announces_its_own_end(notice_store: Store):
    message = "Nghị định số 139/2025/NĐ-CP hết hiệu lực kể từ ngày 01 tháng 3 năm 2027"
    assert message in lookup.show(notice_store, "Điều 13 Nghị định 139/2025/NĐ-CP", TODAY)["notes"]
    assert message not in lookup.show(notice_store, "Điều 13 Nghị định 139/2025/NĐ-CP", date(2026, 1, 5))["notes"]
    letter = check_file(notice_store, FIXTURES / "clean.txt", as_of=date(2026, 9, 14))
    expiring = [i.message for c in letter.citations for i in c.issues if i.code == "expiring_document"]
    assert expiring and all(m.startswith(message) for m in expiring)


# --- answers -------------------------------------------------------------------------------------


def test_answer_on_establishment_conditions_says_it_is_not_current_law(notice_answerer: Answerer):
    question = "điều kiện thành lập cụm công nghiệp"
    now = notice_answerer.ask(question, as_of=TODAY)
    article8 = [p for p in now.provisions if (p.hit.citation.doc, p.hit.citation.article) == (ND32, 8)]
    assert article8, [p.hit.citation_text for p in now.provisions]
    assert all(p.hit.status == Status.AMENDED_TEXT_MISSING for p in article8)
    assert all(STATEMENT in p.notes for p in article8)
    assert "còn hiệu lực" not in now.answer.split("\n")[1]
    assert STATEMENT in now.answer
    assert now.warnings[0].startswith(NOT_CURRENT)
    before = notice_answerer.ask(question, as_of=BEFORE)
    assert all(p.hit.status == Status.IN_FORCE for p in before.provisions if p.hit.citation.doc == ND32)
    assert STATEMENT not in before.answer and not before.warnings
    assert now.confidence < before.confidence


def test_district_link_stops_when_nd139_article_12_ends(notice_answerer: Answerer):
    question = "CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?"

    def linked(at: date) -> list:
        answer = notice_answerer.ask(question, as_of=at)
        clause1 = next(p for p in answer.provisions if (p.hit.citation.article, p.hit.citation.clause) == (8, 1))
        return clause1.changes

    assert [(c.kind, c.citation.doc, c.citation.article) for c in linked(BEFORE)] == [
        ("district_level", ND139, 12)]
    ended = linked(TODAY)
    assert [(c.kind, c.citation.doc, c.citation.article) for c in ended] == [("reassignment_ended", ND139, 12)]
    assert "không còn áp dụng" in ended[0].note and ND303 in ended[0].note
    assert ended[0].status == Status.REPEALED.value


def test_article_11_of_nd139_is_linked_like_article_12(notice_answerer: Answerer):
    answer = notice_answerer.ask("Ủy ban nhân dân cấp huyện chỉ đạo lập quy hoạch chi tiết xây dựng cụm công "
                                 "nghiệp", as_of=BEFORE)
    clause = next(p for p in answer.provisions if (p.hit.citation.article, p.hit.citation.clause) == (15, 1))
    assert ("district_level", ND139, 11) in [(c.kind, c.citation.doc, c.citation.article) for c in clause.changes]
    assert "Từ 01/7/2025 không còn cấp huyện; nay là cấp xã" in clause.notes


def test_unaccented_question_keeps_the_repeal_warning(search_home):
    store, home = search_home
    answer = Answerer(store, open_searcher(store, home)).ask("nd 68/2017 con hieu luc khong")
    assert any(w.startswith("68/2017/NĐ-CP đã hết hiệu lực: bị thay thế bởi 32/2024/NĐ-CP từ 01/05/2024")
               for w in answer.warnings), answer.warnings
    assert answer.answer.startswith("Lưu ý: 68/2017/NĐ-CP đã hết hiệu lực")


# --- the text itself supersedes its notice -------------------------------------------------------

TEST_NUMBER = "9998/2026/NĐ-CP"  # impossible number: a test fixture, never data
TEST_NOTICE = f"""# TEST FIXTURE ONLY: an invented notice for an invented decree
doc: {TEST_NUMBER}
type: Nghị định
issuer: Chính phủ
issued: 2026-08-01
effective: 2026-09-15
title: văn bản thử nghiệm sửa đổi Nghị định số 32/2024/NĐ-CP
confidence: secondary
source: test fixture
amends:
  - {{doc: 32/2024/NĐ-CP, article: 8}}
reported_changes:
  - "Điều 8 khoản 1: test orientation only"
"""
TEST_TEXT = amending_decree(TEST_NUMBER, """1. Sửa đổi, bổ sung khoản 1 Điều 8 như sau:
“1. Thành lập cụm công nghiệp phải đáp ứng các điều kiện thử nghiệm sau đây.”
""")


@pytest.mark.parametrize("text_first", [False, True])
def test_the_amending_text_supersedes_its_notice(tmp_path: Path, ccn_dir: Path, text_first: bool):
    store = Store.at_home(tmp_path / "home")
    notice, text = tmp_path / "test-fixture-notice.yaml", tmp_path / "test-fixture-nd-9998.txt"
    notice.write_text(TEST_NOTICE, encoding="utf-8")
    text.write_text(TEST_TEXT, encoding="utf-8")
    assert ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx"]).failed == []
    if not text_first:
        assert ingest_paths(store, [notice]).failed == []
        warned = lookup.show(store, K1_D8, TODAY)
        assert warned["status"] == "amended_text_missing"
        assert warned["validity"]["note"].startswith(f"Điều 8 đã được sửa đổi bởi Nghị định số {TEST_NUMBER}")
    for path in ([text, notice] if text_first else [text]):
        assert ingest_paths(store, [path]).failed == []
    shown = lookup.show(store, K1_D8, TODAY)
    assert shown["status"] == "in_force"
    assert shown["text"] == "1. Thành lập cụm công nghiệp phải đáp ứng các điều kiện thử nghiệm sau đây."
    assert "chưa có toàn văn" not in shown["validity"]["note"] and shown["reported_changes"] == []
    assert [v["source_doc"] for v in shown["versions"]] == [ND32, TEST_NUMBER]
    assert not any(v["text_missing"] for v in shown["versions"])
    row = {r.doc: r for r in lookup.document_rows(store, TODAY)}[TEST_NUMBER]
    assert (row.source, row.in_store) == ("text", True)
    # khoản 2 Điều 8, which the text does not amend, is no longer said to be amended without text
    assert lookup.show(store, "khoản 2 Điều 8 Nghị định 32/2024/NĐ-CP", TODAY)["status"] == "in_force"


def test_a_broken_notice_is_refused_with_its_reason(tmp_path: Path):
    store = Store.at_home(tmp_path / "home")
    bad = tmp_path / "thong-bao-loi.yaml"
    bad.write_text("doc: 9997/2026/NĐ-CP\ntype: Nghị định\namends:\n  - {doc: 32/2024/NĐ-CP, article: tám}\n",
                   encoding="utf-8")
    broken = tmp_path / "khong-phai-yaml.yaml"
    broken.write_text("doc: [unclosed\n", encoding="utf-8")
    report = ingest_paths(store, [bad, broken])
    errors = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert errors["thong-bao-loi.yaml"] == "tệp thông báo thiếu ngày «effective»"
    assert errors["khong-phai-yaml.yaml"].startswith("tệp thông báo không đúng cú pháp YAML")
    assert store.document("9997/2026/NĐ-CP") is None
