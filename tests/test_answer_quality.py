"""Answers on questions as people write them (issue 12, first part): citations in short and
unaccented forms, annexes itemised, one document per text, letters and provincial texts in
their place. On the real ccn corpus: `ccn_store` for the knowledge base, `answer_home` (the
cached search home brought up to this code) for search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import store_copy

from eval.metrics import matches
from eval.runner import annex_item_address
from kb.citations import annex_clause, annex_item_of, annex_section, find_query_citations, render
from kb.model import Citation
from retrieval.search import Searcher
from retrieval.units import iter_units

ND32 = "32/2024/NĐ-CP"
ND30 = "30/2020/NĐ-CP"
TT14 = "14/2024/TT-BCT"
LAOCAI = "16/2026/QĐ-UBND"
EX_BC = "file:EX-BC-SCT-LaoCai-2026-vuong-mac-ND32"


@pytest.fixture(scope="module")
def answer_home(search_home, ccn_store, tmp_path_factory: pytest.TempPathFactory):
    """The cached search home's indexes over the store this code ingested (a copy of the
    session's `ccn_store`), brought in line (only new or changed units are embedded):
    (store, searcher)."""
    from retrieval.build import build_indexes, open_searcher

    _, built = search_home
    home = tmp_path_factory.mktemp("answer-home") / "home"
    shutil.copytree(built / "index", home / "index")
    store = store_copy(ccn_store, home)
    build_indexes(store, home, dense="core", student="off")
    return store, open_searcher(store, home)


def _addr(c: Citation) -> tuple:
    return (c.doc, c.part, c.annex, c.article, c.clause, c.point)


# --- 1. citations in every written form --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("K3 Đ13 NĐ 32/2024 nói gì?", ("32/2024", None, None, 13, 3, None)),
        ("k.3 đ.13 nđ 32/2024", ("32/2024", None, None, 13, 3, None)),
        ("đ.c k1 Đ8 NĐ32", ("32", None, None, 8, 1, "c")),
        ("Điều 13.3 Nghị định 32/2024/NĐ-CP", (ND32, None, None, 13, 3, None)),
        ("ND 32/2024 Điều 8", ("32/2024", None, None, 8, None, None)),
        ("k3 d13 nd 32/2024", ("32/2024", None, None, 13, 3, None)),
        ("dieu 13 khoan 3 nghi dinh 32/2024", ("32/2024", None, None, 13, 3, None)),
        ("diem c khoan 2 dieu 8 nd 32/2024/nd-cp", (ND32, None, None, 8, 2, "c")),
        ("Điều 13 khoản 3 Nghị định số 32/2024/NĐ-CP", (ND32, None, None, 13, 3, None)),
        ("phu luc I nd 30/2020", ("30/2020", None, "I", None, None, None)),
        ("Đ 13 K 2 NĐ 32/2024", ("32/2024", None, None, 13, 2, None)),
        ("điều 8 Khoản 2 Điểm c Nghị định 32/2024/NĐ-CP", (ND32, None, None, 8, 2, "c")),
    ],
)
def test_short_and_unaccented_citations_in_questions(query: str, expected: tuple):
    (mention,) = [m for m in find_query_citations(query) if m.targets]
    assert [_addr(t.with_doc(mention.doc_ref.number)) for t in mention.targets] == [expected]


@pytest.mark.parametrize("query", ["nđ 32/2024", "NĐ32", "theo nd 68/2017 thi sao"])
def test_documents_alone_in_short_forms(query: str):
    (mention,) = find_query_citations(query)
    assert mention.doc_ref.doc_type == "Nghị định" and not mention.targets


@pytest.mark.parametrize("text", ["cỡ chữ 13 đến 14", "khổ A4 (210 mm x 297 mm)", "năm 2024 đ 5 triệu"])
def test_text_that_is_no_citation(text: str):
    assert find_query_citations(text) == []


@pytest.mark.parametrize(
    ("query", "article", "clause"),
    [("K4 Đ10 NĐ 32/2024 nói gì?", 10, 4), ("k4 d10 nd 32/2024 noi gi", 10, 4), ("Điều 13.2 NĐ 32", 13, 2),
     ("đ.c k2 Đ8 NĐ32 quy định gì", 8, 2), ("dieu 8 khoan 2 nghi dinh 32/2024", 8, 2)],
)
def test_short_citation_ranks_that_clause_first(answer_home, query: str, article: int, clause: int):
    _, searcher = answer_home
    result = searcher.search(query)
    first = result.hits[0].citation
    assert (first.doc, first.article, first.clause) == (ND32, article, clause)
    assert result.confidence == 1.0 and result.warnings == []


def test_cited_clause_that_does_not_exist(answer_home):
    """NĐ 32/2024 Điều 13 has two khoản (its khoản 2 runs on for two paragraphs): "K3 Đ13" is
    answered with Điều 13 and the user is told, never with a made-up khoản 3."""
    _, searcher = answer_home
    result = searcher.search("K3 Đ13 NĐ 32/2024 nói gì?")
    first = result.hits[0]
    assert (first.citation.doc, first.citation.article) == (ND32, 13)
    assert {first.citation.clause, *(c.clause for c in first.also)} == {1, 2}
    assert result.warnings == ["Không có khoản 3 Điều 13 Nghị định số 32/2024/NĐ-CP trong kho dữ liệu; "
                               "kết quả là Điều 13 Nghị định số 32/2024/NĐ-CP."]


# --- 2. annexes itemised ----------------------------------------------------------------------


def test_annex_items_are_units(ccn_store):
    units = {(u.citation.doc, u.citation.annex, u.citation.annex_item): u for u in iter_units(ccn_store)}
    page = units[(ND30, "I", "I.7")]
    assert page.text.startswith("7. Số trang văn bản: Được đánh từ số 1, bằng chữ số Ả Rập")
    assert page.title == "I. QUY ĐỊNH CHUNG"
    assert units[(ND30, "I", "II.7")].text.startswith("7. Chức vụ, họ tên và chữ ký của người có thẩm quyền")
    assert units[(ND30, "I", "Phần II.I.1")].text.startswith("1. Hình thức sao")
    assert units[(ND30, "II", "V.10")].text.startswith("10. Tên các tác phẩm, sách báo, tạp chí")
    # a Mục cut into items is no unit itself; one without numbered items stays one
    assert (ND30, "I", "I") not in units and (ND30, "IV", "II") in units
    for n in range(1, 5):
        assert (TT14, "I", f"Biểu số 0{n}") in units and (TT14, "II", f"Mẫu số 0{n}") in units
    # the "I.", "II." of a form are the form's headings, not items of the annex
    assert not [key for key in units if key[0] == TT14 and key[2] and key[2][0] in "IV"]
    # a "Phần I" shown as a sample inside Mục V's table is not itemised
    assert len([key for key in units if key[:2] == (ND30, "I") and key[2] == "I.1"]) == 1


def test_annex_item_address():
    assert annex_item_of("Mục II.7") == "II.7"
    assert annex_item_of("Phần II, Mục I.3") == "Phần II.I.3"
    assert annex_item_of("Biểu số 01. Tình hình hoạt động của dự án") == "Biểu số 01"
    assert annex_item_of("Mẫu số 03 (2)") == "Mẫu số 03"
    assert annex_item_of("Phần I") is None
    assert annex_item_of("Phần A, Mục III.6") == "Phần A.III.6"  # a Danh mục's lettered part (NĐ 96/2026)
    assert [annex_section(x) for x in ("II.7", "Phần II.I.1", "Mẫu số 01", "V", "Phần A.III.6")] == [
        "II", "Phần II.I", "Mẫu số 01", "V", "Phần A.III"]
    assert annex_item_address("96/2026/NĐ-CP", "II", "A.III.6") == "Phần A.III.6"
    assert annex_item_address("30/2020/NĐ-CP", "I", "II.I.2") == "Phần II.I.2"
    assert annex_item_address("30/2020/NĐ-CP", "II", "V.7") == "V.7"
    item = Citation(ND30, None, "I", annex_item="I.7")
    assert render(item) == "mục I.7 Phụ lục I Nghị định số 30/2020/NĐ-CP"
    assert item.to_dict()["annex_item"] == "I.7" and "annex_item" not in Citation(ND32, article=8).to_dict()
    assert Citation.from_dict(item.to_dict()) == item


def test_metrics_match_annex_items():
    gold = {"doc": ND30, "part": None, "annex": "I", "article": None, "clause": None, "point": None,
            "annex_item": "II.7"}
    same_mucs = {**gold, "annex_item": "II.3"}
    assert matches(gold, gold, "clause") and matches(same_mucs, gold, "article")
    assert not matches(same_mucs, gold, "clause")
    assert not matches({**gold, "annex_item": "I.7"}, gold, "article")
    assert not matches({**gold, "annex": "II"}, gold, "article")
    # a point of an item is ignored at clause level, as "điểm b khoản 7" is khoản 7
    point_gold = {**gold, "annex_item": "II.7.b"}
    assert matches(gold, point_gold, "clause") and matches({**gold, "annex_item": "II.7.a"}, point_gold, "clause")
    assert not matches(same_mucs, point_gold, "clause") and matches(point_gold, gold, "clause")
    assert [annex_clause(x) for x in ("II.7.b", "Phần II.II.1.c", "V.7", "I", "Mẫu số 02", "III.1.đ")] == [
        "II.7", "Phần II.II.1", "V.7", "I", "Mẫu số 02", "III.1"]
    whole_annex = {k: v for k, v in gold.items() if k != "annex_item"}
    assert matches(whole_annex, gold, "article") and not matches(whole_annex, gold, "clause")
    # gold without an annex item: as before
    article_gold = {"doc": ND32, "part": None, "annex": None, "article": 8, "clause": 2, "point": None}
    assert matches({**article_gold, "clause": 2}, article_gold, "clause")
    assert not matches({**article_gold, "clause": 3}, article_gold, "clause")


def test_page_number_question_finds_the_annex_item(answer_home):
    _, searcher = answer_home
    # rank 4 with the query student (after Điều 9 and two other items of Phụ lục I), 1 with e5
    top = [h.citation for h in searcher.search("văn bản hành chính đánh số trang thế nào").hits[:5]]
    assert Citation(ND30, None, "I", annex_item="I.7") in top, [render(c) for c in top]



def test_a_form_named_with_its_annex_is_the_one_cited(answer_home):
    """"Mẫu số 02 Phụ lục II …": that form's units are the cited ones, not every unit of Phụ lục II."""
    _, searcher = answer_home
    hits = searcher.search("Mẫu số 02 Phụ lục II Thông tư số 14/2024/TT-BCT", k=10).hits
    cited = [h.citation for h in hits if h.parts.get("cited", 0.0) > 0]
    assert cited == [Citation(TT14, None, "II", annex_item="Mẫu số 02")], [render(c) for c in cited]

# --- 3. one document per text -----------------------------------------------------------------


def test_one_document_per_text(ccn_store):
    keys = [d.key for d in ccn_store.documents(include_stubs=False)]
    ex = [k for k in keys if k.startswith("file:EX-")]
    assert sorted(ex) == [EX_BC, "file:EX-CV-SCT-LaoCai-2026-xin-y-kien-phuong-an-CCN-NSNN",
                          "file:EX-QHT-LaoCai-2021-2030-DC2026-thuyetminh-DRAFT"]
    shown = {row.source_id for row in ccn_store.provisions(EX_BC)}
    (source,) = [s for s in ccn_store.sources() if s.id in shown]
    assert source.path.endswith("EX-BC-SCT-LaoCai-2026-vuong-mac-ND32.docx")  # docx outranks txt


def test_cli_lists_the_report_once(ccn_store, tmp_path: Path):
    import subprocess
    import sys

    home = Path(ccn_store.url.removeprefix("sqlite:///")).parent
    run = subprocess.run([sys.executable, "-m", "api.cli", "--home", str(home), "docs", "--json"],
                         capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert run.returncode == 0, run.stderr
    assert [r["key"] for r in json.loads(run.stdout)].count(EX_BC) == 1


def test_report_appears_once(answer_home):
    _, searcher = answer_home
    hits = searcher.search("tỷ lệ lấp đầy cụm công nghiệp", k=20).hits  # the report: one hit, not one per paragraph or format
    assert [h.citation.doc for h in hits].count(EX_BC) == 1, [h.citation_text for h in hits]
    assert hits[0].citation.doc == ND32



def test_report_filed_in_two_folders_appears_once(answer_home, letters_dir: Path, tmp_path: Path):
    """The same report is filed in ccn/ and, under another name, in letters/: one document."""
    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes, open_searcher

    store, _ = answer_home
    home = tmp_path / "home"
    shutil.copytree(Path(store.url.removeprefix("sqlite:///")).parent, home)
    store = Store.at_home(home)
    assert ingest_paths(store, [letters_dir / "bao-cao-ccn-gui-bct-ban-chuan-nguoi-dung.docx"]).failed == []
    build_indexes(store, home, dense="core", student="off")
    hits = open_searcher(store, home).search("tỷ lệ lấp đầy cụm công nghiệp", k=20).hits
    assert [h.citation.doc for h in hits].count(EX_BC) == 1, [h.citation_text for h in hits]
    assert not any(h.citation.doc.startswith("file:bao-cao") for h in hits)

# --- 4. ranking: norms before letters, a province's texts for that province -------------------


def test_decree_answers_who_decides(answer_home):
    _, searcher = answer_home
    hits = searcher.search("ai quyết định thành lập cụm công nghiệp").hits
    first = hits[0].citation
    assert (first.doc, first.article) == (ND32, 10)
    assert first.clause == 4 or any(c.clause == 4 for c in hits[0].also)
    assert LAOCAI not in [h.citation.doc for h in hits[:3]]


def test_province_named_brings_its_rules(answer_home):
    _, searcher = answer_home
    for query in ("ở Lào Cai, ai quyết định thành lập cụm công nghiệp", "o lao cai ai quyet dinh thanh lap cum cong nghiep"):
        top = [h.citation for h in searcher.search(query).hits[:3]]
        assert any(c.doc == LAOCAI and c.part == "Quy chế" for c in top), [render(c) for c in top]


def test_letters_when_prior_positions_are_asked(answer_home):
    _, searcher = answer_home
    query = "vướng mắc khi thực hiện Nghị định 32 về tỷ lệ lấp đầy"
    plain = [h.citation.doc for h in searcher.search(query).hits]
    asked = [h.citation.doc for h in searcher.search(query + ", công văn đã trả lời thế nào").hits]
    assert EX_BC in asked[:3] and asked.index(EX_BC) < (plain.index(EX_BC) if EX_BC in plain else 99)


# --- 5. a province's Quy chế cited without its number; questions on a document's format ------


@pytest.mark.parametrize(("query", "article"), [("Đ5 QC Lào Cai", 5), ("dieu 12 quy che lao cai noi gi", 12)])
def test_province_regulation_cited_without_its_number(answer_home, query: str, article: int):
    """"QC Lào Cai" is the one Quy chế of Lào Cai the knowledge base holds (attached to QĐ
    16/2026/QĐ-UBND): its Điều, not the decision's nor NĐ 32's, is cited."""
    _, searcher = answer_home
    result = searcher.search(query)
    first = result.hits[0].citation
    assert (first.doc, first.part, first.article) == (LAOCAI, "Quy chế", article)
    assert result.confidence == 1.0


def test_regulation_without_province_is_no_citation(answer_home):
    """"Điều 5 quy chế" names no province: nothing is taken as cited."""
    _, searcher = answer_home
    assert searcher.search("Điều 5 quy chế nói gì").hits[0].parts["cited"] == 0


def test_format_question_is_answered_by_the_decree_on_documents(answer_home):
    """A question on how a document is written names Lào Cai only in its example: the rule on
    capitals in place names (NĐ 30/2020 Phụ lục II, mục III.1) answers it, not Lào Cai's Quy chế,
    which comes first without `format_boost`."""
    _, searcher = answer_home
    query = 'Trong công văn viết "tỉnh Lào Cai" hay "Tỉnh Lào Cai", chữ tỉnh có viết hoa không?'
    first = searcher.search(query).hits[0].citation
    assert (first.doc, first.annex, first.annex_item) == (ND30, "II", "III.1"), render(first)
    unboosted = Searcher.__new__(Searcher)
    unboosted.__dict__.update(searcher.__dict__, settings=searcher.settings.model_copy(update={"format_boost": 1.0}))
    assert unboosted.search(query).hits[0].citation.doc == LAOCAI
