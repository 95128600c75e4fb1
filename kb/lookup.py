"""Read-side queries shared by the CLI and the HTTP API: document list, one provision by citation."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import RowMapping

from kb import citations
from kb.model import Citation, Kind
from kb.store import Store
from kb.validity import document_validity, provision_validity


def document_rows(store: Store, at: date) -> list[dict]:
    """One row per document (stubs included, flagged), with validity at `at`."""
    rows = []
    for doc in store.documents():
        key = doc["key"]
        validity = document_validity(store, key, at)
        rows.append({
            "doc": doc["number"],
            "key": key,
            "type": doc["doc_type"],
            "issuer": doc["issuer"],
            "issued": _iso(doc["issued"]),
            "effective": _iso(doc["effective"]),
            "status": validity.status.value,
            "status_text": validity.text,
            "status_note": validity.note,
            "title": doc["title"] or doc["subject"] or "",
            "articles": len([p for p in store.provisions(key, kind=Kind.ARTICLE.value) if p["part"] is None and p["annex"] is None]),
            "replaces": _targets(store.relations(from_doc=key)),
            "replaced_by": validity.replaced_by or _replacers(store, doc),
            "in_store": not doc["is_stub"],
        })
    return rows


def _targets(relations: list[RowMapping]) -> list[str]:
    return sorted({r["to_doc"] for r in relations if r["kind"] in ("replaces", "repeals") and r["to_article"] is None})


def _replacers(store: Store, doc: RowMapping) -> list[str]:
    number = doc["number"] or doc["key"]
    return sorted({r["from_doc"] for r in store.relations(to_doc=number)
                   if r["kind"] in ("replaces", "repeals") and r["to_article"] is None})


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def resolve_citation(store: Store, text: str) -> tuple[Citation | None, list[str]]:
    """A citation string → the address in the store (partial numbers matched), with warnings."""
    parsed = citations.parse_one(text)
    if parsed is None:
        return None, [f"không nhận ra trích dẫn «{text}»"]
    warnings: list[str] = []
    if parsed.doc and store.document(parsed.doc) is None:
        candidates = citations.match_partial(_partial_text(text, parsed.doc), store.known_numbers())
        if len(candidates) == 1:
            if candidates[0] != parsed.doc:
                warnings.append(f"hiểu «{parsed.doc}» là {candidates[0]}")
            parsed = parsed.with_doc(candidates[0])
        elif len(candidates) > 1:
            warnings.append(f"«{parsed.doc}» có thể là: {', '.join(sorted(candidates))}")
    return parsed, warnings


def _partial_text(text: str, fallback: str) -> str:
    """The document part of the query as typed ("NĐ 32", "Nghị định 32/2024")."""
    for mention in citations.find_citations(text):
        if mention.doc_ref is not None:
            return mention.doc_ref.raw
    return fallback


def show(store: Store, text: str, at: date) -> dict:
    """Everything `ccn show` prints: text, canonical citation, document, validity, relations."""
    address, warnings = resolve_citation(store, text)
    if address is None or not address.doc:
        return {"found": False, "query": text, "warnings": warnings or ["trích dẫn thiếu tên văn bản"]}
    row = store.provision(address)
    if row is None:
        return {"found": False, "query": text, "citation": address.to_dict(), "warnings": warnings
                + [f"không có {citations.render(address)} trong kho dữ liệu"]}
    return provision_view(store, row, at) | {"found": True, "query": text, "warnings": warnings}


def provision_view(store: Store, row: RowMapping, at: date) -> dict:
    doc = store.document(row["doc_key"])
    number = (doc["number"] if doc else None) or row["doc_key"]
    address = Citation(number, row["part"], row["annex"], row["article"], row["clause"], row["point"])
    validity, version, versions = provision_validity(store, row, at)
    return {
        "id": row["pid"],
        "citation": address.to_dict(),
        "citation_text": citations.render(address, doc["doc_type"] if doc else None),
        "text": version.text,
        "original_text": row["text"],
        "title": row["title"],
        "doc_title": (doc["title"] or doc["subject"]) if doc else "",
        "doc_type": doc["doc_type"] if doc else None,
        "as_of": at.isoformat(),
        "status": validity.status.value,
        "status_text": validity.text,
        "validity": validity.to_dict(),
        "versions": [v.to_dict() for v in versions],
        "relations": _provision_relations(store, row, address),
    }


def _provision_relations(store: Store, row: RowMapping, address: Citation) -> dict:
    number = address.doc or ""
    incoming = store.relations(to_doc=number)
    whole_doc = [r for r in incoming if r["to_article"] is None and r["kind"] in ("replaces", "repeals")]
    here = [r for r in incoming if r["to_article"] == address.article and r["to_part"] == address.part
            and r["to_annex"] == address.annex]
    outgoing = [r for r in store.relations(from_doc=row["doc_key"]) if r["from_pid"] == row["pid"]]
    return {
        "amended_by": _rel_list(r for r in here if r["kind"] == "amends"),
        "repealed_by": _rel_list(r for r in here if r["kind"] == "repeals"),
        "replaced_by": _rel_list(whole_doc),
        "cites": _rel_list(outgoing),
        "cited_by": _rel_list(r for r in here if r["kind"] == "cites"),
    }


def _rel_list(rows) -> list[dict]:
    out = []
    for r in rows:
        target = Citation(r["to_doc"], r["to_part"], r["to_annex"], r["to_article"], r["to_clause"], r["to_point"])
        out.append({
            "kind": r["kind"],
            "from_doc": r["from_doc"],
            "to": target.to_dict(),
            "to_text": citations.render(target) if target.article or target.annex else target.doc,
            "effective": _iso(r["effective"]),
            "evidence": r["evidence"],
        })
    return out


def format_show(result: dict) -> str:
    """Plain-text rendering of `show` for the terminal."""
    if not result.get("found"):
        return "\n".join(["Không tìm thấy quy định."] + result.get("warnings", []))
    v = result["validity"]
    lines = [
        result["citation_text"],
        f"Văn bản: {result['doc_title']}",
        f"Hiệu lực ngày {result['as_of']}: {v['status_text']}" + (f" — {v['note']}" if v["note"] else ""),
        "",
        result["text"],
        "",
    ]
    rel = result["relations"]
    for key, name in (("amended_by", "Được sửa đổi bởi"), ("repealed_by", "Bị bãi bỏ bởi"),
                      ("replaced_by", "Văn bản bị thay thế bởi"), ("cites", "Dẫn chiếu"),
                      ("cited_by", "Được dẫn chiếu bởi")):
        if rel[key]:
            names = sorted({r["from_doc"] if key not in ("cites",) else r["to_text"] for r in rel[key]})
            lines.append(f"{name}: {'; '.join(names)}")
    lines.extend(f"Lưu ý: {w}" for w in result.get("warnings", []))
    return "\n".join(lines)
