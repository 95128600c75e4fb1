"""Request and response models of the HTTP API (they make the OpenAPI schema).

Search results, answers and resolved citations are their lower layers' own pydantic models
(retrieval.search.SearchResult, answers.answer.Answer, kb.lookup.ResolvedMention): the JSON
the CLI prints with `--json` and the API answers. The responses below mirror the JSON the CLI
prints (`ccn show --json`, `ccn docs --json`, `ccn ingest --json`); extra keys a lower layer
adds later are dropped, not errors.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kb.lookup import ResolvedMention

MAX_QUERY_CHARS = 500
MAX_TEXT_CHARS = 20_000  # free text given to /api/citations/resolve
MAX_K = 50
NON_BLANK = r"\S"  # at least one character that is not a space
BAD_DATE = "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Dates are written YYYY-MM-DD, nothing else (pydantic alone would also take a number of
    seconds since 1970, or a date and time)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError(BAD_DATE)


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------- shared
class ErrorResponse(Model):
    error: str = Field(description="thông báo lỗi bằng tiếng Việt")
    details: list[dict[str, Any]] = Field(default_factory=list)


class CitationModel(Model):
    """The citation object of ../shared/docs/citations.md."""

    doc: str | None = None
    part: str | None = None
    annex: str | None = None
    article: int | None = None
    clause: int | None = None
    point: str | None = None


class ValidityModel(Model):
    status: str
    status_text: str
    since: str | None = None
    replaced_by: list[str] = []
    note: str = ""


class Health(Model):
    status: str
    documents: int
    provisions: int
    search_ready: bool
    query_encoder: str | None = Field(None, description="what embeds questions: 'student:<model>' "
                                      "(the query student), the model's name, or null (no vectors)")
    units_without_vectors: int = Field(0, description="search units waiting for a vector (status "
                                       "'indexing' while > 0: an interrupted indexing being completed)")
    build: dict | None = Field(None, description="`ccn run`'s background work (ingest of the rest, vectors, "
                               "query student): state, step, done, total, eta_seconds; null when none")


# ------------------------------------------------------------------------------- ask
class AskRequest(Request):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NON_BLANK,
                          description="câu hỏi, tối đa 500 ký tự")
    as_of: IsoDate | None = Field(default=None, description="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")


# ------------------------------------------------------------------------------- documents
class DocumentRow(Model):
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
    amendment_notes: list[str] = []
    in_store: bool
    source: str | None = None  # "text" | "notice" | "catalogue" (kb/catalog.py)
    evidence: str = ""  # where the knowledge base knows it from (kb.catalog.add_sources)
    since: str | None = None  # from when the status holds
    status_evidence: list[dict] = []  # what the status rests on (kb.validity): kind, source, confidence …


class StructureNode(Model):
    id: str
    kind: str
    label: str | None = None
    title: str | None = None
    citation: CitationModel
    citation_text: str
    children: list[StructureNode] = []


class RelationItem(Model):
    kind: str
    from_doc: str
    to: CitationModel
    to_text: str | None = None
    effective: str | None = None
    evidence: str | None = None


class DocumentDetail(DocumentRow):
    number: str | None = None
    doc_class: str | None = None
    parent_issuer: str | None = None
    place: str | None = None
    subject: str | None = None
    effective_note: str | None = None
    expires: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    recipients: list[Any] = []
    bases: list[Any] = []
    as_of: str
    validity: ValidityModel
    structure: list[StructureNode]
    relations: dict[str, list[RelationItem]]


# ------------------------------------------------------------------------------- provisions
class VersionModel(Model):
    text: str
    valid_from: str | None = None
    valid_to: str | None = None
    source_doc: str
    note: str = ""
    text_missing: bool = False
    statement: str = ""


class ContextNode(Model):
    id: str
    kind: str
    label: str | None = None
    title: str | None = None
    citation_text: str
    text: str | None = None


class ProvisionContext(Model):
    doc: str
    ancestors: list[ContextNode]
    children: list[ContextNode]
    previous: ContextNode | None = None
    next: ContextNode | None = None


class ProvisionDetail(Model):
    id: str
    citation: CitationModel
    citation_text: str
    text: str
    original_text: str
    title: str | None = None
    doc_title: str | None = None
    doc_type: str | None = None
    as_of: str
    status: str
    status_text: str
    validity: ValidityModel
    versions: list[VersionModel]
    notes: list[str] = []
    reported_changes: list[str] = []
    relations: dict[str, list[RelationItem]]
    context: ProvisionContext


# ------------------------------------------------------------------------------- citations
class ResolveRequest(Request):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS,
                      description="văn bản tự do có trích dẫn, tối đa 20.000 ký tự")
    as_of: IsoDate | None = None


class ResolveResponse(Model):
    """The citations of a text, resolved (kb.lookup.resolve_text)."""

    citations: list[ResolvedMention]


# ------------------------------------------------------------------------------- ingest
class IngestFileResult(Model):
    filename: str
    path: str
    status: str = Field(description="ingested | unchanged | failed")
    error: str | None = None
    warnings: list[str] = []
    documents: list[str] = []


class IndexSummary(Model):
    units: int
    added: int
    removed: int
    embedded: int
    seconds: float


class IngestResponse(Model):
    ingested: list[str]
    unchanged: list[str]
    failed: list[dict[str, str]]
    files: list[IngestFileResult]
    index: IndexSummary | None = None
    warnings: list[str] = []
