"""Changing the knowledge base over HTTP: uploads (a background job), pending texts, withdrawal.

    POST /api/ingest                      upload files → 202 and a job id (token with change_kb)
    GET  /api/jobs/{id}                   the job: state, progress, result (POST …/cancel stops it)
    GET  /api/kb/uploads                  what was uploaded: status (active, pending, withdrawn)
    POST /api/kb/uploads/{id}/confirm     a second person lets a pending text take effect
    POST /api/kb/uploads/{id}/withdraw    take an upload back; what it superseded counts again
    GET  /api/kb/audit                    every change to the knowledge base

Every route needs a token whose role has `change_kb` (curator, admin): the review workflow's
token lookup (api.review.current_user); anonymous 401, other roles 403. Each file is checked
before anything is stored (type by its name, size, count: ingest.limits), staged in the home's
tmp folder (emptied at start-up) and ingested by the CLI's pipeline under a name of its own,
`uploads/<sha256[:12]>-<name>`: an upload never replaces an earlier one of the same name, and the
result says which earlier upload and documents it would supersede. A text that replaces,
repeals or amends documents already stored is held pending (stored, shown nowhere) until
another curator or admin confirms it. Responses name files, never the server's paths.
"""

from __future__ import annotations

import logging
import os
import shutil
import unicodedata
import uuid
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import ERRORS, error_response, get_state
from api.errors import http_error
from api.jobs import Job, JobFailed, JobView
from api.review import Me, Review
from api.state import AppState
from drafting.review import User
from ingest.limits import MB, Budget, budget, limit
from ingest.readers.detect import MSG_DOC_LEGACY
from ingest.runner import IngestReport, parse_file, prepare_file, store_file
from ingest.types import ReadError
from kb import schema
from kb.hashing import sha256_of
from kb.store import PENDING, WITHDRAWN, Actor, Change
from retrieval.index import IndexReport

log = logging.getLogger("ccn.api")

ALLOWED_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".markdown", ".html", ".htm")
MAX_FILE_BYTES = limit("upload_file_mb") * MB
MAX_FILES = limit("upload_files")
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024  # whole multipart body
MAX_NAME_CHARS = 150
STORED_PREFIX = 12  # hex digits of the sha256 in front of a stored upload's name



class UploadResult(StrEnum):
    """What became of one uploaded file (the job's result, `files[].status`)."""

    INGESTED = "ingested"
    PENDING = "pending"  # stored, held until another curator confirms it
    UNCHANGED = "unchanged"  # the same content was stored before
    INDEXED = "indexed"  # unchanged, but its index (left incomplete by a crash) was rebuilt
    FAILED = "failed"


UPLOAD_RESULT_TEXT: dict[UploadResult, str] = {
    UploadResult.INGESTED: "Đã nạp",
    UploadResult.PENDING: "Chờ xác nhận",
    UploadResult.UNCHANGED: "Không đổi",
    UploadResult.INDEXED: "Đã lập chỉ mục lại",
    UploadResult.FAILED: "Lỗi",
}

RESPONSES = {401: error_response("Thiếu mã truy cập, hoặc mã không hợp lệ"),
             403: error_response("Vai trò không có quyền thay đổi cơ sở tri thức"),
             404: error_response("Không có công việc / tệp tải lên này"),
             409: error_response("Trạng thái tệp không cho phép việc này"), **ERRORS}
router = APIRouter(prefix="/api", tags=["nạp văn bản"], responses=RESPONSES)
State = Annotated[AppState, Depends(get_state)]


def curator(review: Review, user: Me) -> User:
    """The token's user, if their role may change the knowledge base (else 403, audited)."""
    review.require(user, "change_kb")
    return user


Curator = Annotated[User, Depends(curator)]


@router.post(
    "/ingest", status_code=202,
    summary="Tải lên và nạp văn bản (docx, pdf, txt, md, html): chạy nền, trả mã công việc",
    responses={413: error_response("Tệp quá lớn"), 415: error_response("Định dạng tệp không được hỗ trợ"),
               422: error_response("Dữ liệu không hợp lệ")},
)
def upload(
    state: State,
    user: Curator,
    files: Annotated[list[UploadFile], File(min_length=1, max_length=MAX_FILES,
                                             description="một hoặc nhiều tệp văn bản (tối đa 10)")],
) -> JSONResponse:
    named = [(check_upload(f), f) for f in files]
    names = [name for name, _ in named]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise http_error(422, f"Hai tệp cùng tên trong một lần nạp: {', '.join(twice)}")
    staging = state.tmp / uuid.uuid4().hex
    staging.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, f in named:
        f.file.seek(0)
        with (staging / name).open("wb") as out:
            shutil.copyfileobj(f.file, out, 1 << 20)
        staged.append((f.filename or name, staging / name))

    def work(job: Job) -> UploadJobResult:
        try:
            return _ingest_job(state, user, staged, job)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    job = state.jobs.submit("ingest", user.name, work)
    return JSONResponse({"job": job.id, "state": job.state, "url": f"/api/jobs/{job.id}"}, status_code=202)


@router.get("/jobs/{job_id}", summary="Tình trạng một công việc nạp văn bản")
def job_status(state: State, user: Curator, job_id: str) -> JobView:
    job = state.jobs.get(job_id)
    if job is None:
        raise http_error(404, f"không có công việc «{job_id[:40]}»")
    return job.view()


@router.post("/jobs/{job_id}/cancel", summary="Huỷ một công việc nạp văn bản (dừng ở trang hoặc lô kế tiếp)")
def cancel_job(state: State, user: Curator, job_id: str) -> JobView:
    job = state.jobs.get(job_id)
    if job is None:
        raise http_error(404, f"không có công việc «{job_id[:40]}»")
    job.cancel.set()
    return job.view()


# ----------------------------------------------------------------------------- checks
def safe_name(filename: str | None) -> str:
    """The upload's base name, without folders, control or reserved characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".")
    if len(name) > MAX_NAME_CHARS:
        stem, suffix = os.path.splitext(name)
        name = stem[: MAX_NAME_CHARS - len(suffix)] + suffix
    return name


def check_upload(upload: UploadFile) -> str:
    """The name to store the upload under; 415 for a type not accepted, 413 for a size over."""
    name = safe_name(upload.filename)
    suffix = os.path.splitext(name)[1].lower()
    shown = name or "(không tên)"
    if suffix == ".doc":
        raise http_error(415, f"{shown}: {MSG_DOC_LEGACY}")
    if suffix not in ALLOWED_SUFFIXES:
        accepted = ", ".join(s for s in ALLOWED_SUFFIXES if s != ".markdown")
        raise http_error(415, f"{shown}: định dạng tệp không được hỗ trợ; chỉ nhận {accepted}")
    size = _size(upload)
    if size > MAX_FILE_BYTES:
        mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise http_error(413, f"{shown}: tệp quá lớn ({mb} MB), giới hạn {MAX_FILE_BYTES // 1024 // 1024} MB")
    return name


def _size(upload: UploadFile) -> int:
    if upload.size is not None:
        return upload.size
    upload.file.seek(0, os.SEEK_END)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


# ----------------------------------------------------------------------------- the job
class EarlierUpload(BaseModel):
    """An earlier upload of the same name (other content) that still counts or is pending."""

    upload_id: int
    file: str
    documents: list[str]


class UploadedFile(BaseModel):
    """One file of an upload job: what became of it."""

    filename: str
    file: str = Field(description="uploads/<sha256[:12]>-<tên tệp>: tên lưu trên máy chủ")
    upload_id: int | None = None
    status: UploadResult
    error: str | None = None
    warnings: list[str] = []
    documents: list[str] = []
    supersedes: list[str] = []
    same_name_as: list[EarlierUpload] = []
    limit_status: int | None = Field(None, exclude=True)  # a file over a limit: the job's status


class UploadJobResult(BaseModel):
    """The result of an upload job (GET /api/jobs/{id} once done)."""

    ingested: list[str]
    pending: list[str]
    unchanged: list[str]
    failed: list[dict[str, str | None]]  # file, error
    files: list[UploadedFile]
    index: IndexReport | None = None
    warnings: list[str] = []


def _ingest_job(state: AppState, user: User, staged: list[tuple[str, Path]], job: Job) -> UploadJobResult:
    """Read and parse each file (outside any lock: OCR may take minutes), store them under the
    one-writer lock (seconds), then update the index (outside it)."""
    incomplete = state.index_incomplete  # before this job marks it: what a crash left
    uploads = []
    for number, (filename, path) in enumerate(staged):
        job.step("Đọc văn bản", number, len(staged))
        with budget(Budget(cancelled=job.cancel)):
            uploads.append(_prepare(state, filename, path))
    job.step("Lưu vào kho", 0, len(uploads))
    with state.exclusive_ingest():
        results = [_store(state, user, upload) for upload in uploads]
    stored = [r for r in results if r.status != UploadResult.FAILED]
    job.step("Cập nhật chỉ mục")  # cancelled meanwhile: stop here (what was stored stays, audited)
    if not stored:
        first = results[0]
        details = [{"filename": r.filename, "error": r.error} for r in results]
        status = max(r.limit_status or 422 for r in results)
        raise JobFailed(status, f"Không nạp được tệp nào: {first.filename}: {first.error}", details)
    index, warnings = None, []
    needs_index = any(r.status == UploadResult.INGESTED for r in results) or incomplete
    if needs_index:
        index, warnings = _reindex(state, job)
        for r in results:  # a crash left this file's index incomplete: it is not "unchanged"
            if r.status == UploadResult.UNCHANGED:
                r.status = UploadResult.INDEXED
    return UploadJobResult(
        ingested=[r.file for r in results if r.status == UploadResult.INGESTED],
        pending=[r.file for r in results if r.status == UploadResult.PENDING],
        unchanged=[r.file for r in results if r.status in (UploadResult.UNCHANGED, UploadResult.INDEXED)],
        failed=[{"file": r.file, "error": r.error} for r in results if r.status == UploadResult.FAILED],
        files=results,
        index=index,
        warnings=warnings,
    )


def stored_name(name: str, sha: str) -> str:
    return f"{sha[:STORED_PREFIX]}-{name}"


def _prepare(state: AppState, filename: str, staged: Path) -> dict[str, Any]:
    """One staged upload hashed, read and parsed by the CLI's pipeline, under its stored name."""
    sha = sha256_of(staged)
    stored = stored_name(staged.name, sha)
    target = state.uploads / stored
    report = IngestReport()
    prepared = prepare_file(state.store, staged, str(target.resolve()), report)
    return {"filename": filename, "staged": staged, "target": target, "report": report, "prepared": prepared}


def _store(state: AppState, user: User, upload: dict[str, Any]) -> UploadedFile:
    """Store a prepared upload (the file in place first: a kill after the store's write leaves
    no row without its file); keep the file only when stored (the same content uploaded before
    stays, whatever happens to this attempt)."""
    staged, target, report = upload["staged"], upload["target"], upload["report"]
    recorded, name = str(target.resolve()), staged.name
    earlier = _earlier_uploads(state, name, recorded)
    if upload["prepared"] is not None:
        change = Change(Actor(user.name, user.role), "ingest",
                        {"filename": name, "stored": f"uploads/{target.name}",
                         "same_name_as": [e.file for e in earlier]})
        existed = target.exists()
        os.replace(staged, target)
        store_file(state.store, upload["prepared"], report, change=change, hold_superseding=True)
        if recorded in report.failed_names() and not existed:
            target.unlink(missing_ok=True)
    status = _status(report, recorded)
    error = next((f["error"] for f in report.failed if f["path"] == recorded), None)
    return UploadedFile(
        filename=upload["filename"],
        file=f"uploads/{target.name}",
        upload_id=report.source_ids.get(recorded) or _current_source_id(state, recorded),
        status=status,
        error=error,
        warnings=report.warnings.get(recorded, []),
        documents=_documents_of(state, recorded) if status != UploadResult.FAILED else [],
        supersedes=report.superseded.get(recorded, []),
        same_name_as=earlier,
        limit_status=report.statuses.get(recorded),
    )


def _status(report: IngestReport, name: str) -> UploadResult:
    if name in report.ingested:
        return UploadResult.INGESTED
    if name in report.pending:
        return UploadResult.PENDING
    return UploadResult.UNCHANGED if name in report.unchanged else UploadResult.FAILED


def _earlier_uploads(state: AppState, name: str, recorded: str) -> list[EarlierUpload]:
    """Earlier uploads under the same name (other content), still counting or pending: the new
    one does not replace them silently; the answer names them and their documents."""
    s = schema.sources
    folder = str(state.uploads.resolve())
    with state.store.engine.connect() as conn:
        rows = conn.execute(s.select().where(s.c.path.like(f"{folder}/%-{name}"), s.c.current.is_(True),
                                             s.c.status != WITHDRAWN, s.c.path != recorded)).mappings().all()
    return [EarlierUpload(upload_id=r["id"], file=f"uploads/{Path(r['path']).name}",
                          documents=_documents_of(state, r["path"], r["id"]))
            for r in rows if Path(r["path"]).name[STORED_PREFIX + 1:] == name]


def _current_source_id(state: AppState, path: str) -> int | None:
    current = [s.id for s in state.store.sources(path) if s.current]
    return current[-1] if current else None


def _documents_of(state: AppState, path: str, source_id: int | None = None) -> list[str]:
    """Keys of the documents this file gives (a pending file's too: what it would give)."""
    p = schema.provisions
    sid = source_id or _current_source_id(state, path)
    if sid is None:
        return []
    with state.store.engine.connect() as conn:
        keys = conn.execute(p.select().with_only_columns(p.c.doc_key).where(p.c.source_id == sid).distinct())
        return sorted(k for (k,) in keys)


def _reindex(state: AppState, job: Job | None = None) -> tuple[IndexReport | None, list[str]]:
    try:
        return state.reindex(job.tracker() if job else None), []
    except Exception as exc:  # stored, but not yet searchable: say so, keep what is stored
        if job is not None and job.cancel.is_set():
            raise
        log.exception("cập nhật chỉ mục sau khi nạp thất bại")
        return None, [f"Đã lưu văn bản nhưng chưa cập nhật được chỉ mục tìm kiếm ({type(exc).__name__}); "
                      "hãy chạy «ccn index»."]


# ----------------------------------------------------------------------------- pending, withdraw, audit
@router.get("/kb/uploads", summary="Các tệp đã tải lên và trạng thái (hiệu lực, chờ xác nhận, đã rút)")
def uploads(state: State, user: Curator, status: Annotated[str | None, Query(max_length=16)] = None) -> list:
    s = schema.sources
    folder = str(state.uploads.resolve())
    query = s.select().where(s.c.path.like(f"{folder}/%"), s.c.current.is_(True)).order_by(s.c.id.desc())
    if status:
        query = query.where(s.c.status == status)
    with state.store.engine.connect() as conn:
        rows = conn.execute(query.limit(500)).mappings().all()
    return [_upload_view(state, r) for r in rows]


def _upload_view(state: AppState, row) -> dict[str, Any]:
    audit = state.store.kb_audit(row["id"])
    first = audit[-1] if audit else None
    return {"id": row["id"], "file": f"uploads/{Path(row['path']).name}", "sha256": row["sha256"],
            "status": row["status"], "uploaded_by": first.actor if first else None,
            "documents": _documents_of(state, row["path"], row["id"]),
            "supersedes": first.superseded if first else [],
            "history": [{"at": a.at.isoformat(), "actor": a.actor, "action": a.action}
                        for a in reversed(audit)]}


def _upload(state: AppState, upload_id: int):
    row = state.store.source(upload_id) if 0 < upload_id < 2**62 else None
    if row is None or not row.path.startswith(str(state.uploads.resolve()) + "/"):
        raise http_error(404, f"không có tệp tải lên số {upload_id}")
    return row


@router.post("/kb/uploads/{upload_id}/confirm",
             summary="Xác nhận văn bản đang chờ (người thứ hai, không phải người tải lên)")
def confirm(state: State, user: Curator, upload_id: int) -> dict:
    row = _upload(state, upload_id)
    if row.status != PENDING:
        raise http_error(409, f"tệp tải lên số {upload_id} không ở trạng thái chờ xác nhận ({row.status})")
    uploader = next((a.actor for a in state.store.kb_audit(upload_id) if a.action == "pending"), None)
    if uploader == user.name:
        raise http_error(403, f"người tải lên «{user.name}» không tự xác nhận được văn bản của mình: "
                              "cần một người quản lý kho văn bản hoặc quản trị khác")
    path = Path(row.path)
    if not path.is_file() or sha256_of(path) != row.sha256:
        raise http_error(409, f"tệp {path.name} không còn trên máy chủ hoặc đã bị đổi: không xác nhận được")
    try:
        docs = parse_file(path)
    except ReadError as exc:
        raise http_error(422, f"{path.name}: {exc.problem}") from exc
    with state.exclusive_ingest():
        state.store.confirm(upload_id, docs, Change(Actor(user.name, user.role), "confirm"))
    return _after_change(state, user, upload_id)


@router.post("/kb/uploads/{upload_id}/withdraw", summary="Rút một tệp đã tải lên: khôi phục văn bản nó thay thế")
def withdraw(state: State, user: Curator, upload_id: int) -> dict:
    row = _upload(state, upload_id)
    if row.status == WITHDRAWN:
        raise http_error(409, f"tệp tải lên số {upload_id} đã được rút")
    with state.exclusive_ingest():
        state.store.withdraw(upload_id, Change(Actor(user.name, user.role), "withdraw"))
    return _after_change(state, user, upload_id)


def _after_change(state: AppState, user: User, upload_id: int) -> dict:
    """The upload as it is now, and the job updating the search index for the change."""
    job = state.jobs.submit("index", user.name, lambda j: {"index": _reindex(state, j)[0]})
    with state.store.engine.connect() as conn:
        row = conn.execute(schema.sources.select().where(schema.sources.c.id == upload_id)).mappings().first()
    return {**_upload_view(state, row), "job": job.id}


@router.get("/kb/audit", summary="Nhật ký thay đổi cơ sở tri thức")
def kb_audit(state: State, user: Curator, limit_rows: Annotated[int, Query(alias="limit", ge=1, le=1000)] = 200,
             ) -> list:
    return [{**asdict(a), "at": a.at.isoformat()} for a in state.store.kb_audit(limit=limit_rows)]
