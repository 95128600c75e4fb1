"""The drafting form of the web UI, server side: what the form is built from and its preview.

    GET  /api/draft/schema?kind=   DraftSpec's JSON schema (Vietnamese field labels), the kinds,
                                   the fields this kind shows first, the profiles and signers to
                                   choose from, and the kind's example spec (drafting/examples)
    POST /api/draft/preview        a draft spec (JSON; `?as_of=`) → page 1 of its PDF as PNG

The form is driven by the schema, never by a list of fields per kind: a kind added to DraftSpec
(with its example `drafting/examples/<kind>.yaml`) appears in the form without code here. The
fields a kind shows first are the schema's required ones and those its example fills; the
others are under «Trường khác». Labels come from a field's own `title` when the model gives one
(Field(title=…)), else from api/draft_labels.yaml (data: a new field's label is a line there),
else the field's name.

The preview is the DOCX of /api/draft/docx converted by LibreOffice (drafting.preview) and its
first page drawn as PNG: under the same request budget and body limit as the other draft
endpoints, at most `MAX_CONVERSIONS` LibreOffice runs at once, and the last few images kept per
app so that the same spec is not converted twice.
"""

from __future__ import annotations

import json
import tempfile
import threading
import weakref
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from api.cache import ResultCache
from api.deps import ERRORS, error_response, get_state, single_query_values
from api.errors import http_error
from api.routes_check import EXAMPLES_DIR, SPEC_ERRORS, AsOfQuery, _iso, _made
from api.schemas import Model
from api.state import AppState
from drafting import resources
from drafting.preview import PreviewError, PreviewUnavailable, page_png, to_pdf
from drafting.profile import ProfileError, load_profile
from drafting.spec import KIND_LABELS, DraftSpec
from ingest.limits import checkpoint
from ingest.types import ReadError

MAX_CONVERSIONS = 2  # LibreOffice is CPU-heavy: more requests wait their turn
PREVIEW_DPI = 96  # an A4 page ≈ 794 × 1123 px
PREVIEW_CACHE = 16  # images kept per app
PNG = "image/png"

LABELS_FILE = Path(__file__).resolve().parent / "draft_labels.yaml"  # Vietnamese labels: data
PICKER_FIELDS = {"provisions", "ref"}  # filled from the provision picker (a canonical citation)
LONG_TEXT = {"text", "opening", "closing", "intro", "question", "comment", "subject", "reason", "transition"}

router = APIRouter(prefix="/api", tags=["kiểm tra và soạn thảo"], responses=ERRORS,
                   dependencies=[Depends(single_query_values)])
State = Annotated[AppState, Depends(get_state)]
_conversions = threading.BoundedSemaphore(MAX_CONVERSIONS)
_previews: weakref.WeakKeyDictionary[AppState, ResultCache] = weakref.WeakKeyDictionary()
_previews_lock = threading.Lock()


class Choice(Model):
    value: str
    label: str


class DraftKind(Model):
    kind: str
    label: str


class DraftSchema(Model):
    kind: str
    label: str = Field(description="loại văn bản bằng tiếng Việt")
    kinds: list[DraftKind]
    json_schema: dict[str, Any] = Field(description="JSON Schema của DraftSpec, nhãn tiếng Việt")
    fields: list[str] = Field(description="các trường hiện trước của loại này (bắt buộc và có trong ví dụ)")
    choices: dict[str, list[Choice]] = Field(description="giá trị chọn được: profile, template")
    signers: dict[str, list[Choice]] = Field(description="người ký của từng hồ sơ cơ quan")
    example: dict[str, Any] | None = Field(description="dự thảo mẫu của loại này (drafting/examples)")


# ----------------------------------------------------------------------------- schema
KINDS = DraftSpec.model_fields["kind"].annotation  # the model's kinds, as it grows
KindQuery = Annotated[KINDS | None, Query(description="loại văn bản (mặc định: loại đầu tiên)")]


@router.get("/draft/schema", response_model=DraftSchema,
            summary="Cấu trúc nội dung dự thảo (JSON Schema) cho biểu mẫu soạn thảo")
def draft_schema(state: State, kind: KindQuery = None) -> dict:
    schema = labelled(DraftSpec.model_json_schema())
    kinds = list(schema["properties"]["kind"]["enum"])
    chosen = kind or kinds[0]
    example = kind_example(chosen)
    fields = [name for name in schema["properties"]
              if name in schema.get("required", []) or (example and name in example)]
    profiles = [name for name in resources.available("profile", state.home)]
    choices, signers = profile_choices(profiles, state.home)
    return {"kind": chosen, "label": KIND_LABELS.get(chosen, chosen),
            "kinds": [{"kind": k, "label": KIND_LABELS.get(k, k)} for k in kinds],
            "json_schema": schema, "fields": fields, "example": example, "signers": signers,
            "choices": {"profile": choices,
                        "template": [{"value": t, "label": t} for t in resources.available("template", state.home)]}}


def labelled(schema: dict) -> dict:
    """The schema, each property titled in Vietnamese (unless its model gave a title of its
    own) and marked for the form: `x-picker` (filled from the provision picker), `x-long`
    (a text area); `x-label` names one block of a list of the model ("Ý 2")."""
    labels = _labels()
    fields, blocks = labels.get("fields", {}), labels.get("blocks", {})
    for model, node in [("DraftSpec", schema), *schema.get("$defs", {}).items()]:
        if model in blocks:
            node["x-label"] = blocks[model]
        for name, prop in node.get("properties", {}).items():
            if prop.get("title") in (None, name.replace("_", " ").title()):  # pydantic's, not the model's
                prop["title"] = fields.get(f"{model}.{name}") or fields.get(name) or name
            if name in PICKER_FIELDS:
                prop["x-picker"] = True
            if name in LONG_TEXT:
                prop["x-long"] = True
    return schema


@lru_cache(maxsize=1)
def _labels() -> dict:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8")) or {}


def kind_example(kind: str) -> dict | None:
    """drafting/examples/<kind>.yaml as JSON (dates as YYYY-MM-DD), None without one."""
    path = EXAMPLES_DIR / f"{kind}.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, ensure_ascii=False, default=_iso)) if isinstance(data, dict) else None


def profile_choices(names: list[str], home: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    """The profiles as choices ("cuc-dck — Cục ĐCK") and each one's signers; a profile that
    does not load is left out (its error shows when a draft names it)."""
    choices, signers = [], {}
    for name in names:
        try:
            profile = load_profile(name, home)
        except ProfileError:
            continue
        choices.append({"value": name, "label": f"{profile.short_name} ({name})"})
        signers[name] = [{"value": s.id, "label": f"{s.title.capitalize()} {s.name}"} for s in profile.signers]
    return choices, signers


# ----------------------------------------------------------------------------- preview
PREVIEW_ERRORS = {503: error_response("Không tạo được bản xem trước (LibreOffice không có hoặc đang bận)")}


@router.post("/draft/preview", response_class=Response,
             responses={200: {"content": {PNG: {}}, "description": "trang 1 của bản PDF, ảnh PNG"},
                        **SPEC_ERRORS, **PREVIEW_ERRORS},
             summary="Ảnh trang đầu của dự thảo (DOCX → PDF bằng LibreOffice → PNG) để xem trước")
def draft_preview(state: State, spec: DraftSpec, as_of: AsOfQuery = None) -> Response:
    key = (json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True),
           as_of, date.today())
    (data, pages, errors), hit = _cache(state).get_or_compute(key, lambda: _render_png(state, spec, as_of))
    headers = {"X-Preview-Pages": str(pages), "X-Draft-Errors": str(errors),
               "X-Cache": "hit" if hit else "miss", "Cache-Control": "no-store"}
    return Response(data, media_type=PNG, headers=headers)


def _cache(state: AppState) -> ResultCache:
    with _previews_lock:
        return _previews.setdefault(state, ResultCache(PREVIEW_CACHE))


def _render_png(state: AppState, spec: DraftSpec, as_of: date | None) -> tuple[bytes, int, int]:
    """(PNG of page 1, page count, the draft's errors): the draft rendered as /api/draft/docx
    renders it, converted when a LibreOffice slot is free within the request's time budget."""
    with tempfile.TemporaryDirectory(prefix="ccn-preview-", dir=_tmp(state)) as tmp:
        result = _made(state, spec, Path(tmp), as_of, check=False)
        seconds = _seconds_left(result.docx)
        if not _conversions.acquire(timeout=seconds):
            raise http_error(503, "Máy chủ đang bận tạo bản xem trước khác; hãy thử lại sau ít phút")
        try:
            pdf = to_pdf(result.docx, timeout=_seconds_left(result.docx))
            data, pages = page_png(pdf, resolution=PREVIEW_DPI)
        except PreviewUnavailable as exc:
            raise http_error(503, f"Không tạo được bản xem trước: {exc}") from exc
        except PreviewError as exc:
            raise http_error(503, f"Không tạo được bản xem trước: {exc}") from exc
        finally:
            _conversions.release()
    return data, pages, len(result.draft.errors)


def _tmp(state: AppState) -> Path:
    state.tmp.mkdir(parents=True, exist_ok=True)
    return state.tmp


def _seconds_left(path: Path) -> float:
    """The request's time budget left (ingest.limits), at most LibreOffice's own 240 s."""
    try:
        left = checkpoint(path)
    except ReadError as exc:  # over time, or the client went away
        raise http_error(getattr(exc, "status", 422), f"Không tạo được bản xem trước: {exc.problem}") from exc
    return min(240.0, left) if left is not None else 240.0
