"""Session routes: one session, and every session of one LMS user."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai.api import pages, params
from notai.api.auth import authenticate
from notai.api.errors import NotFound
from notai.api.responses import history_start_ms, json_response
from notai.api.schemas import (
    ACTIVE_TIMEOUT_MS,
    Pagination,
    PublicSession,
    SessionEnvelope,
    SessionPage,
    public_session,
)
from notai.api.state import services
from notai.clock import now_ms
from notai.store import sessions as sessions_repo
from notai.tenancy.service import Principal


async def get_session(request: Request) -> Response:
    """Get one session by id.

    Sessions of other integrations, and sessions older than the plan's history window,
    are answered with 404 NOT_FOUND, never revealing that they exist.
    """
    principal = await authenticate(request)
    session_id = params.path_value(request, "sessionId")
    app = services(request)
    now = now_ms()
    async with app.db.connection() as conn:
        view = await sessions_repo.get_session(
            conn, principal.integration_id, session_id, history_start_ms(principal, now)
        )
    if view is None:
        raise NotFound(f"No session {session_id!r}.", {"sessionId": session_id})
    return json_response(SessionEnvelope(public_session(view, now)), principal)


async def get_user_sessions(request: Request) -> Response:
    """List every session of one LMS user, newest first.

    Paginated with `pageSize` (default 50, at least 1, clamped to the plan's maximum and
    echoed as `pagination.limit`) and `cursor` (opaque; pass `nextCursor` back while
    `hasMore` is true). Walking all pages returns each session exactly once, even while
    new sessions arrive. A user with no sessions is an empty page, not an error.
    """
    principal = await authenticate(request)
    user_id = params.path_value(request, "userId")
    data, pagination = await user_sessions_page(request, principal, user_id, "users/sessions")
    return json_response(SessionPage(data=data, pagination=pagination), principal)


async def list_sessions(request: Request) -> Response:
    """List the integration's sessions, newest first, with optional filters.

    `status` (`active` or `closed`), `botOnly` (`true`: botScore >= 0.7 only), `startDate`
    and `endDate` (ISO-8601 date or date-time, inclusive, on createdAt; a bare endDate
    date includes that whole UTC day). Dates before the plan's history window yield an
    empty page, not an error. Paginated like every list.
    """
    principal = await authenticate(request)
    filters = SessionFilters.parse(request)
    data, pagination = await session_page(request, principal, filters, "sessions")
    return json_response(SessionPage(data=data, pagination=pagination), principal)


class SessionFilters(msgspec.Struct, frozen=True):
    """The filters of `GET /v1/sessions`, parsed strictly."""

    status: str | None
    bot_only: bool
    start: int | None
    end: int | None

    @classmethod
    def parse(cls, request: Request) -> SessionFilters:
        start = params.date_time(request, "startDate")
        end = params.date_time(request, "endDate", end_of_day=True)
        params.ordered("startDate", start, end)
        return cls(
            status=params.choice(request, "status", ("active", "closed")),
            bot_only=params.boolean(request, "botOnly"),
            start=start,
            end=end,
        )


async def session_page(
    request: Request, principal: Principal, filters: SessionFilters, route: str
) -> tuple[list[PublicSession], Pagination]:
    """A page of the integration's sessions; `route` names the cursors' scope."""
    limit = params.page_size(request, principal.plan)
    now = now_ms()
    cursor_scope = pages.scope(
        principal, route, filters.status, filters.bot_only, filters.start, filters.end
    )
    before = pages.requested_position(request, cursor_scope)
    since = max(history_start_ms(principal, now), filters.start or 0)
    async with services(request).db.connection() as conn:
        views = await sessions_repo.page_sessions(
            conn,
            principal.integration_id,
            since_ms=since,
            until_ms=filters.end if filters.end is not None else 2**62,
            bot_only=filters.bot_only,
            status=filters.status,
            idle_before_ms=now - ACTIVE_TIMEOUT_MS,
            before=before,
            limit=limit + 1,
        )
    return _public_page(request, cursor_scope, views, limit, now)


async def user_sessions_page(
    request: Request, principal: Principal, user_id: str, route: str
) -> tuple[list[PublicSession], Pagination]:
    """A page of one LMS user's sessions; `route` names the cursors' scope."""
    limit = params.page_size(request, principal.plan)
    cursor_scope = pages.scope(principal, route, user_id)
    before = pages.requested_position(request, cursor_scope)
    now = now_ms()
    async with services(request).db.connection() as conn:
        views = await sessions_repo.page_user_sessions(
            conn,
            principal.integration_id,
            user_id,
            since_ms=history_start_ms(principal, now),
            before=before,
            limit=limit + 1,
        )
    return _public_page(request, cursor_scope, views, limit, now)


def _public_page(
    request: Request,
    cursor_scope: str,
    views: list[sessions_repo.SessionView],
    limit: int,
    now: int,
) -> tuple[list[PublicSession], Pagination]:
    page, pagination = pages.finish(
        request, cursor_scope, views, limit, lambda v: (v.created_at, v.id)
    )
    return [public_session(v, now) for v in page], pagination
