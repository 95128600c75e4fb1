"""Search, answers and citation resolution: GET /api/search, POST /api/ask,
POST /api/citations/resolve."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.cache import normalize_query
from api.deps import ERRORS, get_state, single_query_values
from api.routes_register import AnswerWithRegister, with_register  # register entries beside answers
from api.schemas import (
    MAX_K,
    MAX_QUERY_CHARS,
    NON_BLANK,
    AskRequest,
    IsoDate,
    ResolveRequest,
    ResolveResponse,
)
from api.state import AppState
from kb import lookup
from retrieval.search import Filters, SearchResult

router = APIRouter(prefix="/api", tags=["tra cứu"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])

State = Annotated[AppState, Depends(get_state)]
Text = Annotated[str | None, Query(max_length=200)]
CACHE_HEADER = "X-Cache"  # "hit": the same request was answered before (same store, same day)


@router.get("/search", response_model=SearchResult, summary="Tìm quy định trả lời câu hỏi")
def search(
    state: State,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NON_BLANK,
                            description="câu hỏi hoặc trích dẫn, tối đa 500 ký tự")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="số kết quả (1–50)")] = 10,
    as_of: Annotated[IsoDate | None, Query(description="ngày xét hiệu lực YYYY-MM-DD")] = None,
    doc_type: Text = None,
    issuer: Text = None,
    doc: Text = None,
    province: Text = None,
) -> SearchResult:
    query = normalize_query(q)
    filters = Filters(as_of=as_of or date.today(), doc_type=doc_type, issuer=issuer, doc=doc, province=province)
    key = ("search", query, k, filters.as_of, doc_type, issuer, doc, province)
    searcher = state.searcher()  # first: a changed index (another process's upload) empties the cache
    result, hit = state.cache.get_or_compute(key, lambda: searcher.search(query, k=k, filters=filters))
    response.headers[CACHE_HEADER] = "hit" if hit else "miss"
    return result


@router.post("/ask", response_model=AnswerWithRegister, summary="Trả lời câu hỏi, trích dẫn quy định")
def ask(state: State, response: Response, body: AskRequest) -> AnswerWithRegister:
    question, at = normalize_query(body.question), body.as_of or date.today()
    answerer = state.answerer()  # first, as for /api/search
    result, hit = state.cache.get_or_compute(("ask", question, at), lambda: answerer.ask(question, at))
    response.headers[CACHE_HEADER] = "hit" if hit else "miss"
    return with_register(state.store, question, result)


@router.post("/citations/resolve", response_model=ResolveResponse,
             summary="Tìm và giải các trích dẫn trong một đoạn văn bản")
def resolve_citations(state: State, body: ResolveRequest) -> ResolveResponse:
    return ResolveResponse(citations=lookup.resolve_text(state.store, body.text, body.as_of or date.today()))
