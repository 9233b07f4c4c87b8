"""The one place that turns exceptions into HTTP responses ``{code, message, details}``."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import IntegrityError, OperationalError

from tablekit.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    TableKitError,
    TooLarge,
    ValidationFailed,
)

log = logging.getLogger("tablekit.api")

STATUS: dict[type[TableKitError], int] = {
    ValidationFailed: 422,
    NotFound: 404,
    PermissionDenied: 403,
    NotAuthenticated: 401,
    Conflict: 409,
    TooLarge: 413,
    RateLimited: 429,
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    return Response(
        {"code": code, "message": message, "details": details or {}},
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def status_of(exc: TableKitError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def domain_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, TableKitError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return error_response(status_of(exc), exc.code, exc.message, exc.details, headers)


def validation_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ValidationException)
    problems = exc.extra if isinstance(exc.extra, list) else []
    message = exc.detail or "The request is invalid"
    if problems and isinstance(problems[0], dict) and problems[0].get("message"):
        first = problems[0]
        message = f"{first['message']}" + (f" ({first.get('key')})" if first.get("key") else "")
    return error_response(400, "INVALID_REQUEST", message, {"errors": problems})


HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "NOT_AUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def _is_decode_error(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, msgspec.DecodeError) and not isinstance(
            cause, msgspec.ValidationError
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def http_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = exc.detail or "Request failed"
    if status == 400 and _is_decode_error(exc):
        return error_response(
            400, "MALFORMED_JSON", f"The request body is not valid JSON: {message}"
        )
    if status == 404 and message == "Not Found":
        message = "No such endpoint"
    return error_response(
        status, HTTP_CODES.get(status, "HTTP_ERROR"), message, headers=getattr(exc, "headers", None)
    )


def integrity_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.info("integrity error: %s", exc)
    return error_response(
        409, "CONFLICT", "The change conflicts with existing data (a unique value or a link)"
    )


def database_busy(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("database error: %s", exc)
    return error_response(
        503, "DATABASE_BUSY", "The database is busy; try again", headers={"Retry-After": "1"}
    )


def internal_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    TableKitError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    IntegrityError: integrity_error,
    OperationalError: database_busy,
    Exception: internal_error,
}
