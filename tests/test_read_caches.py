"""Read caches stay exact: the store's relation index follows new sources, a request's
CachedReads answers like the store, and search marks find the query's words without accents."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_amendments import AMENDING, AMENDING_TEXT

from ingest.runner import ingest_paths
from kb.store import CachedReads, Store
from retrieval.search import _marks


def test_relation_index_sees_a_document_ingested_after_it_was_read(ccn_dir: Path, tmp_path: Path) -> None:
    store = Store.at_home(tmp_path)
    shutil.copy(ccn_dir / "ND-32-2024-ND-CP.txt", tmp_path / "nd32.txt")
    ingest_paths(store, [tmp_path / "nd32.txt"])
    before = store.relations(to_doc="32/2024/NĐ-CP")
    assert all(r.from_doc != AMENDING for r in before)
    amending = tmp_path / "amending.txt"
    amending.write_text(AMENDING_TEXT, encoding="utf-8")
    ingest_paths(store, [amending])
    after = store.relations(to_doc="32/2024/NĐ-CP")
    assert {(r.kind, r.to_article, r.to_clause) for r in after if r.from_doc == AMENDING} >= {
        ("amends", 8, 2), ("repeals", 9, 2)}
    assert store.relations(from_doc=AMENDING, to_doc="32/2024/NĐ-CP") == [r for r in after if r.from_doc == AMENDING]
    assert len(store.relations()) == len(Store.at_home(tmp_path).relations())


def test_cached_reads_answer_like_the_store(ccn_store: Store) -> None:
    cached = CachedReads(ccn_store)
    assert cached.relations(to_doc="32/2024/NĐ-CP") == ccn_store.relations(to_doc="32/2024/NĐ-CP")
    assert cached.document("32/2024/NĐ-CP") == ccn_store.document("32/2024/NĐ-CP")
    first = cached.relations(to_doc="32/2024/NĐ-CP")
    first.clear()  # a caller's list is its own
    assert cached.relations(to_doc="32/2024/NĐ-CP")


def test_marks_are_accent_insensitive_whole_words() -> None:
    text = "Mở rộng cụm công nghiệp phải đáp ứng: c) Đạt tỷ lệ lấp đầy ít nhất 60%"
    assert [text[s:e] for s, e in _marks(text, "CCN mo rong thi ty le lap day bao nhieu?")] == ["Mở rộng", "tỷ lệ lấp đầy"]
    assert [text[s:e] for s, e in _marks(text, "tỷ lệ lấp đầy bao nhiêu?")] == ["tỷ lệ lấp đầy"]
    assert _marks(text, "công") == [(text.index("công"), text.index("công") + 4)]
    assert _marks(text, "?") == []
