"""The API's errors and the one place that renders them.

ApiError                       {"error": {"code", "message", "details"}}
├── InvalidApiKey         401  INVALID_API_KEY (whatever the reason)
├── InvalidParameter      400  INVALID_PARAMETER, details.field names the value
├── InvalidCursor         400  INVALID_CURSOR, details.field is "cursor"
├── NotFound              404  NOT_FOUND (also for other integrations' resources)
├── MethodNotAllowed      405  METHOD_NOT_ALLOWED (the API is read-only)
├── RateLimited           429  RATE_LIMITED, with Retry-After
├── ServiceUnavailable    503  SERVICE_UNAVAILABLE (the database is down; retryable)
└── InternalError         500  INTERNAL_ERROR (a bug; never a stack trace in the body)
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from notai.store.database import DatabaseUnavailable

logger = logging.getLogger("notai.api")

TIER_HEADER = "x-isnotai-tier"


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(msgspec.Struct, frozen=True):
    error: ErrorDetail


class ApiError(Exception):
    status: int = 500
    code: str = "INTERNAL_ERROR"

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


class InvalidApiKey(ApiError):
    status = 401
    code = "INVALID_API_KEY"

    def __init__(self) -> None:
        super().__init__("The API key is missing, malformed, unknown or revoked.")


class InvalidParameter(ApiError):
    status = 400
    code = "INVALID_PARAMETER"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {"field": field})


class InvalidCursor(ApiError):
    status = 400
    code = "INVALID_CURSOR"

    def __init__(self) -> None:
        super().__init__(
            "The cursor was not issued by this server for this query, or was altered.",
            {"field": "cursor"},
        )


class NotFound(ApiError):
    status = 404
    code = "NOT_FOUND"


class MethodNotAllowed(ApiError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class RateLimited(ApiError):
    status = 429
    code = "RATE_LIMITED"


class ServiceUnavailable(ApiError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


class InternalError(ApiError):
    status = 500
    code = "INTERNAL_ERROR"


_encode = msgspec.json.Encoder().encode


def error_response(request: Request | None, error: ApiError) -> Response:
    body = ErrorBody(ErrorDetail(code=error.code, message=error.message, details=error.details))
    headers = dict(error.headers)
    tier = _tier_of(request)
    if tier is not None:
        headers[TIER_HEADER] = tier
    return Response(
        _encode(body), status_code=error.status, media_type="application/json", headers=headers
    )


def _tier_of(request: Request | None) -> str | None:
    if request is None:
        return None
    tier: str | None = getattr(request.state, "tier", None)
    return tier


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Framework errors (unknown route, wrong method) in the contract's envelope."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(request, MethodNotAllowed("This API is read-only: use GET."))
    if exc.status_code == 404:
        return error_response(request, NotFound(f"No route {request.url.path}."))
    error = ApiError(exc.detail or "Request failed.")
    error.status = exc.status_code
    error.code = "INVALID_PARAMETER" if exc.status_code == 400 else "INTERNAL_ERROR"
    return error_response(request, error)


async def handle_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", exc)
    return error_response(
        request, ServiceUnavailable("The database is unavailable; retry shortly.")
    )


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_response(request, InternalError("An internal error occurred; it was logged."))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    DatabaseUnavailable: handle_unavailable,
    Exception: handle_unexpected,
}
