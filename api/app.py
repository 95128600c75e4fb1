"""The HTTP API (FastAPI): `create_app()` builds it; `ccn serve` runs it with uvicorn.

    GET  /health                      store counts, whether the search indexes are loaded
    GET  /api/search                  provisions answering a query (filters, validity date)
    POST /api/ask                     an answer: provisions quoted and cited, confidence, warnings
    POST /api/citations/resolve       free text → the citations in it, resolved against the store
    GET  /api/documents               documents (filters: type, issuer, status, in_store, q)
    GET  /api/documents/{id}          one document: metadata, validity, structure tree, relations
    GET  /api/provisions/{id}         one provision: wording at a date, context, relations, versions
    POST /api/ingest                  upload files (curator token): a background job, GET /api/jobs/{id}
    /api/kb/uploads, /api/kb/audit    pending uploads, confirm, withdraw; the knowledge base's audit
    POST /api/check, /api/draft       check a letter's citations; draft a letter (routes_check.py)
    GET  /api/draft/schema, POST /api/draft/preview   the drafting form (routes_draft_form.py)
    GET  /api/compare                 comparable provisions side by side (routes_compare.py)
    GET  /                            the web UI (api/static/index.html); /static its files
    GET  /docs, /openapi.json         Swagger UI (offline, api/docs.py), the OpenAPI schema

Every request first passes api.security (security headers, URL length, the same-origin check
of state changes, a token for reads when CCN_REQUIRE_TOKEN_FOR_READS=1) and the body limit.
State (store, searcher, answer composer) is loaded once and shared; endpoints are plain `def`,
run in FastAPI's thread pool. Errors are JSON `{"error": "<tiếng Việt>", "details": [...]}`.
More routers (e.g. the review workflow) are passed to `create_app(routers=[...])` or appended
to `ROUTERS`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import review, routes_check, routes_documents, routes_ingest, routes_search
from api.docs import add_docs
from api.errors import install_error_handlers
from api.limits import BodyLimit, RequestBudget
from api.routes_compare import router as compare_router
from api.routes_draft_form import router as draft_form_router
from api.routes_labels import router as labels_router
from api.routes_register import router as register_router
from api.schemas import Health
from api.security import ReadToken, SameOrigin, SecurityHeaders, UrlLength, reads_need_token
from api.state import AppState, units_without_vectors
from kb.settings import home_dir, store_for
from kb.store import Store

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_JSON_BYTES = 1024 * 1024  # any request body but uploads
BUDGETED_PATHS = ("/api/check", "/api/draft", "/api/ingest")  # read files: time budget, cancel on disconnect

ROUTERS: list[APIRouter] = [routes_search.router, routes_documents.router, routes_ingest.router]
ROUTERS.append(review.router)  # the review workflow: users, drafts, audit (api/review.py)
ROUTERS.append(routes_check.router)  # checking a letter, drafting (api/routes_check.py)
ROUTERS.append(register_router)  # the cluster register (api/routes_register.py)
ROUTERS.append(compare_router)  # comparable provisions side by side (api/routes_compare.py)
ROUTERS.append(draft_form_router)  # the drafting form: schema, preview image (api/routes_draft_form.py)
ROUTERS.append(labels_router)  # the vocabularies' Vietnamese labels, for the pages (api/routes_labels.py)

DESCRIPTION = (
    "Tra cứu văn bản pháp luật về cụm công nghiệp: tìm quy định, trả lời câu hỏi có trích dẫn, "
    "xem văn bản và quy định theo hiệu lực, giải trích dẫn, nạp văn bản mới. Lỗi trả về JSON "
    '{"error": "…", "details": [...]} bằng tiếng Việt.'
)


def create_app(
    home: Path | None = None,
    *,
    store: Store | None = None,
    searcher=None,
    routers: Sequence[APIRouter] = (),
    preload: bool = False,
    dense: str = "core",
    static_dir: Path | None = None,
    require_token_for_reads: bool | None = None,
    startup: Callable[[AppState], object] | None = None,
) -> FastAPI:
    """The app over the data folder `home` (default: $CCN_HOME or ./data) and its store
    (default: $CCN_DATABASE_URL, else the embedded SQLite file). `preload` loads the search
    indexes and model at start-up instead of on the first search; `dense` is what the index
    update after an upload embeds (`ccn index --dense`: core, all, none). `require_token_for_reads`
    (default: $CCN_REQUIRE_TOKEN_FOR_READS) makes every /api request need a valid token (api.security). `startup(state)` runs
    when serving begins instead of completing an interrupted index (`ccn run`'s background job)."""
    home = Path(home) if home is not None else home_dir(None)
    state = AppState(home, store or store_for(home), searcher, dense=dense)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.sweep_tmp()  # staged uploads a kill left behind
        if preload:
            state.searcher()
        if startup is not None:
            startup(state)
        else:
            state.complete_index_in_background()  # indexing a kill interrupted
        _cancel_work_on_sigterm(state)
        yield
        state.jobs.cancel_all()  # shutdown: jobs stop at their next page or batch

    app = FastAPI(title="Trợ lý pháp luật cụm công nghiệp", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan, redirect_slashes=False, docs_url=None, redoc_url=None)
    app.state.ccn = state
    install_error_handlers(app)
    app.add_exception_handler(review.ReviewError, review.on_review_error)
    app.add_middleware(RequestBudget, paths=BUDGETED_PATHS)
    app.add_middleware(BodyLimit, default=MAX_JSON_BYTES,
                       per_path={"/api/ingest": routes_ingest.MAX_REQUEST_BYTES, **routes_check.BODY_LIMITS})
    app.add_middleware(ReadToken, enabled=reads_need_token(require_token_for_reads))
    app.add_middleware(SameOrigin)
    app.add_middleware(UrlLength)
    app.add_middleware(SecurityHeaders)  # outermost: every response, the refusals above included
    for router in (*ROUTERS, *routers):
        app.include_router(router)
    _add_health(app, state)
    add_docs(app)  # Swagger UI from the installed package (api/docs.py)
    _add_static(app, static_dir or STATIC_DIR)
    return app


def app_from_env() -> FastAPI:
    """The app over $CCN_HOME (or ./data), indexes loaded at start-up: for
    `uvicorn --factory api.app:app_from_env` and `ccn serve --workers N`."""
    return create_app(preload=True)


def _add_health(app: FastAPI, state: AppState) -> None:
    @app.get("/health", response_model=Health, tags=["hệ thống"], summary="Tình trạng dịch vụ")
    def health() -> dict:
        counts = state.store.counts()
        missing = units_without_vectors(state.home)
        return {"status": "indexing" if missing else "ok", "documents": counts["documents"],
                "provisions": counts["provisions"], "search_ready": state.search_ready,
                "query_encoder": state.query_encoder(), "units_without_vectors": missing,
                "build": _build_json(state.build_job)}


def _build_json(job) -> dict | None:
    """The first run's background job (`ccn run`): state, step, counts, ETA; None when none ran."""
    if job is None:
        return None
    return {"state": job.state, "error": job.error, **job.progress}


def _cancel_work_on_sigterm(state: AppState) -> None:
    """SIGTERM (and Ctrl-C) also cancel the work under way — readers between pages, OCR, jobs,
    an embedding between batches — so the server stops promptly; then uvicorn's own handler.
    Only where signals can be set (the main thread: `ccn serve`, not a test's server thread)."""
    import signal
    import threading

    from ingest.limits import shutdown

    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)

        def handler(number, frame, previous=previous) -> None:
            shutdown()
            state.jobs.cancel_all()
            if callable(previous):
                previous(number, frame)

        signal.signal(signum, handler)


def _add_static(app: FastAPI, folder: Path) -> None:
    """The single-page web UI: index.html at `/`, the folder at `/static`."""
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / "index.html"
    if not any(folder.iterdir()):
        index.write_text(PLACEHOLDER, encoding="utf-8")

    @app.get("/", include_in_schema=False)
    def home_page() -> FileResponse:
        return FileResponse(index, media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=folder), name="static")


PLACEHOLDER = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Trợ lý pháp luật cụm công nghiệp</title></head>
<body><h1>Trợ lý pháp luật cụm công nghiệp</h1>
<p>Giao diện web đang được xây dựng. Xem <a href="/docs">tài liệu API</a>.</p></body></html>
"""
