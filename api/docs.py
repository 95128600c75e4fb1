"""/docs: Swagger UI served from the installed `swagger-ui-bundle` package, not from a CDN (the
page was blank offline), and without an inline script, so that a Content-Security-Policy of
`script-src 'self'` allows it: the page loads the bundle from /docs-assets and its start-up
code from /static/swagger-init.js (which reads the schema's URL from the page's data-url).
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{escape(title)} — tài liệu API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png"></head>
<body><div id="swagger-ui" data-url="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body></html>
"""


def add_docs(app: FastAPI) -> None:
    """The app must be made with docs_url=None (FastAPI's own page loads a CDN)."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    page = docs_page(app.title, app.openapi_url or "/openapi.json")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
