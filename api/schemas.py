"""Request models of the HTTP API, and the few responses that are the API's own (health,
errors, the resolved citations' wrapper).

Every result is its lower layer's own pydantic model, which is also the API's response model
and what the CLI prints with `--json`: retrieval.search.SearchResult, answers.answer.Answer,
kb.lookup.ResolvedMention, kb.views (documents, provisions), drafting.checker.report, jobs and
imports. None is mirrored here.
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


# ------------------------------------------------------------------------------- citations
class ResolveRequest(Request):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS,
                      description="văn bản tự do có trích dẫn, tối đa 20.000 ký tự")
    as_of: IsoDate | None = None


class ResolveResponse(Model):
    """The citations of a text, resolved (kb.lookup.resolve_text)."""

    citations: list[ResolvedMention]

