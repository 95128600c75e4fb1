"""Comparable provisions side by side: GET /api/compare (retrieval/compare.py, as `ccn compare`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.cache import normalize_query
from api.deps import ERRORS, NOT_FOUND, get_state, single_query_values
from api.errors import http_error
from api.schemas import MAX_QUERY_CHARS, NON_BLANK, IsoDate
from api.state import AppState
from retrieval.compare import CompareError, CompareResult, compare

router = APIRouter(prefix="/api", tags=["tra cứu"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])

State = Annotated[AppState, Depends(get_state)]


@router.get("/compare", response_model=CompareResult, responses=NOT_FOUND, summary="So sánh quy định tương ứng giữa các văn bản")
def compare_provisions(
    state: State,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=NON_BLANK,
                            description="trích dẫn («Điều 10 NĐ 32/2024/NĐ-CP») hoặc chủ đề")],
    docs: Annotated[str | None, Query(max_length=300, description="số hiệu các văn bản, cách nhau "
                                      "bởi dấu phẩy (mặc định: NĐ 32/2024 và các Quy chế cấp tỉnh)")] = None,
    as_of: Annotated[IsoDate | None, Query(description="ngày xét hiệu lực YYYY-MM-DD")] = None,
) -> CompareResult:
    numbers = [d.strip() for d in (docs or "").split(",") if d.strip()]
    try:
        return compare(state.store, normalize_query(q), as_of or date.today(), docs=numbers or None,
                       searcher=state.searcher)
    except CompareError as exc:
        raise http_error(404, str(exc)) from None
