"""Read-side queries shared by the CLI and the HTTP API: document list, one provision by citation."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from kb import citations
from kb.catalog import source_kind
from kb.institutions import InstitutionChange
from kb.model import Citation, CitationJSON, Kind, Status
from kb.records import DocumentRecord, ProvisionRecord, RelationRecord
from kb.store import Store
from kb.validity import (
    Validity,
    added_validity,
    added_versions,
    document_amendments,
    document_validity,
    provision_notes,
    provision_validity,
    reported_changes,
    version_at,
)
from kb.views import (
    ContextNode,
    DocumentDetail,
    DocumentRow,
    ProvisionContext,
    ProvisionView,
    RelationItem,
    StructureNode,
)


def document_rows(store: Store, at: date) -> list[DocumentRow]:
    """One row per document (stubs included, flagged), with validity at `at`."""
    return [document_row(store, doc, at) for doc in store.documents()]


def document_row(store: Store, doc: DocumentRecord, at: date) -> DocumentRow:
    """One document's row of `ccn docs`: number, type, dates, validity at `at`, replacements."""
    return DocumentRow(**_row_fields(store, doc, at))


def _row_fields(store: Store, doc: DocumentRecord, at: date) -> dict:
    key = doc.key
    validity = document_validity(store, key, at)
    return {
        "doc": doc.number,
        "key": key,
        "type": doc.doc_type,
        "issuer": doc.issuer,
        "issued": _iso(doc.issued),
        "effective": _iso(doc.effective),
        "status": validity.status.value,
        "status_text": validity.text,
        "status_note": validity.note,
        "title": doc.title or doc.subject or "",
        "articles": len([p for p in store.provisions(key, kind=Kind.ARTICLE.value) if p.part is None and p.annex is None]),
        "replaces": _targets(store.relations(from_doc=key)),
        "replaced_by": validity.replaced_by or _replacers(store, doc),
        "since": _iso(validity.since),
        "status_evidence": validity.evidence,  # what the status rests on (kb.validity)
        "amendment_notes": document_amendments(store, doc.number or key, at),
        "in_store": not doc.is_stub,
        "source": source_kind(doc),
    }


def _targets(relations: list[RelationRecord]) -> list[str]:
    return sorted({r.to_doc for r in relations if r.kind in ("replaces", "repeals") and _whole(r)})


def _replacers(store: Store, doc: DocumentRecord) -> list[str]:
    number = doc.number or doc.key
    return sorted({r.from_doc for r in store.relations(to_doc=number)
                   if r.kind in ("replaces", "repeals") and _whole(r)})


def _whole(rel: RelationRecord) -> bool:
    """A relation on the whole document: not on an article, an annex ("Thay thế Phụ lục I …")
    or an attached part."""
    return rel.to_article is None and rel.to_annex is None and rel.to_part is None


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
    if row is None and (added := added_versions(store, address)):
        return _shown(added_view(store, address, added, at), text, warnings)
    if row is None:
        doc = store.document(address.doc)
        whole = address == Citation(address.doc, address.part) and doc is not None and not doc.is_stub
        problem = (f"{citations.render(address, doc.doc_type)} có trong kho dữ liệu; hãy nêu Điều, khoản, điểm "
                   "hoặc Phụ lục, mục, Biểu, Mẫu cần xem" if whole
                   else f"không có {citations.render(address)} trong kho dữ liệu")
        return {"found": False, "query": text, "citation": address.to_dict(), "warnings": warnings + [problem]}
    return _shown(provision_view(store, row, at), text, warnings)


def _shown(view: ProvisionView, text: str, warnings: list[str]) -> dict:
    return view.model_dump(mode="json") | {"found": True, "query": text, "warnings": warnings}


def provision_address(store: Store, row: ProvisionRecord) -> tuple[Citation, str | None]:
    """A stored provision's citation (under its document's số hiệu) and the document's type."""
    doc = store.document(row.doc_key)
    number = (doc.number if doc else None) or row.doc_key
    item = citations.stored_annex_item(row.annex, row.kind, row.label)
    address = Citation(number, row.part, row.annex, row.article, row.clause, row.point, item)
    return address, doc.doc_type if doc else None


def provision_view(store: Store, row: ProvisionRecord, at: date) -> ProvisionView:
    doc = store.document(row.doc_key)
    address, doc_type = provision_address(store, row)
    validity, version, versions = provision_validity(store, row, at)
    return ProvisionView(**{
        "id": row.pid,
        "citation": address,
        "citation_text": citations.render(address, doc_type),
        "text": version.text,
        "original_text": row.text,
        "title": row.title,
        "doc_title": (doc.title or doc.subject) if doc else "",
        "doc_type": doc.doc_type if doc else None,
        "as_of": at.isoformat(),
        "status": validity.status.value,
        "status_text": validity.text,
        "validity": validity,
        "versions": versions,
        "notes": provision_notes(store, row, version.text, at),
        "reported_changes": reported_changes(store, version.source_doc, address) if version.text_missing else [],
        "relations": _provision_relations(store, row, address),
    })


def added_view(store: Store, address: Citation, versions: list, at: date) -> ProvisionView:
    """`show` for a provision an amending text added (no row of its own: kb.validity.added_versions)."""
    doc = store.document(address.doc or "")
    validity = added_validity(store, address, versions, at)
    current = version_at(versions, at)
    sources = {v.source_doc for v in versions}
    relations = [r for r in store.relations(to_doc=address.doc or "") if r.from_doc in sources
                 and (r.to_article, r.to_clause, r.to_point) == (address.article, address.clause, address.point)]
    return ProvisionView(**{
        "id": None,
        "citation": address,
        "citation_text": citations.render(address, doc.doc_type if doc else None),
        "text": current.text if validity.status != Status.NOT_YET else "",
        "original_text": "",
        "title": None,
        "doc_title": ((doc.title or doc.subject) if doc else ""),
        "doc_type": doc.doc_type if doc else None,
        "as_of": at.isoformat(),
        "status": validity.status.value,
        "status_text": validity.text,
        "validity": validity,
        "versions": versions,
        "notes": [],
        "reported_changes": [],
        "relations": {"amended_by": _rel_list(r for r in relations if r.kind == "amends"),
                      "repealed_by": _rel_list(r for r in relations if r.kind == "repeals"),
                      "replaced_by": [], "cites": [], "cited_by": []},
    })


def _provision_relations(store: Store, row: ProvisionRecord, address: Citation) -> dict[str, list[RelationItem]]:
    number = address.doc or ""
    incoming = store.relations(to_doc=number)
    whole_doc = [r for r in incoming if r.to_article is None and r.kind in ("replaces", "repeals")]
    here = [r for r in incoming if r.to_article == address.article and r.to_part == address.part
            and r.to_annex == address.annex]
    outgoing = [r for r in store.relations(from_doc=row.doc_key) if r.from_pid == row.pid]
    return {
        "amended_by": _rel_list(r for r in here if r.kind == "amends"),
        "repealed_by": _rel_list(r for r in here if r.kind == "repeals"),
        "replaced_by": _rel_list(whole_doc),
        "cites": _rel_list(outgoing),
        "cited_by": _rel_list(r for r in here if r.kind == "cites"),
    }


def reassigning_provisions(store: Store, target: Citation, change: InstitutionChange,
                           at: date) -> list[tuple[ProvisionRecord, Validity]]:
    """Provisions that say who now does a task `target` gave a body `change` abolished or merged:
    those of documents in force from the change's date on (and in force at `at`) citing
    `target`'s Điều (or its khoản). Each comes with its own validity at `at`, so one whose
    application has since ended (Điều 12 NĐ 139/2025 from 15/9/2026) is shown as ended, not as
    the current rule. This is how cấp huyện tasks of NĐ 32/2024 reach Điều 11, 12 NĐ 139/2025."""
    found: dict[str, tuple[ProvisionRecord, Validity]] = {}
    for rel in store.relations(to_doc=target.doc or ""):
        if rel.kind != "cites" or rel.to_article != target.article or rel.from_doc == target.doc:
            continue
        if rel.to_clause not in (None, target.clause) or not rel.from_pid or rel.from_pid in found:
            continue
        doc = store.document(rel.from_doc)
        if doc is None or doc.effective is None or change.since is None or doc.effective < change.since:
            continue  # cites it for another reason, before the change
        if change.competence_texts and rel.from_doc not in change.competence_texts:
            continue  # the notice names the texts that reassign the tasks: only those
        if document_validity(store, rel.from_doc, at).status != Status.IN_FORCE:
            continue
        row = store.provision_by_pid(rel.from_pid)
        if row is None or not (change.competence_texts or change.named_in(row.text)
                               or change.new_named_in(row.text)):
            continue
        found[rel.from_pid] = (row, provision_validity(store, row, at)[0])
    return list(found.values())


def _rel_list(rows) -> list[RelationItem]:
    out = []
    for r in rows:
        target = Citation(r.to_doc, r.to_part, r.to_annex, r.to_article, r.to_clause, r.to_point)
        out.append(RelationItem(**{
            "kind": r.kind,
            "from_doc": r.from_doc,
            "to": target,
            "to_text": citations.render(target) if target.article or target.annex else target.doc,
            "effective": _iso(r.effective),
            "evidence": r.evidence,
        }))
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
    lines.extend(f"Ghi chú: {note}" for note in result.get("notes", []))
    lines.extend(result.get("reported_changes", []))
    rel = result["relations"]
    for key, name in (("amended_by", "Được sửa đổi bởi"), ("repealed_by", "Bị bãi bỏ bởi"),
                      ("replaced_by", "Văn bản bị thay thế bởi"), ("cites", "Dẫn chiếu"),
                      ("cited_by", "Được dẫn chiếu bởi")):
        if rel[key]:
            names = sorted({r["from_doc"] if key not in ("cites",) else r["to_text"] for r in rel[key]})
            lines.append(f"{name}: {'; '.join(names)}")
    lines.extend(f"Lưu ý: {w}" for w in result.get("warnings", []))
    return "\n".join(lines)


# ------------------------------------------------------------- browsing (HTTP API, web UI)
def find_document(store: Store, key: str) -> DocumentRecord | None:
    """A document by its key or số hiệu as typed ("32/2024/NĐ-CP", "32/2024/nđ-cp")."""
    return store.document(key) or store.document(citations.normalize_number(key))


def document_detail(store: Store, doc: DocumentRecord, at: date) -> DocumentDetail:
    """A document's row, its metadata, validity at `at`, structure tree and relations."""
    meta = doc.meta or {}
    number = doc.number or doc.key
    return DocumentDetail(**_row_fields(store, doc, at) | {
        "number": doc.number,
        "doc_class": doc.doc_class,
        "parent_issuer": doc.parent_issuer,
        "place": doc.place,
        "subject": doc.subject,
        "effective_note": doc.effective_note,
        "expires": _iso(doc.expires),
        "signer": meta.get("signer"),
        "signer_title": meta.get("signer_title"),
        "recipients": meta.get("recipients") or [],
        "bases": meta.get("bases") or [],
        "as_of": at.isoformat(),
        "validity": document_validity(store, doc.key, at),
        "structure": structure_tree(store, doc),
        "relations": {"outgoing": _rel_list(store.relations(from_doc=doc.key)),
                      "incoming": _rel_list(r for r in store.relations(to_doc=number)
                                            if r.from_doc != doc.key)},
    })


def structure_tree(store: Store, doc: DocumentRecord) -> list[StructureNode]:
    """The document's provisions as a tree (Phần, Chương … Điều, khoản, điểm), without text."""
    number = doc.number or doc.key
    nodes: dict[str, StructureNode] = {}
    roots: list[StructureNode] = []
    for row in store.provisions(doc.key):
        node = StructureNode(**_node(row, number, doc.doc_type))
        nodes[row.pid] = node
        parent = nodes.get(row.parent_pid) if row.parent_pid else None
        (parent.children if parent else roots).append(node)
    return roots


def _node(row: ProvisionRecord, number: str, doc_type: str | None) -> dict:
    address = Citation(number, row.part, row.annex, row.article, row.clause, row.point)
    own = citations.render(address, doc_type, with_doc=False) if row.kind not in _CONTAINERS else ""
    return {"id": row.pid, "kind": row.kind, "label": row.label, "title": row.title,
            "citation": address, "citation_text": own or row.label or ""}


_CONTAINERS = {k.value for k in (Kind.PART, Kind.CHAPTER, Kind.SECTION, Kind.SUBSECTION, Kind.PARAGRAPH)}


def provision_context(store: Store, row: ProvisionRecord) -> ProvisionContext:
    """Where a provision sits: its ancestors (outermost first), children, previous and next."""
    doc = store.document(row.doc_key)
    number = (doc.number if doc else None) or row.doc_key
    doc_type = doc.doc_type if doc else None
    rows = store.provisions(row.doc_key)
    by_pid = {r.pid: r for r in rows}
    ancestors, parent = [], by_pid.get(row.parent_pid)
    while parent is not None and len(ancestors) < 20:
        ancestors.insert(0, _context_node(_node(parent, number, doc_type)))
        parent = by_pid.get(parent.parent_pid)
    siblings = [r for r in rows if r.parent_pid == row.parent_pid and r.kind == row.kind]
    at = next((i for i, r in enumerate(siblings) if r.pid == row.pid), None)

    def with_text(r: ProvisionRecord) -> ContextNode:
        return _context_node(_node(r, number, doc_type) | {"text": r.text})

    return ProvisionContext(**{
        "doc": row.doc_key,
        "ancestors": ancestors,
        "children": [with_text(r) for r in rows if r.parent_pid == row.pid],
        "previous": with_text(siblings[at - 1]) if at else None,
        "next": with_text(siblings[at + 1]) if at is not None and at + 1 < len(siblings) else None,
    })


def _context_node(node: dict) -> ContextNode:
    """A node of a provision's context: named by its citation text, without the address."""
    return ContextNode(**{k: v for k, v in node.items() if k != "citation"})


class ResolvedTarget(BaseModel):
    """A provision or document a citation names: whether the knowledge base holds it, its id
    and its status at the date asked (None where the document is not held)."""

    citation: CitationJSON
    citation_text: str
    found: bool = False
    id: str | None = None
    status: str | None = None
    status_text: str | None = None


class ResolvedMention(BaseModel):
    """One citation of a free text (`span`: [start, end] in it), resolved against the store."""

    raw: str
    span: tuple[int, int]
    doc: str | None = None
    relative: str | None = None  # document | article | clause: the context a "… này" needs
    targets: list[ResolvedTarget]
    warnings: list[str] = []


def resolve_text(store: Store, text: str, at: date) -> list[ResolvedMention]:
    """Every citation in free text, resolved against the store: for each mention its document
    (partial numbers matched, an ambiguous one reported, never guessed) and its targets, each
    with whether the knowledge base holds it, its id and its validity at `at`."""
    known = store.known_numbers()
    out = []
    for mention in citations.find_citations(text):
        warnings: list[str] = []
        number = _mention_number(mention, known, warnings)
        targets = mention.targets or ([Citation(number, mention.part)] if number else [])
        if mention.relative and not number:
            warnings.append("trích dẫn tương đối («… này»): cần biết văn bản chứa nó")
        out.append(ResolvedMention(
            raw=mention.raw, span=mention.span, doc=number, relative=mention.relative,
            targets=[_resolve_target(store, t.with_doc(number) if number else t, at) for t in targets],
            warnings=warnings,
        ))
    return out


def _mention_number(mention: citations.CitationMention, known: set[str], warnings: list[str]) -> str | None:
    ref = mention.doc_ref
    if ref is None or ref.this_document or not ref.number:
        return None
    if ref.number in known:
        return ref.number
    candidates = citations.match_partial(ref.raw, known)
    if len(candidates) == 1:
        if candidates[0] != ref.number:
            warnings.append(f"hiểu «{ref.raw}» là {candidates[0]}")
        return candidates[0]
    if len(candidates) > 1:
        warnings.append(f"«{ref.raw}» có thể là: {', '.join(sorted(candidates))}")
        return None
    if ref.complete:
        warnings.append(f"kho dữ liệu không có toàn văn {ref.number}")
        return ref.number
    warnings.append(f"không xác định được văn bản «{ref.raw}»")
    return None


def _resolve_target(store: Store, target: Citation, at: date) -> ResolvedTarget:
    doc = store.document(target.doc) if target.doc else None
    text = citations.render(target, doc.doc_type if doc else None) if target.doc else \
        citations.render(target, with_doc=False)
    if doc is None:
        return ResolvedTarget(citation=target, citation_text=text)
    validity = document_validity(store, doc.key, at)
    whole = ResolvedTarget(citation=target, citation_text=text, status=validity.status.value,
                           status_text=validity.text)
    if target.article is None and target.annex is None and target.part is None:
        return whole.model_copy(update={"found": not doc.is_stub})
    row = store.provision(target.with_doc(doc.key))
    if row is None:
        return whole
    view = provision_view(store, row, at)
    return ResolvedTarget(citation=target, citation_text=view.citation_text, found=True, id=row.pid,
                          status=view.status, status_text=view.status_text)
