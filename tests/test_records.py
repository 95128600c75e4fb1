"""The store returns typed records (kb/records.py), not row mappings: on four real documents of
the ccn corpus (NĐ 32/2024, TT 14/2024, QĐ 130/QĐ-CTĐP, công văn 1178/ĐCK-CTT)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import SMALL_SET

from ingest.runner import ingest_paths
from kb import schema
from kb.model import Citation, Kind
from kb.records import (
    AuditRecord,
    DocumentRecord,
    ProvisionRecord,
    RelationRecord,
    SourceRecord,
    field_names,
    records,
)
from kb.store import CachedReads, Store

ROOT = Path(__file__).resolve().parents[1]
ND32 = "32/2024/NĐ-CP"
CV1178 = "1178/ĐCK-CTT"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, ccn_dir: Path) -> Store:
    store = Store.at_home(tmp_path_factory.mktemp("records") / "home")
    report = ingest_paths(store, [ccn_dir / name for name in SMALL_SET])
    assert report.failed == [] and len(report.ingested) == len(SMALL_SET)
    return store


def test_record_fields_are_the_tables_columns() -> None:
    assert field_names(DocumentRecord) == tuple(schema.documents.c.keys())
    assert field_names(ProvisionRecord) == tuple(schema.provisions.c.keys())
    assert field_names(RelationRecord) == (*schema.relations.c.keys(), "source_kind")
    assert field_names(AuditRecord) == tuple(schema.kb_audit.c.keys())
    assert set(field_names(SourceRecord)) == set(schema.sources.c.keys()) - {"size", "original_z"}


def test_records_refuse_a_query_whose_columns_differ() -> None:
    with pytest.raises(TypeError, match="DocumentRecord: columns"):
        records(DocumentRecord, ["key", "number"], [("x", "y")])


def test_documents_are_document_records(small_store: Store) -> None:
    docs = small_store.documents()
    assert docs and all(type(d) is DocumentRecord for d in docs)
    held = {d.key for d in small_store.documents(include_stubs=False)}
    assert {ND32, "14/2024/TT-BCT", "130/QĐ-CTĐP", CV1178} <= held
    doc = small_store.document(ND32)
    assert type(doc) is DocumentRecord
    assert (doc.number, doc.doc_type, doc.issuer) == (ND32, "Nghị định", "Chính phủ")
    assert (doc.issued, doc.effective, doc.is_stub) == (date(2024, 3, 15), date(2024, 5, 1), False)
    assert doc.title == "Về quản lý, phát triển cụm công nghiệp"
    assert small_store.document("9999/2099/NĐ-CP") is None


def test_records_are_frozen_and_copied_by_replace(small_store: Store) -> None:
    doc = small_store.document(ND32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "khác"  # type: ignore[misc]
    copy = dataclasses.replace(doc, title="khác")
    assert (copy.title, copy.number, doc.title) == ("khác", ND32, "Về quản lý, phát triển cụm công nghiệp")


def test_provisions_are_provision_records(small_store: Store) -> None:
    chapters = small_store.provisions(ND32, kind=Kind.CHAPTER.value)
    assert all(type(p) is ProvisionRecord for p in chapters)
    assert [c.label for c in chapters] == [f"Chương {n}" for n in ["I", "II", "III", "IV", "V", "VI", "VII"]]
    article = small_store.provision(Citation(ND32, article=2))
    assert type(article) is ProvisionRecord
    assert (article.doc_key, article.kind, article.article, article.title) == (
        ND32, Kind.ARTICLE.value, 2, "Giải thích từ ngữ")
    assert small_store.provision_by_pid(article.pid) == article
    assert small_store.provision(Citation(ND32, article=999)) is None


def test_relations_are_relation_records_with_their_source_kind(small_store: Store) -> None:
    cited = [r for r in small_store.relations(to_doc=ND32) if r.from_doc == CV1178 and r.kind == "cites"]
    assert cited and all(type(r) is RelationRecord for r in cited)
    assert (8, 1, "c") in {(r.to_article, r.to_clause, r.to_point) for r in cited}
    assert {r.source_kind for r in cited} == {"document"}
    assert small_store.relations(to_doc=ND32, from_doc=CV1178) == [
        r for r in small_store.relations(to_doc=ND32) if r.from_doc == CV1178]


def test_sources_and_audit_are_records(small_store: Store) -> None:
    sources = small_store.sources()
    assert [type(s) for s in sources] == [SourceRecord] * len(SMALL_SET)
    assert sorted(Path(s.path).name for s in sources) == sorted(SMALL_SET)
    assert all(s.current and s.version == 1 and s.status == "active" for s in sources)
    assert small_store.source(sources[0].id) == sources[0]
    assert small_store.source(10**9) is None
    audit = small_store.kb_audit()
    assert [type(a) for a in audit] == [AuditRecord] * len(SMALL_SET)
    assert sorted(a.file for a in audit) == sorted(SMALL_SET)
    assert {a.action for a in audit} == {"ingest"}
    assert [a.source_id for a in small_store.kb_audit(sources[0].id)] == [sources[0].id]


def test_cached_reads_return_the_same_records(small_store: Store) -> None:
    cached = CachedReads(small_store)
    assert cached.document(ND32) == small_store.document(ND32)
    assert cached.provisions(ND32) == small_store.provisions(ND32)
    assert cached.relations(to_doc=ND32) == small_store.relations(to_doc=ND32)
    assert all(type(r) is RelationRecord for r in cached.relations(to_doc=ND32))


# subscript reads of a store row, by the names kb/lookup.py gives them (`r` and `parent` are
# also result dicts there: `format_show`'s `r["to_text"]`, `structure_tree`'s `parent["children"]`)
ROW_READ = re.compile(r"\b(?:doc|row|rel|p|document)(?:\[[\"']|\.get\([\"'])")


def test_lookup_reads_store_rows_by_attribute() -> None:
    source = (ROOT / "kb" / "lookup.py").read_text(encoding="utf-8")
    assert ROW_READ.findall(source) == []
    assert ROW_READ.findall('doc["number"] or row["doc_key"] or rel.get("confidence")') == [
        'doc["', 'row["', 'rel.get("']
