"""Every public operation, declared once: the app's routes and the OpenAPI document read this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai.api import integration, schemas, sessions

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: Literal["path", "query"]
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})

    @property
    def required(self) -> bool:
        return self.location == "path"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    handler: Handler
    response: type[msgspec.Struct]
    parameters: tuple[Parameter, ...] = ()
    errors: tuple[int, ...] = (400, 401, 429, 500, 503)
    authenticated: bool = True


PAGE_SIZE = Parameter(
    "pageSize",
    "query",
    "Items per page: default 50, at least 1, clamped to the plan's maximum (50 free, 100 pro"
    " and enterprise). The value used is returned as pagination.limit.",
    {"type": "integer", "minimum": 1, "default": 50},
)
CURSOR = Parameter(
    "cursor", "query", "Opaque cursor: the nextCursor of the previous page. Absent: first page."
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "health",
        "/health",
        integration.health,
        schemas.Health,
        errors=(503,),
        authenticated=False,
    ),
    Operation(
        "getUserSessions",
        "/v1/users/{userId}/sessions",
        sessions.get_user_sessions,
        schemas.SessionPage,
        (Parameter("userId", "path", "The LMS user's provider-neutral id."), PAGE_SIZE, CURSOR),
    ),
    Operation(
        "getSession",
        "/v1/sessions/{sessionId}",
        sessions.get_session,
        schemas.SessionEnvelope,
        (Parameter("sessionId", "path", "The session's id."),),
        errors=(400, 401, 404, 429, 500, 503),
    ),
    Operation(
        "getIntegration",
        "/v1/integration",
        integration.get_integration,
        schemas.IntegrationEnvelope,
        errors=(401, 429, 500, 503),
    ),
)
