"""Every public operation, declared once: the app's routes and the OpenAPI document read this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai.api import analytics, integration, schemas, session_details, sessions, usage, users

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
    # 404 on every authenticated route: a path value with an encoded slash matches no route.
    errors: tuple[int, ...] = (400, 401, 404, 429, 500, 503)
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

ISO_DATE = {"type": "string", "format": "date-time"}
SESSION_ID = Parameter("sessionId", "path", "The session's id.")
_NOT_FOUND_TOO = (400, 401, 404, 429, 500, 503)

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
        "listUsers",
        "/v1/users",
        users.list_users,
        schemas.UserPage,
        (
            PAGE_SIZE,
            CURSOR,
            Parameter(
                "search",
                "query",
                "Case-insensitive substring of userId or userName (at most 200 characters).",
                {"type": "string", "maxLength": 200},
            ),
        ),
    ),
    Operation(
        "listSessions",
        "/v1/sessions",
        sessions.list_sessions,
        schemas.SessionPage,
        (
            PAGE_SIZE,
            CURSOR,
            Parameter(
                "status",
                "query",
                "active or closed.",
                {"type": "string", "enum": ["active", "closed"]},
            ),
            Parameter(
                "botOnly",
                "query",
                "true: only sessions with botScore >= 0.7.",
                {"type": "string", "enum": ["true", "false"]},
            ),
            Parameter(
                "startDate",
                "query",
                "ISO-8601 date or date-time, inclusive, on createdAt.",
                ISO_DATE,
            ),
            Parameter(
                "endDate",
                "query",
                "ISO-8601 date or date-time, inclusive, on createdAt (a date: the whole day).",
                ISO_DATE,
            ),
        ),
    ),
    Operation(
        "getSession",
        "/v1/sessions/{sessionId}",
        sessions.get_session,
        schemas.SessionEnvelope,
        (SESSION_ID,),
        errors=_NOT_FOUND_TOO,
    ),
    Operation(
        "getSessionDetails",
        "/v1/sessions/{sessionId}/details",
        session_details.get_session_details,
        schemas.SessionDetailsEnvelope,
        (SESSION_ID,),
        errors=_NOT_FOUND_TOO,
    ),
    Operation(
        "listEvents",
        "/v1/sessions/{sessionId}/events",
        session_details.list_session_events,
        schemas.EventPage,
        (
            SESSION_ID,
            Parameter(
                "pageSize",
                "query",
                "Events per page: default 100, at least 1, clamped to the plan's maximum.",
                {"type": "integer", "minimum": 1, "default": 100},
            ),
            CURSOR,
            Parameter(
                "type",
                "query",
                "Message type: decimal byte (3), hex byte (0x03) or short name (mouse_click).",
            ),
            Parameter("startTime", "query", "Unix ms, inclusive.", {"type": "integer"}),
            Parameter("endTime", "query", "Unix ms, inclusive.", {"type": "integer"}),
        ),
        errors=_NOT_FOUND_TOO,
    ),
    Operation(
        "listCourses",
        "/v1/courses",
        users.list_courses,
        schemas.CoursePage,
        (PAGE_SIZE, CURSOR),
    ),
    Operation(
        "getAnalytics",
        "/v1/analytics",
        analytics.get_analytics,
        schemas.AnalyticsEnvelope,
        (
            Parameter(
                "period",
                "query",
                "24h, 7d (default), 30d or 90d.",
                {"type": "string", "enum": ["24h", "7d", "30d", "90d"], "default": "7d"},
            ),
            Parameter(
                "groupBy",
                "query",
                "hour, day (default) or week.",
                {"type": "string", "enum": ["hour", "day", "week"], "default": "day"},
            ),
        ),
    ),
    Operation(
        "getStats",
        "/v1/stats",
        analytics.get_stats,
        schemas.StatsEnvelope,
        errors=(401, 429, 500, 503),
    ),
    Operation(
        "getUsage",
        "/v1/usage",
        usage.get_usage,
        schemas.Usage,
        (
            Parameter(
                "startDate",
                "query",
                "First day, inclusive (default: endDate - 30 days).",
                {"type": "string", "format": "date"},
            ),
            Parameter(
                "endDate",
                "query",
                "Last day, inclusive (default: today, UTC).",
                {"type": "string", "format": "date"},
            ),
            Parameter(
                "metric",
                "query",
                "One metric (case-insensitive): ApiCalls, Events, Sessions, StorageBytes,"
                " BotAnalyses.",
            ),
        ),
    ),
    Operation(
        "getIntegration",
        "/v1/integration",
        integration.get_integration,
        schemas.IntegrationEnvelope,
        errors=(401, 429, 500, 503),
    ),
)
