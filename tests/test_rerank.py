"""The re-ranker of questions the wide corpus answers (retrieval/rerank.py): the stored model, its
export from scikit-learn, and on real texts (the ccn corpus with its vectors, and the wide
corpus's texts on electronic invoices, searched by words) what it may and may not move."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pytest

from eval.rerank_fit import export
from kb.model import Status
from retrieval import rerank
from retrieval.search import IN_FORCE_WEIGHT, STATUS_WEIGHT, Filters

INVOICES = ("thue/254-2026-nd-cp-huong-dan-luat-quan-ly-thue-ve-hoa-don-dien-tu-chung-tu-dien-tu.md",
            "thue-phi-le-phi-cac-khoan-thu-khac/quan-ly-thue.md")  # NĐ 123/2020 is in this pháp điển topic


def test_the_stored_model_is_the_one_the_search_reads():
    model = rerank.load_reranker()
    assert model is not None, "retrieval/reranker.json: chạy python -m eval.rerank_fit --write"
    assert model.features == rerank.FEATURES and "validity" not in model.features
    assert model.depth == rerank.DEPTH and len(model.trees) == 200
    assert model.fitted_on.startswith("hoidap-fit on ")  # never the test part, never the holdout


def test_exported_trees_predict_as_scikit_learn():
    """The trees read back from their JSON give scikit-learn's own log-odds, to the last digit."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, len(rerank.FEATURES)))
    y = (x[:, 0] + x[:, 3] * x[:, 4] > 0.2).astype(int)
    fitted = HistGradientBoostingClassifier(max_iter=30, max_depth=3, random_state=0).fit(x, y)
    stored = rerank.Reranker.model_validate_json(export(fitted, "test").model_dump_json())
    assert np.abs(stored.log_odds(x) - fitted.decision_function(x)).max() < 1e-9
    assert np.allclose(stored.probability(x), fitted.predict_proba(x)[:, 1])


def test_features_read_the_editors_citations_and_the_document_type():
    """"cited" and "doc_cited" count the hỏi đáp questions added to a unit and to its document
    (log 1 + n); "type" is the document type's place in the one registry, Luật before Nghị định
    before Thông tư; "doc_title" the share of the question its document's trích yếu holds."""
    from kb import doctypes
    from retrieval.analysis import token_set

    luat, nd, tt = (doctypes.place(name) for name in ("Luật", "Nghị định", "Thông tư"))
    assert luat < nd < tt < doctypes.place(None) == doctypes.place("Không có loại này")
    units = [rerank.Unit("a", "Thuế suất", "Thuế suất 10%.", "Thuế suất bao nhiêu?\nMức thuế?", 1.0, 1.0, None,
                         cited=2, doc_cited=7, type_place=luat),
             rerank.Unit("b", "Hóa đơn", "Lập hóa đơn.", "", 0.5, 0.4, None, type_place=tt,
                         doc_title="Quy định về hóa đơn, chứng từ")]
    x = rerank.features("thuế suất bao nhiêu", {"thue": 1.0, "suat": 1.0}, units, token_set)
    column = {name: x[:, i].tolist() for i, name in enumerate(rerank.FEATURES)}
    assert column["cited"] == pytest.approx([np.log(3), 0.0])
    assert column["doc_cited"] == pytest.approx([np.log(8), 0.0])
    assert column["type"] == [luat, tt]
    assert column["doc_title"] == [0.0, 0.0]
    hoa_don = rerank.features("hóa đơn", {t: 1.0 for t in token_set("hóa đơn")}, units, token_set)
    assert hoa_don[:, rerank.FEATURES.index("doc_title")].tolist() == [0.0, 1.0]


def test_only_texts_in_force_move():
    """Units in force are re-ordered among the places they hold; the others keep theirs."""
    assert rerank.order(np.array([0.1, 0.9, 0.5, 0.7]), [True, False, True, True]) == [3, 1, 2, 0]
    assert rerank.order(np.array([0.2, 0.2, 0.9]), [True, True, True]) == [2, 0, 1]  # ties: search's order
    assert STATUS_WEIGHT[Status.NOT_YET] < IN_FORCE_WEIGHT == STATUS_WEIGHT[Status.UNKNOWN]


@pytest.fixture(scope="module")
def invoices(search_home, wide_dir, tmp_path_factory):
    """A copy of the search home (the ccn corpus, with vectors) with the texts on invoices
    ingested and indexed by words only, as the default knowledge base holds the wide corpus:
    its searcher with the re-ranker, and without."""
    from ingest.runner import ingest_paths
    from kb.store import Store
    from retrieval.build import build_indexes, open_searcher
    from retrieval.settings import preset

    home = tmp_path_factory.mktemp("rerank") / "home"
    shutil.copytree(search_home[1], home)
    store = Store.at_home(home)
    assert ingest_paths(store, [wide_dir / name for name in INVOICES]).failed == []
    build_indexes(store, home, dense="none")
    plain = preset("hybrid")
    plain.rerank = False
    return open_searcher(store, home), open_searcher(store, home, plain)


def _place(result, doc: str, article: int, clause: int) -> int | None:
    return next((h.rank for h in result.hits if (h.citation.doc, h.citation.article, h.citation.clause)
                 == (doc, article, clause)), None)


def test_a_repealed_text_keeps_its_place_below_the_one_in_force(invoices):
    """NĐ 254/2026 replaced NĐ 123/2020. Its khoản 2 Điều 7 says in the question's own words how an
    electronic invoice becomes a paper one, and the model rates it far above khoản 4 Điều 5 NĐ
    254/2026, which says it today (as the hỏi đáp pages, written before, taught it). Re-ordered,
    the answer is the provision in force, and the repealed one keeps the place the search gave it."""
    reranked, plain = (s.search("Chuyển đổi hóa đơn điện tử thành hóa đơn giấy như thế nào?",
                                filters=Filters(as_of=date(2026, 12, 5))) for s in invoices)
    first = reranked.hits[0]
    assert (first.citation.doc, first.citation.article, first.citation.clause) == ("254/2026/NĐ-CP", 5, 4)
    assert first.status == Status.IN_FORCE and "rerank" in first.parts
    old = _place(reranked, "123/2020/NĐ-CP", 7, 2)
    assert old is not None and old > 1 and old == _place(plain, "123/2020/NĐ-CP", 7, 2)
    old_hit = reranked.hits[old - 1]
    assert old_hit.status == Status.REPEALED and old_hit.parts["rerank"] > first.parts["rerank"]
    assert [h.score for h in reranked.hits] == sorted((h.score for h in reranked.hits), reverse=True)


def test_cluster_questions_keep_the_tuned_order(invoices):
    """A question the ccn corpus answers (its first unit has vectors) is not re-ordered."""
    reranked, plain = (s.search("ai quyết định thành lập cụm công nghiệp") for s in invoices)
    assert all("rerank" not in h.parts for h in reranked.hits)
    assert [h.uid for h in reranked.hits] == [h.uid for h in plain.hits]
    first = reranked.hits[0].citation
    assert (first.doc, first.article, first.clause) == ("32/2024/NĐ-CP", 10, 4)
