"""Upload: POST /api/ingest — the CLI's ingestion pipeline, file by file, then the indexes.

Each file is checked before anything is stored (type by its name: .docx .pdf .txt .md .html
.htm; at most 20 MB; at most 10 files), written to a staging folder, and ingested under the
name `$CCN_HOME/uploads/<file name>` with the same reader, parser, checks and Vietnamese errors
as `ccn ingest` (content is detected from the bytes, not the name). A file that fails leaves the
store as it was: the failure is recorded and the previous upload of that name stays on disk.
Re-uploading the same content is a no-op ("unchanged"); a changed file becomes a new version,
the old one kept. When anything new was stored, the search indexes are updated and reloaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import unicodedata
import uuid
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import JSONResponse

from api.deps import ERRORS, error_response, get_state
from api.errors import error_body, http_error
from api.schemas import IngestResponse
from api.state import AppState
from ingest.readers.detect import MSG_DOC_LEGACY
from ingest.runner import IngestReport, ingest_file

log = logging.getLogger("ccn.api")

ALLOWED_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".markdown", ".html", ".htm")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024  # whole multipart body
MAX_NAME_CHARS = 150

router = APIRouter(prefix="/api", tags=["nạp văn bản"], responses=ERRORS)
State = Annotated[AppState, Depends(get_state)]


@router.post(
    "/ingest",
    response_model=IngestResponse,
    summary="Tải lên và nạp văn bản (docx, pdf, txt, md, html; tối đa 20 MB mỗi tệp)",
    responses={413: error_response("Tệp quá lớn"),
               415: error_response("Định dạng tệp không được hỗ trợ"),
               422: error_response("Dữ liệu không hợp lệ, hoặc không nạp được tệp nào")},
)
def upload(
    state: State,
    files: Annotated[list[UploadFile], File(min_length=1, max_length=MAX_FILES,
                                             description="một hoặc nhiều tệp văn bản (tối đa 10)")],
) -> dict | JSONResponse:
    named = [(check_upload(f), f) for f in files]
    names = [name for name, _ in named]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise http_error(422, f"Hai tệp cùng tên trong một lần nạp: {', '.join(twice)}")
    with state.exclusive_ingest():
        results = [_ingest_one(state, name, f) for name, f in named]
        index, warnings = _reindex(state) if any(r["status"] == "ingested" for r in results) else (None, [])
    stored = [r for r in results if r["status"] != "failed"]
    failed = [{"path": r["path"], "error": r["error"]} for r in results if r["status"] == "failed"]
    if not stored:
        first = results[0]
        message = f"Không nạp được tệp nào: {first['filename']}: {first['error']}"
        details = [{"filename": r["filename"], "path": r["path"], "error": r["error"]} for r in results]
        return JSONResponse(error_body(message, details), status_code=422)
    return {
        "ingested": [r["path"] for r in results if r["status"] == "ingested"],
        "unchanged": [r["path"] for r in results if r["status"] == "unchanged"],
        "failed": failed,
        "files": results,
        "index": index,
        "warnings": warnings,
    }


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


# ----------------------------------------------------------------------------- ingest
def _ingest_one(state: AppState, name: str, upload: UploadFile) -> dict:
    """Ingest one upload through the CLI's pipeline; keep the file only when it is stored."""
    staging = state.uploads / ".incoming" / uuid.uuid4().hex
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / name
    target = state.uploads / name
    recorded = str(target.resolve())
    try:
        upload.file.seek(0)
        with staged.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        report = IngestReport()
        ingest_file(state.store, staged, recorded, report)
        status = _status(report, recorded)
        if status != "failed":
            os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    error = next((f["error"] for f in report.failed if f["path"] == recorded), None)
    return {
        "filename": upload.filename or name,
        "path": recorded,
        "status": status,
        "error": error,
        "warnings": report.warnings.get(recorded, []),
        "documents": _documents_of(state, recorded) if status != "failed" else [],
    }


def _status(report: IngestReport, name: str) -> str:
    if name in report.ingested:
        return "ingested"
    return "unchanged" if name in report.unchanged else "failed"


def _documents_of(state: AppState, path: str) -> list[str]:
    """Keys of the documents whose main text this file now provides."""
    current = [s["id"] for s in state.store.sources(path) if s["current"]]
    return [d["key"] for d in state.store.documents(include_stubs=False)
            if current and d["primary_source_id"] in current]


def _reindex(state: AppState) -> tuple[dict | None, list[str]]:
    try:
        return state.reindex().to_json(), []
    except Exception as exc:  # stored, but not yet searchable: say so, keep what is stored
        log.exception("cập nhật chỉ mục sau khi nạp thất bại")
        return None, [f"Đã lưu văn bản nhưng chưa cập nhật được chỉ mục tìm kiếm ({type(exc).__name__}); "
                      "hãy chạy «ccn index»."]
