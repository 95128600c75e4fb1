"""What every request passes before it reaches a route (pure ASGI middleware).

- `SecurityHeaders`: every response, static files and /docs included, carries a Content
  Security Policy (this origin only: the pages, and /docs's Swagger UI served from the installed
  package by api/docs.py, have no inline script or style), X-Frame-Options DENY,
  X-Content-Type-Options nosniff and Referrer-Policy no-referrer.
- `UrlLength`: a path and query string over `MAX_URL_BYTES` is a Vietnamese JSON 414 before
  routing (`ccn serve` lets uvicorn pass such requests on instead of its English 400).
- `SameOrigin` (CSRF): a POST, PUT, PATCH or DELETE under /api whose Origin header (or, without
  one, Referer) names another scheme://host:port than the request's own Host is refused with
  403. Requests without either (the CLI, curl, scripts) pass; tokens are only ever read from the
  Authorization header, never from a cookie, so a foreign page cannot borrow a session.
- `ReadToken`: with `CCN_REQUIRE_TOKEN_FOR_READS=1` (a server exposed on a network) every
  request under /api and /health needs a valid token too, not only the writes; 401 otherwise.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from kb.settings import get_settings

MAX_URL_BYTES = 8 * 1024
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DEFAULT_PORTS = {"http": "80", "https": "443"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer")]


def reads_need_token(value: bool | None = None) -> bool:
    """The setting: `value` when given, else $CCN_REQUIRE_TOKEN_FOR_READS (1, true, yes, on;
    kb/settings.py)."""
    if value is not None:
        return value
    return get_settings().server.require_token_for_reads


async def send_error(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    """A Vietnamese JSON error, sent straight from a middleware."""
    body = json.dumps(error_body(message), ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


# ----------------------------------------------------------------------------- headers
class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merged(message.get("headers", []), CSP)
            await send(message)

        await self.app(scope, receive, with_headers)


def _merged(headers, policy: str) -> list[tuple[bytes, bytes]]:
    ours = {name for name, _ in HEADERS} | {b"content-security-policy"}
    kept = [(k, v) for k, v in headers if k.lower() not in ours]
    return kept + HEADERS + [(b"content-security-policy", policy.encode())]


# ----------------------------------------------------------------------------- URL length
class UrlLength:
    def __init__(self, app: ASGIApp, limit: int = MAX_URL_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
            if size > self.limit:
                await send_error(send, 414, f"Địa chỉ yêu cầu quá dài ({size:,} byte; giới hạn "
                                            f"{self.limit // 1024} KB cho đường dẫn và tham số)"
                                 .replace(",", "."), {"connection": "close"})
                return
        await self.app(scope, receive, send)


# ----------------------------------------------------------------------------- CSRF
def origin_of(url: str) -> str | None:
    """scheme://host:port of a URL (default ports written out), None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return f"{scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS.get(scheme, '')}"


def own_origin(scope: Scope) -> str | None:
    host = Headers(scope=scope).get("host")
    return origin_of(f"{scope.get('scheme', 'http')}://{host}") if host else None


def allowed_origins(scope: Scope) -> set[str]:
    """The request's own origin and those of $CCN_ALLOWED_ORIGINS (e.g. the reverse proxy's https://…)."""
    extra = {origin_of(o) for o in get_settings().server.origins()}
    return {o for o in {own_origin(scope), *extra} if o}


class SameOrigin:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and scope["path"].startswith("/api"):
            headers = Headers(scope=scope)
            claimed = headers.get("origin") or headers.get("referer")
            if claimed is not None and origin_of(claimed) not in allowed_origins(scope):
                await send_error(send, 403, f"Từ chối yêu cầu thay đổi dữ liệu gửi từ trang khác "
                                            f"({claimed.strip()[:100]}): chỉ trang của chính máy chủ "
                                            "này được gửi (chống CSRF)")
                return
        await self.app(scope, receive, send)


# ----------------------------------------------------------------------------- reads
class ReadToken:
    """Every request under /api and /health needs a valid token (the review workflow's users)."""

    def __init__(self, app: ASGIApp, enabled: bool):
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or not self.enabled
                or not (path == "/health" or path == "/api" or path.startswith("/api/"))):
            await self.app(scope, receive, send)
            return
        if await run_in_threadpool(_authenticated, Request(scope)):
            await self.app(scope, receive, send)
            return
        await send_error(send, 401, "Máy chủ này yêu cầu mã truy cập cho mọi yêu cầu: gửi tiêu đề "
                                    "«Authorization: Bearer <mã truy cập>» với mã còn hiệu lực",
                         {"www-authenticate": "Bearer"})


def _authenticated(request: Request) -> bool:
    from api.review import get_review  # the review workflow's users and tokens

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return get_review(request).authenticate(token) is not None


# ----------------------------------------------------------------------------- uvicorn
def _bad_request_bytes(url_size: int, default_headers) -> bytes:
    """The Vietnamese JSON for a request the HTTP parser refused before the app saw it: 414
    when its URL is over the limit (httptools stops at 64 KB), 400 otherwise."""
    if url_size > MAX_URL_BYTES:
        status, reason = 414, "URI Too Long"
        message = (f"Địa chỉ yêu cầu quá dài ({url_size:,} byte; giới hạn {MAX_URL_BYTES // 1024} KB "
                   "cho đường dẫn và tham số)").replace(",", ".")
    else:
        status, reason = 400, "Bad Request"
        message = "Yêu cầu HTTP không hợp lệ (sai cú pháp, hoặc dòng yêu cầu hay tiêu đề quá dài)"
    body = json.dumps(error_body(message), ensure_ascii=False).encode("utf-8")
    head = [f"HTTP/1.1 {status} {reason}".encode()]
    head += [name + b": " + value for name, value in default_headers]
    head += [name + b": " + value for name, value in HEADERS]
    head += [b"content-security-policy: " + CSP.encode(), b"content-type: application/json",
             b"content-length: " + str(len(body)).encode(), b"connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # no httptools: uvicorn's h11 protocol
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol


class JsonErrorsProtocol(_Protocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, its own refusals (a 100 KB query string, a malformed request)
    answered in Vietnamese JSON like every other error (`ccn serve` uses it)."""

    def send_400_response(self, msg: str) -> None:
        url = getattr(self, "url", b"") or b""
        self.transport.write(_bad_request_bytes(len(url), self.server_state.default_headers))
        self.transport.close()


UVICORN_OPTIONS = {"http": JsonErrorsProtocol}
