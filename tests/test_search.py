"""Hybrid search over the real ccn corpus: citations in queries, stale phrasing, validity at a
date, text typed without diacritics, what the corpus does not answer, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest.runner import ingest_paths
from kb.model import Status
from kb.store import Store
from retrieval.analysis import fold
from retrieval.build import build_indexes, open_searcher
from retrieval.llama import ProvisionRetriever
from retrieval.search import Filters, Searcher
from retrieval.settings import preset

ND32 = "32/2024/NĐ-CP"
TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def searcher(institutions_searcher) -> Searcher:
    """The ccn corpus with the 2025 reorganisation of state bodies (cấp huyện …) ingested."""
    return institutions_searcher


def _top(result, n: int = 5) -> list[tuple]:
    return [(h.citation.doc, h.citation.article, h.citation.clause) for h in result.hits[:n]]


def _clauses(result, n: int = 5) -> set[tuple]:
    """Every clause the first n results name, the other matching clauses of each Điều included."""
    return {(c.doc, c.article, c.clause) for h in result.hits[:n] for c in (h.citation, *h.also)}


def test_citation_in_query_goes_first(searcher: Searcher):
    result = searcher.search("khoản 2 Điều 8 NĐ 32 quy định gì", filters=Filters(as_of=TODAY))
    assert _top(result, 1) == [(ND32, 8, 2)]
    assert result.confidence == 1.0
    assert result.hits[0].citation_text == "khoản 2 Điều 8 Nghị định số 32/2024/NĐ-CP"


def test_named_clause_is_shown_though_another_gives_the_amount(searcher: Searcher):
    """"bao lâu một lần" asks an amount of time; khoản 2 Điều 24 has "một lần", khoản 3 is named."""
    result = searcher.search("k.3 đ.24 nđ32: ai tổng hợp tình hình sản xuất kinh doanh trong cụm gửi "
                             "Sở Công Thương, bao lâu một lần?", filters=Filters(as_of=TODAY))
    assert _top(result, 1) == [(ND32, 24, 3)]


def test_a_kind_of_administrative_document_asks_its_form_unless_on_clusters(searcher: Searcher):
    """"công văn" in a question not on clusters asks how one is drafted: NĐ 30/2020 answers (the
    words "bắt buộc … phần" alone found other laws); in a question on clusters it is the matter."""
    from retrieval.search import asks_format

    result = searcher.search("Một công văn của Sở bắt buộc phải có những phần nào?", filters=Filters(as_of=TODAY))
    assert [h.citation.doc for h in result.hits[:3]] == ["30/2020/NĐ-CP"] * 3
    assert asks_format("mot cong van cua so bat buoc phai co nhung phan nao")
    assert not asks_format("so gui cong van xin y kien bo ve phuong an phat trien cum cong nghiep")


def test_an_amount_asked_lifts_the_provision_giving_it(searcher: Searcher):
    """"tối đa bao nhiêu tiền": khoản 2 Điều 6 TTLT 26/2014 gives "không quá 500 triệu đồng/cụm"
    in a 6,900-character list of mức chi whose length its words are weighed against."""
    result = searcher.search("Khuyến công quốc gia hỗ trợ tối đa bao nhiêu tiền để lập quy hoạch chi tiết "
                             "một cụm công nghiệp?", filters=Filters(as_of=TODAY))
    assert ("26/2014/TTLT-BTC-BCT", 6, 2) in _top(result, 5)


def test_a_question_two_clauses_of_one_article_answer_gets_both(searcher: Searcher):
    """Thẩm định (khoản 3) and the decision (khoản 4) of Điều 10 NĐ 32: results are one per Điều,
    but the first Điều's next-best khoản, scoring close to it, takes the fifth place."""
    result = searcher.search("Sở Công Thương thẩm định trong bao lâu và sau đó UBND tỉnh có bao lâu để "
                             "quyết định thành lập cụm?", filters=Filters(as_of=TODAY))
    top = _top(result, 5)
    assert {(ND32, 10, 3), (ND32, 10, 4)} <= set(top)
    assert top[0][:2] == top[4][:2] == (ND32, 10)
    assert len({t[:2] for t in top[:4]}) == 4  # above it, one result per Điều


def test_an_annex_item_held_as_two_units_is_one_result_showing_the_form(searcher: Searcher):
    """Biểu số 04 of TT 14/2024 is held as two units: its line in Phụ lục I's opening list of
    forms ("Biểu số 04 / Tổng hợp …", 67 characters) and the form itself. They are one result,
    and its text is the form's."""
    result = searcher.search("SCT báo cáo BCT (Cục CTĐP) tình hình CCN theo biểu số mấy của TT 14?",
                             filters=Filters(as_of=TODAY))
    shown = [h.citation_text for h in result.hits]
    assert len(shown) == len(set(shown))
    form = next(h for h in result.hits if h.citation_text.startswith("Biểu số 04 Phụ lục I"))
    assert "Đơn vị gửi báo cáo: Sở Công Thương" in form.text


def test_paraphrase_with_abbreviations(searcher: Searcher):
    result = searcher.search("CCN muốn mở rộng thì tỷ lệ lấp đầy phải bao nhiêu?", filters=Filters(as_of=TODAY))
    first = result.hits[0]
    assert (first.citation.doc, first.citation.article) == (ND32, 8)
    assert (ND32, 8, 2) in _clauses(result, 1)  # grouped under Điều 8
    assert result.confidence >= searcher.threshold


def test_no_diacritics_finds_the_same_provision(searcher: Searcher):
    accented = searcher.search("Hồ sơ đề nghị thành lập cụm công nghiệp gồm những gì?")
    plain = searcher.search("ho so de nghi thanh lap cum cong nghiep gom nhung gi")
    assert _top(accented, 1) == _top(plain, 1) == [(ND32, 9, 1)]


@pytest.mark.parametrize("accented, first", [
    ("Diện tích đất kho bãi trong cụm tối đa bao nhiêu phần trăm?", (ND32, 3, 1)),
    ("Doanh nghiệp chưa ký hợp đồng thuê đất thì có tính vào tỷ lệ lấp đầy không?", None),  # Đ2 k7 ~ Đ8 k1
    ("Kinh phí khuyến công hỗ trợ sửa chữa trạm xử lý nước thải cụm tối đa bao nhiêu?", None),
])
def test_an_unaccented_question_is_searched_by_its_restored_words(searcher: Searcher, accented: str,
                                                                 first: tuple | None) -> None:
    """Its folded words would match every syllable that folds alike ("dat" is đất, đặt, đạt …):
    searched so, each of these put a provision of another text among the five its accented twin
    finds (khoản 2 Điều 17 NĐ 178/2026, mục B.III.8 Phụ lục II NĐ 96/2026 first …); restored, it
    finds the same five, in the same order."""
    plain = searcher.search(fold(accented))
    assert _top(plain, 5) == _top(searcher.search(accented), 5)
    if first is not None:
        assert _top(plain, 1) == [first]


def test_stale_decree_answered_from_the_one_in_force(searcher: Searcher):
    result = searcher.search("Theo Nghị định 68/2017/NĐ-CP, muốn mở rộng cụm công nghiệp thì tỷ lệ lấp đầy "
                             "phải đạt bao nhiêu?", filters=Filters(as_of=TODAY))
    assert (ND32, 8, 2) in _clauses(result, 3)
    assert any("68/2017/NĐ-CP đã hết hiệu lực" in w and ND32 in w for w in result.warnings)


def test_district_level_question_reaches_nd139(searcher: Searcher):
    result = searcher.search("Tờ trình đề nghị thành lập cụm công nghiệp của Ủy ban nhân dân cấp huyện nay do ai lập?")
    reassigned = {(doc, article) for doc, article, _ in _top(result, 5)}
    assert reassigned & {("139/2025/NĐ-CP", 6), ("139/2025/NĐ-CP", 11), ("139/2025/NĐ-CP", 12)}


def test_who_does_it_now_comes_before_the_abolished_body(searcher: Searcher):
    """While NĐ 139/2025 reassigns cấp huyện's tasks (until 15/9/2026), the provision saying who
    does it now comes first, the NĐ 32/2024 provision naming cấp huyện right after."""
    result = searcher.search("Tờ trình đề nghị thành lập cụm công nghiệp của Ủy ban nhân dân cấp huyện nay do ai lập?",
                             filters=Filters(as_of=date(2026, 8, 1)))
    assert _top(result, 1) == [("139/2025/NĐ-CP", 11, None)]
    assert (ND32, 9, 1) in _top(result, 3)


def test_document_not_in_the_knowledge_base(searcher: Searcher):
    result = searcher.search("Nghị định 303/2026/NĐ-CP sửa đổi Điều 8 Nghị định 32/2024/NĐ-CP như thế nào?")
    assert result.confidence < searcher.threshold
    assert any("303/2026/NĐ-CP" in w for w in result.warnings)


def test_filters(searcher: Searcher):
    result = searcher.search("trách nhiệm của Sở Công Thương", filters=Filters(doc="16/2026/QĐ-UBND"))
    assert result.hits and {h.citation.doc for h in result.hits} == {"16/2026/QĐ-UBND"}
    result = searcher.search("trách nhiệm của Sở Công Thương", filters=Filters(province="Lào Cai"))
    assert result.hits and all("Lào Cai" in searcher.meta[h.uid].issuer for h in result.hits)
    result = searcher.search("trách nhiệm của Sở Công Thương", filters=Filters(doc_type="Nghị định"))
    assert result.hits and {searcher.meta[h.uid].doc_type for h in result.hits} == {"Nghị định"}


# --- validity at a date -----------------------------------------------------------------------

EARLIER = """ỦY BAN NHÂN DÂN
TỈNH THỬ NGHIỆM
Số: 9997/2023/QĐ-UBND
Thử Nghiệm, ngày 01 tháng 3 năm 2023
QUYẾT ĐỊNH
Quy định tỷ lệ lấp đầy khi mở rộng cụm công nghiệp trên địa bàn tỉnh
Điều 1. Tỷ lệ lấp đầy khi mở rộng cụm công nghiệp
Cụm công nghiệp chỉ được mở rộng khi đạt tỷ lệ lấp đầy ít nhất 70% diện tích đất công nghiệp.
Điều 2. Hiệu lực thi hành
Quyết định này có hiệu lực thi hành từ ngày 01 tháng 4 năm 2023.
"""


@pytest.fixture(scope="module")
def dated(tmp_path_factory, ccn_dir: Path) -> Searcher:
    """ND 32/2024 beside a (made-up, impossible-numbered) provincial rule in force since 2023."""
    home = tmp_path_factory.mktemp("dated")
    store = Store.at_home(home)
    earlier = home / "qd-thu-nghiem.txt"
    earlier.write_text(EARLIER, encoding="utf-8")
    assert ingest_paths(store, [ccn_dir / "ND-32-2024-ND-CP.docx", earlier]).failed == []
    build_indexes(store, home, dense="none")
    return open_searcher(store, home, preset("bm25"))


def test_not_yet_in_force_is_labelled_and_ranked_below(dated: Searcher):
    query = "tỷ lệ lấp đầy để mở rộng cụm công nghiệp"
    then = dated.search(query, filters=Filters(as_of=date(2024, 1, 1)))
    assert then.hits[0].citation.doc == "9997/2023/QĐ-UBND"
    nd32 = [h for h in then.hits if h.citation.doc == ND32]
    assert nd32 and all(h.status == Status.NOT_YET for h in nd32)
    assert all(h.validity.text == "Chưa có hiệu lực" for h in nd32)
    now = dated.search(query, filters=Filters(as_of=TODAY))
    assert {h.status for h in now.hits if h.citation.doc == ND32} == {Status.IN_FORCE}
    assert (ND32, 8, 2) in _clauses(now, 5)


# --- contracts ----------------------------------------------------------------------------------


def test_llama_index_retriever(searcher: Searcher):
    nodes = ProvisionRetriever(searcher, k=5).retrieve("điều kiện thành lập cụm công nghiệp")
    assert len(nodes) == 5
    first = nodes[0]
    assert first.node.metadata["doc"] == ND32 and first.node.metadata["article"] == 8
    assert first.node.metadata["status"] == "in_force"
    assert first.score == pytest.approx(max(n.score for n in nodes))


def test_cli_search_json_and_batch(search_home, tmp_path: Path):
    _store, home = search_home
    ccn = [sys.executable, "-m", "api.cli", "--home", str(home)]
    run = subprocess.run([*ccn, "search", "điều kiện mở rộng cụm công nghiệp", "--k", "3", "--json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(run.stdout)
    assert 0 <= data["confidence"] <= 1
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    keys = {"rank", "score", "citation", "citation_text", "title", "text", "status"}
    assert all(keys <= set(r) for r in data["results"])
    assert set(data["results"][0]["citation"]) == {"doc", "part", "annex", "article", "clause", "point"}
    queries = tmp_path / "q.txt"
    queries.write_text("hồ sơ thành lập cụm công nghiệp\nkhoản 2 Điều 8 NĐ 32\n", encoding="utf-8")
    run = subprocess.run([*ccn, "search", "--batch", str(queries), "--json"], capture_output=True,
                         text=True, check=True)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["hồ sơ thành lập cụm công nghiệp", "khoản 2 Điều 8 NĐ 32"]
    assert lines[1]["results"][0]["citation"]["article"] == 8


def test_question_about_an_industrial_park_is_not_answered_by_cluster_texts(searcher: Searcher):
    """A khu công nghiệp is not a cụm công nghiệp: NĐ 32/2024 shares every other word with the
    question and does not answer it."""
    result = searcher.search("Khu công nghiệp muốn mở rộng thì tỷ lệ lấp đầy phải đạt bao nhiêu phần trăm?")
    assert result.confidence < searcher.threshold
    assert "Câu hỏi về khu công nghiệp; quy định tìm thấy đầu tiên không nói về khu công nghiệp." in result.warnings
    cluster = searcher.search("Cụm công nghiệp muốn mở rộng thì tỷ lệ lấp đầy phải đạt bao nhiêu phần trăm?")
    assert not any("khu công nghiệp" in w for w in cluster.warnings)


def test_forms_rank_below_provisions_unless_a_form_is_asked(searcher: Searcher):
    """Biểu số 01 of TT 14/2024 repeats "tình hình dự án" in its title; who receives the report is
    said by khoản 4 Điều 23 NĐ 32/2024. Asked for the form, the Biểu comes first."""
    where = searcher.search("Doanh nghiệp vào cụm rồi thì tình hình dự án báo cho những nơi nào?")
    assert _top(where, 1) == [(ND32, 23, 4)]
    assert all(not h.title.startswith("Biểu") for h in where.hits[:2])
    form = searcher.search("Doanh nghiệp trong cụm báo cáo tình hình dự án theo biểu mẫu nào?")
    # the Biểu itself, or khoản 3 Điều 3 TT 14/2024 that names it ("… theo Biểu số 01 Phụ lục I"), then the Biểu
    assert any((h.citation.doc, h.citation.annex, h.title[:11]) == ("14/2024/TT-BCT", "I", "Biểu số 01.")
               for h in form.hits[:2]), [h.citation_text for h in form.hits[:2]]
    assert "Biểu số 01" in form.hits[0].title + form.hits[0].text
    who = searcher.search("Ai ban hành Quy chế quản lý cụm công nghiệp trên địa bàn tỉnh?")
    assert _top(who, 1) == [(ND32, 32, 4)]  # not Mẫu số 03, the form of the decision


def test_what_a_report_or_an_application_holds_asks_for_a_form(searcher: Searcher):
    """"Những chỉ tiêu nào", "viết đơn": the question asks what a form holds, so the Biểu and Mẫu
    of TT 14/2024 are not lowered below the provisions (they came second and third before)."""
    indicators = searcher.search("Báo cáo 6 tháng của doanh nghiệp trong cụm phải nêu những chỉ tiêu nào?").hits[0]
    assert (indicators.citation.annex, indicators.title[:11]) == ("I", "Biểu số 01."), indicators.citation_text
    application = searcher.search("Công ty muốn làm chủ đầu tư hạ tầng cụm thì viết đơn thế nào?").hits[0]
    assert application.citation.annex == "II" and "Mẫu số 01" in application.citation_text, application.citation_text


def test_two_level_local_government_is_about_the_abolished_district(searcher: Searcher):
    """"Sau sắp xếp chính quyền hai cấp" names no cấp huyện, but asks who does its tasks now."""
    result = searcher.search("Sau sắp xếp chính quyền hai cấp, ai lập hồ sơ đề nghị thành lập cụm gửi Sở Công Thương?",
                             filters=Filters(as_of=date(2026, 8, 1)))
    assert ("139/2025/NĐ-CP", 11, None) in _top(result, 2), _top(result, 3)


def test_dense_candidates_keep_their_words_on_field_questions(searcher: Searcher):
    """A provision found by its meaning keeps the BM25 score of the words it shares with a
    question on clusters, though other units fill the lexical candidates (here the first 5); on
    a question of another field its words count only inside those candidates."""
    shallow = Searcher.__new__(Searcher)
    shallow.__dict__.update(searcher.__dict__, settings=searcher.settings.model_copy(update={"candidate_depth": 5}))

    def outside(query: str) -> tuple[int, int]:
        ranking = shallow.ranking(query, Filters(), TODAY, [])
        dense_only = [uid for uid in ranking.dense if uid not in shallow._lexical(query)[0]]
        return len(dense_only), sum(uid in ranking.lexical for uid in dense_only)

    missing, filled = outside("Bộ hồ sơ xin lập cụm mới gồm những giấy tờ gì?")
    assert missing > 0 and filled >= missing // 2
    missing, filled = outside("Bộ hồ sơ xin cấp giấy phép gồm những giấy tờ gì?")
    assert missing > 0 and filled == 0
