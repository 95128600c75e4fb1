"""Questions of hỏi đáp pages as words of the provisions they cite (retrieval/asked.py), on two
real pages of ../shared/corpus/hoidap.tar.xz that cite NĐ 32/2024 and the ccn corpus."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from eval.hoidap import read_pages
from kb.store import Store
from retrieval.asked import asked_questions, is_evaluation_page
from retrieval.index import connect_units, sync_units
from retrieval.units import iter_units

HOIDAP_TAR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hoidap.tar.xz"
ROOT = Path(__file__).resolve().parents[1]
ASKED = "51a30fcc7a2a799e.md"  # "Quyết định thành lập, mở rộng cụm công nghiệp …" → Điều 12 NĐ 32/2024
EVALUATED = "6297be958735def1.md"  # "… chủ đầu tư xây dựng hạ tầng kỹ thuật …" → Điều 13 NĐ 32/2024
QUESTION = "Quyết định thành lập, mở rộng cụm công nghiệp được quy định như thế nào?"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hoidap")
    for name, text in read_pages([ASKED, EVALUATED], HOIDAP_TAR).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_evaluation_half_is_fixed_by_the_file_name():
    assert not is_evaluation_page(ASKED) and is_evaluation_page(EVALUATED)


def test_questions_join_every_clause_of_the_cited_article(ccn_store, pages: Path):
    units = list(iter_units(ccn_store))
    asked = asked_questions(ccn_store, units, [pages])
    article_12 = [u for u in units if u.citation.doc == "32/2024/NĐ-CP" and u.citation.article == 12]
    assert [u.citation.clause for u in article_12] == [1, 2]  # khoản 1 and 2 of Điều 12
    assert {u.uid for u in article_12} <= asked.keys()
    assert asked[article_12[0].uid] == [QUESTION]
    # the evaluation page's question (Điều 13) is never added, nor anything else
    assert asked.keys() == {u.uid for u in article_12}


def test_articles_of_the_holdout_get_no_question(ccn_store, pages: Path):
    """Điều 12 NĐ 32/2024 answers a held-out question: with the holdout excluded, nothing is added."""
    units = list(iter_units(ccn_store))
    assert asked_questions(ccn_store, units, [pages], [ROOT / "eval" / "sets" / "holdout.jsonl"]) == {}


def test_a_unit_whose_questions_change_is_analysed_again(ccn_store, pages: Path, tmp_path: Path):
    report, _ = sync_units(ccn_store, tmp_path, embed=lambda unit: False)
    units = list(iter_units(ccn_store))
    asked = asked_questions(ccn_store, units, [pages])
    again, _ = sync_units(ccn_store, tmp_path, embed=lambda unit: False, asked=lambda _units: asked)
    assert report.added == report.units and again.added == 2
    conn: sqlite3.Connection = connect_units(tmp_path)
    tokens = dict(conn.execute("SELECT uid, tokens FROM units"))
    conn.close()
    # "như thế nào" is the question's, not the decree's: only the two units of Điều 12 have it
    having = {uid for uid, words in tokens.items() if "thế_nào" in words.split()}
    assert having == asked.keys()


@pytest.mark.slow
def test_the_hoidap_set_asks_only_the_evaluation_half(ccn_store, tmp_path: Path):
    """`ccn eval --set hoidap` mines the whole archive (here against the ccn corpus) and keeps the
    questions of the evaluation pages: Điều 13's page is asked, Điều 12's page is not."""
    from eval.runner import _mined_hoidap, is_fitting_page, load_set

    items = [json.loads(line) for line in _mined_hoidap(ccn_store, tmp_path).read_text(encoding="utf-8").splitlines()]
    assert items and all(is_evaluation_page(item["source"]) for item in items)
    sources = {item["source"] for item in items}
    assert EVALUATED in sources and ASKED not in sources
    # the fitting part (re-ranker, confidence) and the test part share no page and make the half
    test, fitting = load_set("hoidap", ccn_store, tmp_path), load_set("hoidap-fit", ccn_store, tmp_path)
    assert test and fitting and len(test) + len(fitting) == len(items)
    assert not {i["source"] for i in test} & {i["source"] for i in fitting}
    assert all(is_fitting_page(i["source"]) for i in fitting) and not any(is_fitting_page(i["source"]) for i in test)


def test_a_unit_skipped_before_is_embedded_once_its_document_is(ccn_store: Store, tmp_path: Path):
    """The units of a document that gets vectors later (embed_predicate changed its mind: NĐ 96/2026
    found to be a core text) are queued for a vector though their text did not change."""
    sync_units(ccn_store, tmp_path, embed=lambda unit: False)
    again, _ = sync_units(ccn_store, tmp_path, embed=lambda unit: unit.doc_key == "96/2026/NĐ-CP")
    assert again.added == 0
    conn = connect_units(tmp_path)
    states = dict(conn.execute("SELECT doc = '96/2026/NĐ-CP', count(DISTINCT embedded) || ':' || min(embedded) "
                               "FROM units GROUP BY 1"))
    conn.close()
    assert states == {1: "1:0", 0: "1:2"}  # NĐ 96/2026 pending, the others still skipped
