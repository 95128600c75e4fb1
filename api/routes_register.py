"""The cluster register over HTTP (kb/register.py, drafting/register_report.py).

    GET  /api/clusters                         clusters with their figures; filters province,
                                               below_fill, missing=wastewater|decision, period,
                                               sort, synthetic; format=json|csv|xlsx (export)
    GET  /api/clusters/periods                 the reporting periods held
    GET  /api/clusters/{id}/history            every period's figures, replaced ones included
    POST /api/clusters/import                  a province's report (XLSX, CSV, DOCX): curators
                                               and admins only (permission change_kb)
    GET  /api/clusters/reports/form04.xlsx     Biểu 04 of a province for a period
    GET  /api/clusters/reports/national.xlsx   the national summary; national.docx the báo cáo
    GET  /api/clusters/reports/chart.png       kind=fill|status, optional province

Errors are the API's JSON errors in Vietnamese; an import answers with every bad row's error
and what it stored (the valid rows).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from pydantic import Field

from answers.answer import Answer
from api.deps import ERRORS, NOT_FOUND, get_state
from api.errors import http_error
from api.review import Me
from api.state import AppState
from drafting import register_report as reports
from drafting.review import PERMISSIONS
from ingest.register_import import COLUMNS, RegisterImportError, import_file
from kb import register as reg

router = APIRouter(prefix="/api/clusters", tags=["cơ sở dữ liệu cụm công nghiệp"], responses=ERRORS)
State = Annotated[AppState, Depends(get_state)]
Period = Annotated[str | None, Query(max_length=10, description="kỳ báo cáo, ví dụ 2026-H1 (mặc định: kỳ mới nhất của mỗi cụm)")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_IMPORT_BYTES = 900 * 1024  # under the app's body limit for requests other than /api/ingest


class AnswerWithRegister(Answer):
    """POST /api/ask's answer, with the register entries of the clusters the question names."""

    clusters: list[dict] = Field(default_factory=list, description=(
        "mục của các cụm công nghiệp được nêu trong câu hỏi trong cơ sở dữ liệu CCN (diện tích, tỷ lệ "
        "lấp đầy, quyết định thành lập, nguồn), đặt cạnh các quy định áp dụng; «text»: một dòng tóm tắt"))


def with_register(store, question: str, answer: Answer) -> AnswerWithRegister:
    """The answer and, beside it, the register entry of each cluster the question names."""
    entries = reg.register_entry_for_question(store, question)
    return AnswerWithRegister(**dict(answer), clusters=[{**e, "text": reg.entry_text(e)} for e in entries])


def _run(fn, *args, **kwargs):
    """Call into the register; its RegisterError becomes a 422 with the Vietnamese message."""
    try:
        return fn(*args, **kwargs)
    except reg.RegisterError as exc:
        raise http_error(422, str(exc)[:1].upper() + str(exc)[1:]) from None


@router.get("", summary="Danh sách cụm công nghiệp, lọc và sắp xếp", response_model=None)
def list_clusters(
    state: State,
    province: Annotated[str | None, Query(max_length=100, description="tỉnh, thành phố (34 đơn vị từ 01/7/2025)")] = None,
    below_fill: Annotated[float | None, Query(ge=0, le=100, description="tỷ lệ lấp đầy dưới (%)")] = None,
    missing: Annotated[Literal["wastewater", "decision"] | None, Query(description="thiếu: wastewater (hệ thống xử lý nước thải tập trung), decision (quyết định thành lập)")] = None,
    period: Period = None,
    sort: Annotated[Literal["name", "province", "fill", "-fill", "area", "-area"], Query()] = "name",
    synthetic: Annotated[bool, Query(description="gồm cả dữ liệu sinh để thử tải")] = False,
    format: Annotated[Literal["json", "csv", "xlsx"], Query(description="json, hoặc xuất csv/xlsx")] = "json",
    limit: Annotated[int | None, Query(ge=1, le=50000)] = None,
) -> Response | list[dict]:
    rows = _run(reg.list_clusters, state.store, province=province, below_fill=below_fill, missing=missing,
                period=period, sort=sort, include_synthetic=synthetic, limit=limit)
    if format == "json":
        return rows
    table = export_rows(rows)
    if format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="cum-cong-nghiep.csv"'})
    return Response(_xlsx(table), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="cum-cong-nghiep.xlsx"'})


def export_rows(rows: list[dict]) -> list[list]:
    """The listing in the import format (re-importable), plus the provenance columns."""
    header = [c.header for c in COLUMNS] + ["Nguồn", "Vị trí trong nguồn", "Dữ liệu sinh để thử tải"]
    out: list[list] = [header]
    for r in rows:
        values = {**r, **(r["figures"] or {}), "period": r["period"],
                  "former_names": "; ".join(r["former_names"] or [])}
        out.append([values.get(c.key) for c in COLUMNS]
                   + [" | ".join(s["file"] for s in r["sources"]),
                      " | ".join(s["location"] or "" for s in r["sources"]), "có" if r["synthetic"] else ""])
    return out


def _xlsx(table: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Cụm công nghiệp"
    for row in table:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@router.get("/periods", summary="Các kỳ báo cáo có số liệu")
def periods(state: State) -> list[str]:
    return reg.periods(state.store)


@router.get("/{cluster_id}/history", summary="Lịch sử số liệu của một cụm qua các kỳ", responses=NOT_FOUND)
def history(state: State, cluster_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> list[dict]:
    rows = reg.history(state.store, cluster_id)
    if not rows:
        raise http_error(404, f"Không có số liệu của cụm công nghiệp số {cluster_id}")
    return rows


@router.post("/import", summary="Nhập báo cáo của tỉnh (XLSX, CSV, DOCX Biểu 03/04): chỉ người quản lý kho",
             responses={401: {"description": "Cần đăng nhập"}, 403: {"description": "Không có quyền"}})
def import_report(
    state: State,
    user: Me,
    file: Annotated[UploadFile, File(description="tệp .xlsx, .csv hoặc .docx")],
    period: Annotated[str | None, Form(max_length=10)] = None,
    province: Annotated[str | None, Form(max_length=100)] = None,
) -> reg.ImportResult:
    if user.role not in PERMISSIONS["change_kb"]:
        raise http_error(403, f"Người dùng «{user.name}» (vai trò {user.role}) không có quyền nhập số liệu vào cơ sở "
                              "dữ liệu cụm công nghiệp: chỉ người quản lý kho (curator) hoặc quản trị (admin)")
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    name = (file.filename or "bao-cao").replace("\\", "/").rsplit("/", 1)[-1]
    if len(data) > MAX_IMPORT_BYTES:
        raise http_error(413, f"{name}: tệp quá lớn (giới hạn {MAX_IMPORT_BYTES // 1024} KB); tệp lớn hơn: "
                              "dùng lệnh `ccn clusters import`")
    try:
        with state.ingest_lock:
            result = _run(import_file, state.store, name, data=data, name=name, period=period,
                          province=province, user=user.name)
    except RegisterImportError as exc:
        raise http_error(422, str(exc)) from None
    return result


@router.get("/reports/form04.xlsx", summary="Biểu số 04 của một tỉnh cho một kỳ (XLSX)")
def form04(state: State, province: Annotated[str, Query(max_length=100)],
           period: Annotated[str, Query(max_length=10)]) -> Response:
    data = _run(reports.form04_xlsx, state.store, province, period)
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="bieu-04-{period}.xlsx"'})


@router.get("/reports/national.xlsx", summary="Tổng hợp cả nước cho một kỳ (XLSX)")
def national_xlsx(state: State, period: Annotated[str, Query(max_length=10)]) -> Response:
    data = _run(reports.national_xlsx, state.store, period)
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="tong-hop-{period}.xlsx"'})


@router.get("/reports/national.docx", summary="Báo cáo tổng hợp cả nước (DOCX, thể thức NĐ 30/2020)")
def national_docx(state: State, period: Annotated[str, Query(max_length=10)]) -> Response:
    data = _run(reports.national_docx, state.store, period)
    return Response(data, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="bao-cao-{period}.docx"'})


@router.get("/reports/chart.png", summary="Biểu đồ: tỷ lệ lấp đầy (fill) hoặc số cụm theo tình trạng (status)")
def chart(state: State, period: Annotated[str, Query(max_length=10)],
          kind: Annotated[Literal["fill", "status"], Query()] = "fill",
          province: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    return Response(_run(reports.chart_png, state.store, period, kind, province=province), media_type="image/png")
