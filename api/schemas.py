"""Request and response models of the HTTP API (they make the OpenAPI schema).

Responses mirror the JSON the CLI prints (`ccn search --json`, `ccn ask --json`); extra keys a
lower layer adds later are dropped, not errors. The documents, provisions, checks, jobs and
imports answer with their domain results themselves (kb.views, drafting.checker.report …).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from answers.answer import AttachedKind

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


# ------------------------------------------------------------------------------- search
class SearchHit(Model):
    rank: int
    id: str
    score: float
    citation: CitationModel
    citation_text: str
    title: str | None = None
    doc_title: str | None = None
    text: str
    marks: list[list[int]] = []
    status: str
    status_text: str
    validity: ValidityModel
    notes: list[str] = []
    also: list[CitationModel] = []
    score_parts: dict[str, float] = {}


class SearchResponse(Model):
    query: str
    confidence: float = Field(ge=0, le=1)
    threshold: float = Field(ge=0, le=1)  # below it: nothing answers directly (calibrated)
    warnings: list[str]
    results: list[SearchHit]


# ------------------------------------------------------------------------------- ask
class AskRequest(Request):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NON_BLANK,
                          description="câu hỏi, tối đa 500 ký tự")
    as_of: IsoDate | None = Field(default=None, description="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")


class AttachedModel(Model):
    """A provision attached to a quoted one: a cross-reference, a form, a later change."""

    kind: AttachedKind
    citation: CitationModel
    citation_text: str
    quote: str
    status: str
    status_text: str
    note: str = ""


class AnswerProvision(Model):
    key: str
    id: str
    citation: CitationModel
    citation_text: str
    title: str | None = None
    doc_title: str | None = None
    quote: str
    marks: list[list[int]] = []
    status: str
    status_text: str
    validity: ValidityModel
    notes: list[str] = []
    reported_changes: list[str] = []  # a notice's summary: unverified orientation, never law
    references: list[AttachedModel] = []
    changes: list[AttachedModel] = []
    score: float | None = None


class PriorLetterModel(Model):
    doc: str
    title: str
    issued: str | None = None
    citation_text: str
    excerpt: str


class LeadModel(Model):
    """The sentence that answers, verbatim from the first quoted provision (answers/lead.py)."""

    text: str
    kind: str = Field(description="who | number | list | other: the kind of question")
    focus: list[int] | None = Field(None, description="[start, end] in text: the body, number … that answers")
    id: str
    citation: CitationModel
    citation_text: str
    status: str
    status_text: str


class RelatedProvision(Model):
    """A provision found but not quoted (beyond the answer's quotes)."""

    id: str
    citation: CitationModel
    citation_text: str
    title: str | None = None
    status: str
    status_text: str


class AnswerResponse(Model):
    question: str
    as_of: str
    answered: bool
    lead: LeadModel | None = None
    answer: str
    provisions: list[AnswerProvision]
    related: list[RelatedProvision] = []
    prior_letters: list[PriorLetterModel] = []
    confidence: float = Field(ge=0, le=1)
    warnings: list[str]
    model: str | None = None


# ------------------------------------------------------------------------------- citations
class ResolveRequest(Request):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS,
                      description="văn bản tự do có trích dẫn, tối đa 20.000 ký tự")
    as_of: IsoDate | None = None


class ResolvedTarget(Model):
    citation: CitationModel
    citation_text: str
    found: bool
    id: str | None = None
    status: str | None = None
    status_text: str | None = None


class ResolvedMention(Model):
    raw: str
    span: list[int]
    doc: str | None = None
    relative: str | None = None
    targets: list[ResolvedTarget]
    warnings: list[str] = []


class ResolveResponse(Model):
    citations: list[ResolvedMention]
