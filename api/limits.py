"""Request body size limits, enforced before the body is parsed (pure ASGI middleware).

A declared Content-Length over the limit is refused at once (413, JSON, Vietnamese); a body
sent without one is counted as it arrives and refused when it passes the limit.
"""

from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from ingest.limits import Budget, budget


class BodyLimit:
    def __init__(self, app: ASGIApp, default: int, per_path: dict[str, int] | None = None):
        self.app = app
        self.default = default
        self.per_path = per_path or {}

    def _limit(self, path: str) -> int:
        return self.per_path.get(path.rstrip("/") or "/", self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, detail=_message(limit))
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _message(limit: int) -> str:
    size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"Dữ liệu gửi lên quá lớn (giới hạn {size})"


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(error_body(_message(limit)), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class RequestBudget:
    """Each request to a path that reads files (check, ingest, drafts) runs under its own time
    budget (ingest.limits: CCN_LIMIT_SECONDS), cancelled when the client disconnects: once the
    body is in, the connection is watched, and a disconnect stops the reading at its next page.
    A pure ASGI middleware: the budget is a context variable, which the endpoint's worker thread
    inherits."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...]):
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        watcher: asyncio.Task | None = None

        async def watch() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect":
                current.cancel("người dùng đã ngắt kết nối")
            return message

        async def watched() -> Message:
            nonlocal watcher
            if watcher is not None:  # the app listens after the body: it shares the watcher's answer
                return await asyncio.shield(watcher)
            message = await receive()
            if message["type"] == "http.disconnect":
                current.cancel("người dùng đã ngắt kết nối")
            elif message["type"] == "http.request" and not message.get("more_body", False):
                watcher = asyncio.ensure_future(watch())
            return message

        with budget(Budget()) as current:
            try:
                await self.app(scope, watched, send)
            finally:
                if watcher is not None and not watcher.done():
                    watcher.cancel()
