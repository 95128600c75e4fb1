"""Read-side results of kb.lookup: a document's row and detail, a provision as shown, its
context and relations. They are what `ccn docs --json` / `ccn show --json` print and the HTTP
API's response models (the OpenAPI schema), written by `model_dump(mode="json")`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from kb.model import CitationJSON
from kb.validity import ValidityJSON, Version

# A wording of a provision (kb.validity.Version) inside a result, written by its `to_dict`.
VersionJSON = Annotated[Version, PlainSerializer(Version.to_dict, return_type=dict), WithJsonSchema({
    "type": "object", "title": "Version", "required": ["text", "source_doc"],
    "properties": {"text": {"type": "string"},
                   "valid_from": {"type": ["string", "null"], "format": "date"},
                   "valid_to": {"type": ["string", "null"], "format": "date"},
                   "source_doc": {"type": "string"}, "note": {"type": "string"},
                   "text_missing": {"type": "boolean"}, "statement": {"type": "string"}},
}, mode="serialization")]


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentRow(View):
    """One document of `ccn docs` (stubs included, flagged), with its validity at a date."""

    doc: str | None = None
    key: str
    type: str | None = None
    issuer: str | None = None
    issued: str | None = None
    effective: str | None = None
    status: str
    status_text: str
    status_note: str = ""
    title: str = ""
    articles: int
    replaces: list[str] = []
    replaced_by: list[str] = []
    since: str | None = None  # from when the status holds
    status_evidence: list[dict] = []  # what the status rests on (kb.validity): kind, source, confidence …
    amendment_notes: list[str] = []
    in_store: bool
    source: str | None = None  # a kb.catalog.SourceKind: text, notice, catalogue
    evidence: str = ""  # where the knowledge base knows it from (kb.catalog.add_sources)


class StructureNode(View):
    id: str
    kind: str
    label: str | None = None
    title: str | None = None
    citation: CitationJSON
    citation_text: str
    children: list[StructureNode] = []


class RelationItem(View):
    kind: str
    from_doc: str
    to: CitationJSON
    to_text: str | None = None
    effective: str | None = None
    evidence: str | None = None


class DocumentDetail(DocumentRow):
    """A document's row, its metadata, validity, structure tree and relations."""

    number: str | None = None
    doc_class: str | None = None
    parent_issuer: str | None = None
    place: str | None = None
    subject: str | None = None
    effective_note: str | None = None
    expires: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    recipients: list = []
    bases: list = []
    as_of: str
    validity: ValidityJSON
    structure: list[StructureNode]
    relations: dict[str, list[RelationItem]]


class ContextNode(View):
    id: str
    kind: str
    label: str | None = None
    title: str | None = None
    citation_text: str
    text: str | None = None


class ProvisionContext(View):
    """Where a provision sits: its ancestors (outermost first), children, previous and next."""

    doc: str
    ancestors: list[ContextNode]
    children: list[ContextNode]
    previous: ContextNode | None = None
    next: ContextNode | None = None


class ProvisionView(View):
    """A provision at a date: its wording then, validity, versions, notes, relations. `id` is
    None for a provision an amending text added (no row of its own)."""

    id: str | None = None
    citation: CitationJSON
    citation_text: str
    text: str
    original_text: str
    title: str | None = None
    doc_title: str | None = None
    doc_type: str | None = None
    as_of: str
    status: str
    status_text: str
    validity: ValidityJSON
    versions: list[VersionJSON]
    notes: list[str] = []
    reported_changes: list[str] = []
    relations: dict[str, list[RelationItem]]


class ProvisionDetail(ProvisionView):
    """A provision with its context in the document (GET /api/provisions/{id})."""

    context: ProvisionContext
