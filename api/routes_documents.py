"""Browsing the knowledge base: GET /api/documents (filters; each with its source and evidence),
/api/documents/{id}, /api/provisions/{id}, /api/currency (what the knowledge base lacks)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from api.deps import ERRORS, NOT_FOUND, get_state, single_query_values
from api.errors import http_error
from api.schemas import IsoDate
from api.state import AppState
from ingest.catalogue import catalogue_store
from kb import catalog, lookup
from kb.views import DocumentDetail, DocumentRow, ProvisionDetail

router = APIRouter(prefix="/api", tags=["văn bản"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])

State = Annotated[AppState, Depends(get_state)]
AsOf = Annotated[IsoDate | None, Query(description="ngày xét hiệu lực YYYY-MM-DD (mặc định hôm nay)")]
Text = Annotated[str | None, Query(max_length=200)]
StatusName = Literal["in_force", "not_yet_in_force", "repealed", "unknown", "not_normative"]


@router.get("/documents", response_model=list[DocumentRow], summary="Danh sách văn bản (có lọc)")
def documents(
    state: State,
    as_of: AsOf = None,
    doc_type: Annotated[str | None, Query(max_length=200, description="loại văn bản, ví dụ «Nghị định»")] = None,
    issuer: Annotated[str | None, Query(max_length=200, description="cơ quan ban hành (một phần tên)")] = None,
    status: Annotated[StatusName | None, Query(description="hiệu lực tại ngày xét")] = None,
    in_store: Annotated[bool | None, Query(description="false: văn bản chỉ được dẫn chiếu")] = None,
    q: Annotated[str | None, Query(max_length=200, description="một phần số hiệu hoặc trích yếu")] = None,
) -> list[DocumentRow]:
    rows = catalog.add_sources(state.store, lookup.document_rows(state.store, as_of or date.today()))
    return [r for r in rows if _matches(r, doc_type, issuer, status, in_store, q)]


@router.get("/currency", summary="Cơ sở tri thức thiếu gì: văn bản được dẫn chiếu chưa có toàn văn, "
            "thông báo chưa có toàn văn, trạng thái theo nhãn của nguồn, ngày cập nhật")
def currency(state: State, as_of: AsOf = None,
             limit: Annotated[int, Query(ge=1, le=500, description="số văn bản thiếu liệt kê")] = 50) -> dict:
    catalogue_store(state.store)  # the texts uploaded since: a no-op when none
    return catalog.currency_report(state.store, as_of or date.today(), limit=limit)


def _matches(row: DocumentRow, doc_type: str | None, issuer: str | None, status: str | None,
             in_store: bool | None, q: str | None) -> bool:
    def has(value: str | None, part: str) -> bool:
        return part.casefold() in (value or "").casefold()

    return not (
        (doc_type and (row.type or "").casefold() != doc_type.casefold())
        or (issuer and not has(row.issuer, issuer))
        or (status and row.status != status)
        or (in_store is not None and row.in_store != in_store)
        or (q and not (has(row.doc, q) or has(row.key, q) or has(row.title, q)))
    )


DocId = Annotated[str, Path(min_length=1, max_length=300,
                            description="khóa văn bản: số hiệu (32/2024/NĐ-CP) hoặc file:<tên>")]


@router.get("/documents/{doc_id:path}", response_model=DocumentDetail, responses=NOT_FOUND,
            summary="Một văn bản: thông tin, hiệu lực, cấu trúc, quan hệ")
def document(state: State, doc_id: DocId, as_of: AsOf = None) -> DocumentDetail:
    doc = lookup.find_document(state.store, doc_id)
    if doc is None:
        raise http_error(404, f"Không có văn bản «{doc_id}» trong kho dữ liệu")
    return lookup.document_detail(state.store, doc, as_of or date.today())


@router.get("/provisions/{provision_id}", response_model=ProvisionDetail, responses=NOT_FOUND,
            summary="Một quy định: nội dung tại ngày xét, ngữ cảnh, quan hệ, các phiên bản")
def provision(
    state: State,
    provision_id: Annotated[str, Path(min_length=1, max_length=64, description="mã quy định (id)")],
    as_of: AsOf = None,
) -> ProvisionDetail:
    row = state.store.provision_by_pid(provision_id)
    if row is None:
        raise http_error(404, f"Không có quy định mã «{provision_id}» trong kho dữ liệu")
    view = lookup.provision_view(state.store, row, as_of or date.today())
    return ProvisionDetail(**dict(view), context=lookup.provision_context(state.store, row))
