"""build_bm25 streams the cached tokens into its own score matrix: it must be the index a plain
`bm25s.BM25(k1=1.2, b=0.75).index(token_lists)` builds (the way it was built before)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import bm25s
import numpy as np
import pytest

from retrieval import index
from retrieval.analysis import analyze_query, fold
from retrieval.index import build_bm25, connect_units, load_bm25, sync_units

ROOT = Path(__file__).resolve().parents[1]


def plain_bm25s(home: Path) -> tuple[bm25s.BM25, list[str]]:
    """The index as build_bm25 made it before: token lists of strings into bm25s."""
    conn = sqlite3.connect(home / "index" / "units.sqlite3")
    rows = conn.execute("SELECT uid, tokens FROM units ORDER BY doc_key, uid").fetchall()
    conn.close()
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([tokens.split() or ["∅"] for _, tokens in rows], show_progress=False)
    return retriever, [uid for uid, _ in rows]


def assert_same_matrix(built: bm25s.BM25, plain: bm25s.BM25) -> None:
    """Same vocabulary and, token by token, the same units with the same float32 scores."""
    assert set(built.vocab_dict) == set(plain.vocab_dict)
    assert built.scores["num_docs"] == plain.scores["num_docs"]
    b, p = built.scores, plain.scores
    assert b["data"].dtype == p["data"].dtype and b["indices"].dtype == p["indices"].dtype
    assert len(b["data"]) == len(p["data"])
    for token, column in plain.vocab_dict.items():
        if token == "":  # bm25s's empty token: in the vocabulary, past the last column
            assert column == len(p["indptr"]) - 1
            assert built.vocab_dict[""] == len(b["indptr"]) - 1
            continue
        ours = built.vocab_dict[token]
        theirs = slice(p["indptr"][column], p["indptr"][column + 1])
        mine = slice(b["indptr"][ours], b["indptr"][ours + 1])
        assert np.array_equal(b["indices"][mine], p["indices"][theirs]), token
        assert np.array_equal(b["data"][mine], p["data"][theirs]), token


def dev_queries(n: int) -> list[list[str]]:
    lines = (ROOT / "eval/sets/dev.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines[:n]]
    return [tokens for q in questions for tokens in (analyze_query(q), analyze_query(fold(q))) if tokens]


def assert_same_rankings(built: bm25s.BM25, plain: bm25s.BM25, uids: list[str]) -> None:
    queries = dev_queries(40)
    assert len(queries) >= 60
    for tokens in queries:
        ours, theirs = built.get_scores(tokens), plain.get_scores(tokens)
        assert theirs.max() > 0  # the query finds something, so the comparison means something
        top_ours = np.argsort(-ours, kind="stable")[:10]
        top_theirs = np.argsort(-theirs, kind="stable")[:10]
        assert [uids[i] for i in top_ours] == [uids[i] for i in top_theirs]
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@pytest.fixture(scope="module")
def ccn_units_home(ccn_store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose units.sqlite3 holds the ccn corpus's units (analysed, no vectors)."""
    home = tmp_path_factory.mktemp("bm25-build")
    report, _ = sync_units(ccn_store, home, embed=lambda unit: False)
    assert report.units > 1000
    return home


def test_build_bm25_equals_plain_bm25s_on_ccn(ccn_units_home: Path):
    count = build_bm25(ccn_units_home)
    built, uids = load_bm25(ccn_units_home)
    plain, plain_uids = plain_bm25s(ccn_units_home)
    assert count == len(uids) == len(plain_uids) > 1000
    assert uids == plain_uids
    assert_same_matrix(built, plain)
    assert_same_rankings(built, plain, uids)


def test_build_bm25_in_small_batches(ccn_units_home: Path, monkeypatch, tmp_path: Path):
    """Units read and placed in many batches give the same matrix (the ccn corpus alone fits
    in one batch at the default size)."""
    home = tmp_path / "home"
    (home / "index").mkdir(parents=True)
    (home / "index" / "units.sqlite3").write_bytes((ccn_units_home / "index" / "units.sqlite3").read_bytes())
    monkeypatch.setattr(index, "_BATCH_UNITS", 97)
    build_bm25(home)
    built, uids = load_bm25(home)
    plain, _ = plain_bm25s(home)
    assert_same_matrix(built, plain)
    assert_same_rankings(built, plain, uids)


def test_build_bm25_edge_units(tmp_path: Path):
    """A unit without tokens (scored by the "∅" stand-in), repeated tokens, a token in every
    unit; unknown query tokens are ignored as before."""
    conn = connect_units(tmp_path)
    tokens = ["a b b b c", "", "a d", "a b e e e e e e e", "a", "a f f"]
    rows = [(f"u{i}", "fp", f"doc{i % 2}", t) for i, t in enumerate(tokens)]
    conn.executemany("INSERT INTO units (uid, fingerprint, doc_key, tokens) VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    assert build_bm25(tmp_path) == len(tokens)
    built, uids = load_bm25(tmp_path)
    plain, plain_uids = plain_bm25s(tmp_path)
    assert uids == plain_uids == ["u0", "u2", "u4", "u1", "u3", "u5"]
    assert_same_matrix(built, plain)
    for query in (["b"], ["e", "a"], ["∅"], ["a", "zz"], ["zz"], ["f", "b", "d"]):
        np.testing.assert_array_equal(built.get_scores(query), plain.get_scores(query))
    assert built.get_scores(["∅"])[uids.index("u1")] > 0
    assert built.get_scores(["b"])[uids.index("u0")] > built.get_scores(["b"])[uids.index("u3")]


def test_build_bm25_without_units(tmp_path: Path):
    connect_units(tmp_path).close()
    assert build_bm25(tmp_path) == 0
    assert load_bm25(tmp_path) == (None, [])
