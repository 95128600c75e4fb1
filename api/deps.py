"""Shared pieces of the routers: the app state and the documented error responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.exceptions import RequestValidationError

from api.schemas import ErrorResponse
from api.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.ccn


def error_response(description: str) -> dict:
    return {"model": ErrorResponse, "description": description}


ERRORS = {400: error_response("Không đọc được nội dung yêu cầu"),
          422: error_response("Dữ liệu gửi lên không hợp lệ")}
NOT_FOUND = {404: error_response("Không tìm thấy")}
MAX_ID = 2**63 - 1  # the database's integer: a larger id is a 422, never an overflow (500)
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="số thứ tự (từ 1)")]


def single_query_values(request: Request) -> None:
    """A parameter given twice (`?k=1&k=2`) is refused, not silently read as the last one."""
    names = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RequestValidationError([
            {"type": "repeated_parameter", "loc": ("query", name), "msg": "repeated", "input": None}
            for name in repeated
        ])
