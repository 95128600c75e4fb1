"""HTTP API of the review workflow (drafting.review): users and tokens, drafts, review, audit.

Every route needs `Authorization: Bearer <token>` (401 without a valid one); a role without the
right gets 403, an action the draft's state does not allow 409; errors are JSON
`{"error": "…", "details": []}` in Vietnamese. The ReviewStore is `app.state.review` when the
app sets one, else it is built on first use over the app's state (`app.state.ccn`: store, home,
index settings); an approval ingests the letter and updates and reloads the search indexes as
an upload does, so the letter is found as soon as the approval returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import ERRORS, MAX_ID, Id, error_response
from api.errors import http_error, on_http_error
from api.state import AppState
from drafting.review import (
    AuditEntry,
    CommentIn,
    DetailKey,
    DraftDetail,
    DraftState,
    DraftSummary,
    IssuedToken,
    ReviewError,
    ReviewSettings,
    ReviewStore,
    Role,
    TokenInfo,
    User,
    documents_of_file,
)
from ingest.runner import ingest_paths
from kb.store import Store

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

RESPONSES = {
    401: error_response("Thiếu mã truy cập, hoặc mã không hợp lệ / đã thu hồi"),
    403: error_response("Vai trò của người dùng không có quyền này"),
    404: error_response("Không có dự thảo, phiên bản, góp ý hoặc người dùng này"),
    409: error_response("Trạng thái dự thảo không cho phép việc này, hoặc đã có"),
    **ERRORS,
}
router = APIRouter(prefix="/api", tags=["xem xét dự thảo"], responses=RESPONSES)
bearer = HTTPBearer(auto_error=False, description="mã truy cập do quản trị cấp")
_lock = threading.Lock()


class Request_(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewUser(Request_):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    role: Role
    display_name: str | None = Field(None, max_length=200)
    label: str = Field("", max_length=200, description="ghi chú cho mã truy cập đầu tiên")


class UserChange(Request_):
    role: Role | None = None
    active: bool | None = None
    display_name: str | None = Field(None, max_length=200)


class NewToken(Request_):
    label: str = Field("", max_length=200)


class NewDraft(Request_):
    spec: dict[str, Any] = Field(description="nội dung dự thảo (DraftSpec, dạng JSON)")
    title: str | None = Field(None, max_length=500)
    note: str = Field("", max_length=2000)


class DraftEdit(Request_):
    spec: dict[str, Any]
    note: str = Field("", max_length=2000)


class Note(Request_):
    note: str = Field("", max_length=2000)


class Comments(Request_):
    comments: list[CommentIn] = Field(min_length=1, max_length=200)


class ReturnRequest(Request_):
    comments: list[CommentIn] = Field(default_factory=list, max_length=200)
    note: str = Field("", max_length=2000)


class DraftView(DraftDetail):
    actions: list[str] = Field(description="việc người dùng hiện tại được làm với dự thảo")


# ----------------------------------------------------------------------------- dependencies
def get_review(request: Request) -> ReviewStore:
    """The app's ReviewStore, built on first use over the app's store and home."""
    state = request.app.state
    review = getattr(state, "review", None)
    if review is None:
        with _lock:
            review = getattr(state, "review", None)
            if review is None:
                review = state.review = _review_store(state.ccn)
    return review


def _review_store(ccn: AppState) -> ReviewStore:
    """Approval publishes like an upload: ingest, then update and reload the indexes, one at a
    time (the upload's lock), so the new letter is searchable when the approval returns."""

    def publish(path: Path) -> dict[str, Any]:
        with ccn.ingest_lock:
            return publish_letter(ccn.store, path, ccn.reindex)

    settings = ReviewSettings.for_home(ccn.home)
    return ReviewStore.at_home(ccn.store, ccn.home, settings=settings, publish=publish)


def publish_letter(store: Store, path: Path, reindex: Callable[[], Any]) -> dict[str, Any]:
    """Ingest the approved letter through the normal pipeline, then `reindex()` (which returns
    an IndexReport). Returns what was stored, for the audit row; ReviewError if ingestion fails."""
    report = ingest_paths(store, [path])
    if report.failed:
        raise ReviewError("không nạp được văn bản đã duyệt vào kho dữ liệu: "
                          + "; ".join(f["error"] for f in report.failed))
    index = reindex()
    return {DetailKey.DOCUMENTS: documents_of_file(store, path), DetailKey.INGESTED: bool(report.ingested),
            DetailKey.INDEX: {"units": index.units, "added": index.added, "embedded": index.embedded}}


Review = Annotated[ReviewStore, Depends(get_review)]


def current_user(
    review: Review,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise _unauthorized("cần đăng nhập: gửi tiêu đề «Authorization: Bearer <mã truy cập>»")
    user = review.authenticate(credentials.credentials)
    if user is None:
        raise _unauthorized("mã truy cập không hợp lệ, đã bị thu hồi hoặc người dùng đã bị khoá")
    return user


Me = Annotated[User, Depends(current_user)]


def _unauthorized(message: str) -> StarletteHTTPException:
    return StarletteHTTPException(401, detail={"error": message, "details": []},
                                  headers={"WWW-Authenticate": "Bearer"})


async def on_review_error(request: Request, exc: ReviewError) -> JSONResponse:
    """A ReviewError raised by any route: its status and message, as every other API error."""
    return await on_http_error(request, http_error(exc.status, exc.message[:1].upper() + exc.message[1:]))


def _view(review: ReviewStore, me: User, draft: DraftDetail) -> DraftView:
    return DraftView(**draft.model_dump(), actions=review.allowed_actions(me, draft))


# ----------------------------------------------------------------------------- users, tokens
@router.get("/me", response_model=User, summary="người dùng của mã truy cập")
def me(user: Me) -> User:
    return user


@router.get("/users", response_model=list[User], summary="danh sách người dùng (quản trị)")
def list_users(review: Review, user: Me) -> list[User]:
    review.require(user, "manage_users")
    return review.users()


@router.post("/users", response_model=IssuedToken, status_code=201,
             summary="thêm người dùng và cấp mã truy cập đầu tiên (quản trị)")
def add_user(body: NewUser, review: Review, user: Me) -> IssuedToken:
    review.add_user(body.name, body.role, actor=user, display_name=body.display_name)
    return review.issue_token(body.name, actor=user, label=body.label)


@router.patch("/users/{name}", response_model=User, summary="đổi vai trò / khoá người dùng (quản trị)")
def change_user(name: str, body: UserChange, review: Review, user: Me) -> User:
    return review.update_user(name, actor=user, role=body.role, active=body.active,
                              display_name=body.display_name)


@router.get("/users/{name}/tokens", response_model=list[TokenInfo], summary="mã truy cập (quản trị)")
def user_tokens(name: str, review: Review, user: Me) -> list[TokenInfo]:
    review.require(user, "manage_users")
    return review.tokens(name)


@router.post("/users/{name}/tokens", response_model=IssuedToken, status_code=201,
             summary="cấp mã truy cập mới (quản trị)")
def new_token(name: str, body: NewToken, review: Review, user: Me) -> IssuedToken:
    return review.issue_token(name, actor=user, label=body.label)


@router.delete("/tokens/{token_id}", response_model=TokenInfo, summary="thu hồi mã truy cập (quản trị)")
def revoke_token(token_id: Id, review: Review, user: Me) -> TokenInfo:
    return review.revoke_token(token_id, actor=user)


# ----------------------------------------------------------------------------- drafts
@router.get("/drafts", response_model=list[DraftSummary], summary="danh sách dự thảo")
def list_drafts(
    review: Review,
    user: Me,
    state: Annotated[str | None, Query(description=" | ".join(DraftState))] = None,
    author: Annotated[str | None, Query(max_length=100)] = None,
) -> list[DraftSummary]:
    return review.drafts(state=state, author=author, viewer=user)


@router.post("/drafts", response_model=DraftView, status_code=201,
             summary="tạo dự thảo (phiên bản 1) từ nội dung JSON")
def create_draft(body: NewDraft, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.create(user, body.spec, note=body.note, title=body.title))


@router.get("/drafts/{draft_id}", response_model=DraftView,
            summary="dự thảo: phiên bản, trạng thái, góp ý, nhật ký")
def get_draft(draft_id: Id, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.draft(draft_id, viewer=user))


@router.put("/drafts/{draft_id}", response_model=DraftView, summary="sửa dự thảo (phiên bản mới)")
def edit_draft(draft_id: Id, body: DraftEdit, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.update(user, draft_id, body.spec, note=body.note))


@router.post("/drafts/{draft_id}/submit", response_model=DraftView, summary="trình xem xét")
def submit_draft(draft_id: Id, review: Review, user: Me, body: Note | None = None) -> DraftView:
    return _view(review, user, review.submit(user, draft_id, note=(body or Note()).note))


@router.post("/drafts/{draft_id}/comments", response_model=DraftView,
             summary="góp ý theo đoạn (người duyệt)")
def comment_draft(draft_id: Id, body: Comments, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.comment(user, draft_id, body.comments))


@router.post("/drafts/{draft_id}/comments/{comment_id}/resolve", response_model=DraftView,
             summary="đánh dấu góp ý đã xử lý")
def resolve_comment(draft_id: Id, comment_id: Id, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.resolve_comment(user, draft_id, comment_id))


@router.post("/drafts/{draft_id}/return", response_model=DraftView,
             summary="trả lại người soạn, kèm góp ý theo đoạn (người duyệt)")
def return_draft(draft_id: Id, body: ReturnRequest, review: Review, user: Me) -> DraftView:
    return _view(review, user, review.return_draft(user, draft_id, body.comments, note=body.note))


@router.post("/drafts/{draft_id}/approve", response_model=DraftView,
             summary="phê duyệt: nạp văn bản vào kho như công văn đã ban hành (người duyệt)")
def approve_draft(draft_id: Id, review: Review, user: Me, body: Note | None = None) -> DraftView:
    return _view(review, user, review.approve(user, draft_id, note=(body or Note()).note))


@router.get("/drafts/{draft_id}/versions/{number}/docx", summary="tải tệp DOCX của một phiên bản",
            response_class=Response, responses={200: {"content": {DOCX_MIME: {}}}})
def version_docx(draft_id: Id, number: Id, review: Review, user: Me) -> Response:
    data = review.docx(draft_id, number, viewer=user)
    return _docx_response(data, f"du-thao-{draft_id}-v{number}.docx")


@router.get("/drafts/{draft_id}/approved/docx", summary="tải văn bản đã phê duyệt (DOCX)",
            response_class=Response, responses={200: {"content": {DOCX_MIME: {}}}})
def approved_docx(draft_id: Id, review: Review, user: Me) -> Response:
    data = review.docx(draft_id, approved=True, viewer=user)
    return _docx_response(data, f"van-ban-da-duyet-{draft_id}.docx")


def _docx_response(data: bytes, filename: str) -> Response:
    return Response(data, media_type=DOCX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ----------------------------------------------------------------------------- audit
@router.get("/audit", response_model=list[AuditEntry], summary="nhật ký (người duyệt, quản trị)")
def audit(
    review: Review,
    user: Me,
    draft: Annotated[int | None, Query(ge=1, le=MAX_ID, description="chỉ dự thảo này")] = None,
    who: Annotated[str | None, Query(alias="user", max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntry]:
    review.require(user, "audit")
    return review.audit(draft_id=draft, user=who, action=action, limit=limit)
