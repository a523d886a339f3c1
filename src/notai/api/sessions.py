"""Session routes: one session, and every session of one LMS user."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notai.api import params
from notai.api.auth import authenticate
from notai.api.errors import InvalidParameter, NotFound
from notai.api.responses import history_start_ms, json_response, now_ms
from notai.api.schemas import Pagination, SessionEnvelope, SessionPage, public_session
from notai.api.state import services
from notai.store import sessions as sessions_repo

MAX_ID_LENGTH = 256


async def get_session(request: Request) -> Response:
    """Get one session by id.

    Sessions of other integrations, and sessions older than the plan's history window,
    are answered with 404 NOT_FOUND, never revealing that they exist.
    """
    principal = await authenticate(request)
    session_id = _path_value(request, "sessionId")
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
    user_id = _path_value(request, "userId")
    limit = params.page_size(request, principal.plan)
    app = services(request)
    scope = f"{principal.integration_id}|users/sessions|{user_id}"
    raw_cursor = params.cursor(request)
    before = app.cursors.decode(scope, raw_cursor) if raw_cursor else None
    now = now_ms()
    async with app.db.connection() as conn:
        views = await sessions_repo.page_user_sessions(
            conn,
            principal.integration_id,
            user_id,
            since_ms=history_start_ms(principal, now),
            before=before,
            limit=limit + 1,
        )
    has_more = len(views) > limit
    views = views[:limit]
    next_cursor = (
        app.cursors.encode(scope, (views[-1].created_at, views[-1].id)) if has_more else None
    )
    page = SessionPage(
        data=[public_session(v, now) for v in views],
        pagination=Pagination(hasMore=has_more, limit=limit, nextCursor=next_cursor),
    )
    return json_response(page, principal)


def _path_value(request: Request, name: str) -> str:
    value: str = request.path_params[name]
    if not value or len(value) > MAX_ID_LENGTH:
        raise InvalidParameter(name, f"{name} must be 1 to {MAX_ID_LENGTH} characters.")
    return value
