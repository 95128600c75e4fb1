"""Checking a letter and drafting over HTTP: the citation checker (drafting.checker) and the draft
pipeline (drafting.pipeline), as `ccn check` and `ccn draft` do them.

    POST /api/check                one letter (multipart field `file`; DOCX, PDF, TXT, MD …) and an
                                   optional `as_of` → the checker's report (`ccn check --json`)
    POST /api/check/annotated      one .docx → the same DOCX with a Word comment on each citation
    GET  /api/draft/examples       the shipped example specs (drafting/examples/*.yaml) as JSON
    POST /api/draft                a draft spec (JSON; `?as_of=`) → assembly and checker's report
    POST /api/draft/docx           a draft spec (JSON; `?as_of=`) → the draft DOCX ("DỰ THẢO")

An upload passes the checks of /api/ingest (type by name, size; `check_upload`), is written to a
temporary folder deleted afterwards and is never stored in the knowledge base. A spec names
its agency profile and Word template by name only (drafting.resources: the admin-managed
folders of the data folder, then the shipped ones; never a path). Errors are JSON `{"error": "<tiếng Việt>", "details": [...]}`.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import Field

from api.deps import ERRORS, error_response, get_state, single_query_values
from api.errors import http_error
from api.routes_ingest import MAX_FILE_BYTES, check_upload
from api.schemas import IsoDate, Model
from api.state import AppState
from drafting.checker import CheckReport, annotate_docx, check_file
from drafting.pipeline import DraftReport, make_draft
from drafting.profile import ProfileError, load_profile
from drafting.render import RenderError, template_for
from drafting.spec import KIND_LABELS, DraftSpec, with_home
from ingest.readers.detect import detect_format
from ingest.types import ReadError

log = logging.getLogger("ccn.api")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "drafting" / "examples"
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 1024 * 1024  # one file and the form around it
BODY_LIMITS = {"/api/check": MAX_REQUEST_BYTES, "/api/check/annotated": MAX_REQUEST_BYTES}
COUNT_HEADERS = {"citations": "X-Check-Citations", "errors": "X-Check-Errors",
                 "warnings": "X-Check-Warnings"}

router = APIRouter(prefix="/api", tags=["kiểm tra và soạn thảo"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])
State = Annotated[AppState, Depends(get_state)]
Letter = Annotated[UploadFile, File(description="văn bản cần kiểm tra (.docx, .pdf, .txt, .md; tối đa 20 MB)")]
AsOfForm = Annotated[IsoDate | None, Form(description="ngày xét hiệu lực YYYY-MM-DD (mặc định: ngày của văn bản)")]
AsOfQuery = Annotated[IsoDate | None, Query(description="ngày xét hiệu lực YYYY-MM-DD (mặc định: ngày của văn bản)")]
UPLOAD_ERRORS = {413: error_response("Tệp quá lớn"),
                 415: error_response("Định dạng tệp không được hỗ trợ"),
                 422: error_response("Dữ liệu không hợp lệ (ngày, tệp hỏng hoặc không đọc được)")}
DOCX_CONTENT = {200: {"content": {DOCX_MIME: {}}, "description": "tệp DOCX"}}


# ----------------------------------------------------------------------------- models
class DraftExample(Model):
    name: str = Field(description="tên tệp ví dụ, không đuôi (drafting/examples/<name>.yaml)")
    kind: str
    label: str = Field(description="loại văn bản bằng tiếng Việt")
    subject: str
    spec: dict[str, Any] = Field(description="nội dung dự thảo (DraftSpec) dạng JSON")


# ----------------------------------------------------------------------------- checking
@router.post("/check", response_model=CheckReport, responses=UPLOAD_ERRORS,
             summary="Kiểm tra trích dẫn của một văn bản (không lưu vào kho)")
def check(state: State, file: Letter, as_of: AsOfForm = None) -> CheckReport:
    with _staged(file, state.tmp) as (name, path):
        return _report(state, name, path, as_of)


@router.post("/check/annotated", response_class=Response,
             responses={**DOCX_CONTENT, **UPLOAD_ERRORS},
             summary="Tệp DOCX có nhận xét của bộ kiểm tra tại từng trích dẫn")
def check_annotated(state: State, file: Letter, as_of: AsOfForm = None) -> Response:
    with _staged(file, state.tmp, docx_only=True) as (name, path):
        report = _report(state, name, path, as_of)
        out = path.with_name("nhan-xet.docx")
        try:
            annotate_docx(path, report, out)
        except Exception as exc:  # a DOCX the reader took but python-docx cannot rewrite
            log.exception("không ghi được nhận xét vào %s", name)
            raise http_error(422, f"{name}: không ghi được nhận xét vào tệp DOCX này "
                                  f"({type(exc).__name__})") from exc
        data = out.read_bytes()
    counts = report.counts
    headers = {header: str(counts[key]) for key, header in COUNT_HEADERS.items()}
    stem = name[: -len(".docx")]
    headers["Content-Disposition"] = _attachment(f"{stem}-kiem-tra.docx")
    return Response(data, media_type=DOCX_MIME, headers=headers)


@contextmanager
def _staged(upload: UploadFile, tmp: Path, docx_only: bool = False) -> Iterator[tuple[str, Path]]:
    """The upload, checked as /api/ingest checks it, in a temporary folder removed afterwards
    (under the home's tmp/, which start-up empties: a kill leaves nothing behind)."""
    name = check_upload(upload)
    if docx_only and not name.lower().endswith(".docx"):
        raise http_error(415, f"{name}: chỉ ghi được nhận xét vào tệp Word .docx; tệp khác hãy "
                              "kiểm tra bằng /api/check")
    tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ccn-letter-", dir=tmp) as folder:
        path = Path(folder) / name
        upload.file.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        if docx_only:
            _require_docx(name, path)
        yield name, path


def _require_docx(name: str, path: Path) -> None:
    try:
        kind = detect_format(path, path.read_bytes())
    except ReadError as exc:
        raise http_error(422, f"{name}: {exc.problem}") from exc
    if kind != "docx":
        raise http_error(422, f"{name}: nội dung tệp không phải văn bản Word (DOCX)")


def _report(state: AppState, name: str, path: Path, as_of: date | None) -> CheckReport:
    try:
        report = check_file(state.store, path, as_of=as_of)
    except ReadError as exc:  # over a resource limit: its own status (413), with the limit named
        raise http_error(getattr(exc, "status", 422), f"{name}: {exc.problem}") from exc
    report.file = name  # not the temporary path
    return report


def _attachment(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "van-ban.docx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# ----------------------------------------------------------------------------- drafting
@router.get("/draft/examples", response_model=list[DraftExample],
            summary="Các dự thảo mẫu (drafting/examples) dạng JSON")
def draft_examples() -> list[dict]:
    return [_example(path) for path in sorted(EXAMPLES_DIR.glob("*.yaml"))]


def _example(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = json.loads(json.dumps(data, ensure_ascii=False, default=_iso))
    return {"name": path.stem, "kind": spec["kind"], "label": KIND_LABELS.get(spec["kind"], spec["kind"]),
            "subject": spec.get("subject", ""), "spec": spec}


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


SPEC_ERRORS = {422: error_response("Nội dung dự thảo không hợp lệ (trường, hồ sơ cơ quan, người ký, ngày)")}


@router.post("/draft", response_model=DraftReport, responses=SPEC_ERRORS,
             summary="Lập dự thảo từ nội dung JSON và kiểm tra trích dẫn (không lưu)")
def draft(state: State, spec: DraftSpec, as_of: AsOfQuery = None) -> DraftReport:
    with tempfile.TemporaryDirectory(prefix="ccn-draft-") as tmp:
        result = _made(state, spec, Path(tmp), as_of, check=True)
    return result.report().without_files()


@router.post("/draft/docx", response_class=Response, responses={**DOCX_CONTENT, **SPEC_ERRORS},
             summary="Tệp DOCX của dự thảo (có chữ «DỰ THẢO» và phụ lục trích dẫn cho người duyệt)")
def draft_docx(state: State, spec: DraftSpec, as_of: AsOfQuery = None) -> Response:
    with tempfile.TemporaryDirectory(prefix="ccn-draft-") as tmp:
        result = _made(state, spec, Path(tmp), as_of, check=False)
        data = result.docx.read_bytes()
    headers = {"Content-Disposition": _attachment(f"du-thao-{spec.kind}.docx"),
               "X-Draft-Errors": str(len(result.draft.errors))}
    return Response(data, media_type=DOCX_MIME, headers=headers)


def _made(state: AppState, spec: DraftSpec, folder: Path, as_of: date | None, *, check: bool):
    """make_draft in `folder`; a template that cannot be rendered (a tag the sandbox refuses,
    a broken file) is a 422 naming the template, not a server error."""
    try:
        return make_draft(_usable(spec, state.home), state.store, folder / "du-thao.docx", as_of=as_of,
                          searcher=_searcher(state, spec), check=check)
    except RenderError as exc:
        raise _spec_error("template", str(exc)) from exc


def _usable(spec: DraftSpec, home: Path) -> DraftSpec:
    """The spec, its profile and template names looked up in the server's data folder, then the
    shipped ones (a path was already refused by DraftSpec: drafting.resources); the profile,
    signer and template are checked here so that a wrong one is a 422, not a failure."""
    spec = with_home(spec, home)
    try:
        profile = load_profile(spec.profile, home)
    except ProfileError as exc:
        raise _spec_error("profile", str(exc)) from exc
    try:
        profile.signer(spec.signer)
    except ValueError as exc:  # a signer the profile does not have
        raise _spec_error("signer", str(exc)) from exc
    try:
        template_for(spec.kind, spec)
    except RenderError as exc:
        raise _spec_error("template", str(exc)) from exc
    return spec


def _spec_error(field: str, message: str):
    return http_error(422, f"Nội dung dự thảo không hợp lệ: trường «{field}»: {message}",
                      [{"loc": ["body", field], "msg": message, "type": "value_error"}])


def _searcher(state: AppState, spec: DraftSpec):
    """The search index, only when the spec asks for suggested provisions."""
    points = [*spec.points, *spec.questions, *(p for s in spec.sections for p in s.points)]
    if not (spec.suggest or any(p.suggest for p in points)):
        return None
    try:
        return state.searcher()
    except Exception:  # no index yet: assembly records that suggestions were not made
        log.exception("không mở được chỉ mục tìm kiếm cho gợi ý dự thảo")
        return None
