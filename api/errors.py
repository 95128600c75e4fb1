"""Errors as JSON with a Vietnamese message: `{"error": "…", "details": [...]}`.

Validation errors → 422 (each problem translated, with where it is), unknown ids → 404,
unknown paths → 404, wrong method → 405, too large → 413, unsupported type → 415, anything
unexpected → 500 (logged; the message never shows internals).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorResponse

log = logging.getLogger("ccn.api")

STATUS_MESSAGES = {
    400: "Yêu cầu không hợp lệ",
    404: "Không tìm thấy đường dẫn",
    405: "Phương thức HTTP không được hỗ trợ cho đường dẫn này",
    413: "Dữ liệu gửi lên quá lớn",
    415: "Định dạng không được hỗ trợ",
    422: "Dữ liệu gửi lên không hợp lệ",
    500: "Lỗi máy chủ nội bộ",
    503: "Dịch vụ tạm thời chưa sẵn sàng",
}

LOCATIONS = {"query": "tham số", "body": "nội dung", "path": "đường dẫn", "header": "tiêu đề"}


def error_body(message: str, details: list[dict[str, Any]] | None = None) -> dict:
    return {"error": message, "details": details or []}


def problem_text(error: dict) -> str:
    """A pydantic / FastAPI validation problem in Vietnamese."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
    messages = {
        "missing": "thiếu giá trị bắt buộc",
        "string_too_short": f"cần ít nhất {ctx.get('min_length')} ký tự",
        "string_too_long": f"dài quá {ctx.get('max_length')} ký tự",
        "string_pattern_mismatch": "không được để trống",
        "string_type": "cần một chuỗi ký tự",
        "int_parsing": "cần một số nguyên",
        "int_type": "cần một số nguyên",
        "int_from_float": "cần một số nguyên",
        "greater_than_equal": f"phải lớn hơn hoặc bằng {ctx.get('ge')}",
        "less_than_equal": f"phải nhỏ hơn hoặc bằng {ctx.get('le')}",
        "bool_parsing": "cần true hoặc false",
        "bool_type": "cần true hoặc false",
        "date_from_datetime_parsing": "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)",
        "date_parsing": "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)",
        "date_type": "ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2024-05-01)",
        "date_from_datetime_inexact": "chỉ cần ngày, không kèm giờ (YYYY-MM-DD)",
        "json_invalid": "JSON không hợp lệ",
        "model_attributes_type": "cần một đối tượng JSON",
        "dict_type": "cần một đối tượng JSON",
        "list_type": "cần một danh sách",
        "too_short": f"cần ít nhất {ctx.get('min_length')} phần tử",
        "too_long": f"tối đa {ctx.get('max_length')} phần tử",
        "extra_forbidden": "trường không được hỗ trợ",
        "enum": f"giá trị không hợp lệ, chỉ nhận: {expected}",
        "literal_error": f"giá trị không hợp lệ, chỉ nhận: {expected}",
        "value_error": "giá trị không hợp lệ",
        "repeated_parameter": "chỉ được nêu một lần",
    }
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    if kind in messages:
        return messages[kind]
    return "giá trị không hợp lệ" + (f" ({kind})" if kind else "")


def _where(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if not parts:
        return ""
    head = LOCATIONS.get(parts[0], parts[0])
    rest = ".".join(parts[1:])
    return f"{head} «{rest}»" if rest else head


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        loc = [p if isinstance(p, int | str) else str(p) for p in error.get("loc", ())]
        details.append({"loc": loc, "msg": problem_text(error), "type": error.get("type", "")})
    return details


async def on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = _validation_details(exc)
    first = details[0] if details else None
    message = STATUS_MESSAGES[422]
    if first:
        where = _where(first["loc"])
        message = f"{message}: {where + ': ' if where else ''}{first['msg']}"
    return JSONResponse(error_body(message, details), status_code=422)


BODY_UNREADABLE = "There was an error parsing the body"  # FastAPI's text for an unreadable body


async def on_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail
    if detail == BODY_UNREADABLE:
        body = error_body("Không đọc được nội dung yêu cầu (cần JSON hoặc biểu mẫu hợp lệ, mã hóa UTF-8)")
    elif isinstance(detail, dict) and "error" in detail:
        body = error_body(detail["error"], detail.get("details"))
    elif _is_vietnamese(detail):
        body = error_body(str(detail))
    else:  # Starlette's own English text ("Not Found", "Method Not Allowed")
        body = error_body(STATUS_MESSAGES.get(exc.status_code, f"Lỗi HTTP {exc.status_code}"))
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _is_vietnamese(detail: object) -> bool:
    """Our own messages carry Vietnamese letters; Starlette's defaults are plain English."""
    return isinstance(detail, str) and any(ord(ch) > 127 for ch in detail)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("lỗi không lường trước ở %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body(STATUS_MESSAGES[500]), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    _document_errors(app)


ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def _document_errors(app: FastAPI) -> None:
    """In the OpenAPI schema every 422, whichever router declares it, is the body the handler
    above sends (ErrorResponse), never FastAPI's default HTTPValidationError."""
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = default()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                response = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
                if response is not None:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        if "ErrorResponse" not in components:
            components["ErrorResponse"] = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def http_error(status: int, message: str, details: list[dict[str, Any]] | None = None) -> StarletteHTTPException:
    """An HTTPException whose body is `{"error": message, "details": details}`."""
    return StarletteHTTPException(status_code=status, detail={"error": message, "details": details or []})
