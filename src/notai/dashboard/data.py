"""The numbers the dashboard shows, read by the very functions the /v1 routes use.

A page and the API never disagree because they share the builders in `notai.api`: only
the caller differs (a signed-in person's integration instead of an API key's) and the
cursor scope (`dashboard/...`), so a cursor never crosses between the two. Query values
are parsed by the API's own `params`, so a bad one raises the API's `InvalidParameter`,
which the dashboard shows as a page.
"""

from __future__ import annotations

from starlette.requests import Request

from notai.api.analytics import build_analytics
from notai.api.responses import history_start_ms
from notai.api.schemas import Analytics, Pagination, PublicSession, SessionDetails, UserSummary
from notai.api.schemas import public_session as as_public_session
from notai.api.session_details import build_details, session_span
from notai.api.sessions import SessionFilters, session_page, user_sessions_page
from notai.api.state import services
from notai.api.users import user_page as api_user_page
from notai.clock import now_ms
from notai.events import MessageType
from notai.store import events as events_repo
from notai.store import sessions as sessions_repo
from notai.tenancy.service import Principal

__all__ = [
    "SessionFilters",
    "analytics",
    "session_review",
    "sessions",
    "user_page",
    "user_sessions",
]


async def user_page(
    request: Request, principal: Principal
) -> tuple[list[UserSummary], Pagination, str | None]:
    """GET /v1/users: users newest first, `search`, with band counts and sparklines."""
    return await api_user_page(request, principal, "dashboard/users")


async def user_sessions(
    request: Request, principal: Principal, user_id: str
) -> tuple[list[PublicSession], Pagination]:
    """GET /v1/users/{userId}/sessions."""
    return await user_sessions_page(request, principal, user_id, "dashboard/users/sessions")


async def sessions(
    request: Request, principal: Principal, filters: SessionFilters
) -> tuple[list[PublicSession], Pagination]:
    """GET /v1/sessions with the route's filters."""
    return await session_page(request, principal, filters, "dashboard/sessions")


async def analytics(request: Request, principal: Principal) -> Analytics:
    """GET /v1/analytics: `period` and `groupBy` as the route takes them."""
    return await build_analytics(request, principal)


class SessionReview:
    """One session as a reviewer sees it: the API's session and details, plus the evidence
    behind each flag and the messages to replay (metadata the API keeps to itself)."""

    def __init__(
        self,
        session: PublicSession,
        details: SessionDetails,
        start_ms: int,
        end_ms: int,
        evidence: str,
        messages: list[events_repo.EventRecord],
    ) -> None:
        self.session = session
        self.details = details
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.evidence = evidence
        self.messages = messages


# What the replay and the typing chart read; never more than this many messages.
REPLAY_TYPES = (
    MessageType.INIT,
    MessageType.MOUSE_MOVE,
    MessageType.MOUSE_CLICK,
    MessageType.KEYPRESS,
)
MAX_REPLAY_MESSAGES = 20_000


async def session_review(
    request: Request, principal: Principal, session_id: str
) -> SessionReview | None:
    """GET /v1/sessions/{id} and /details together; None when the key would get 404."""
    now = now_ms()
    integration_id = principal.integration_id
    async with services(request).db.connection() as conn:
        view = await sessions_repo.get_session(
            conn, integration_id, session_id, history_start_ms(principal, now)
        )
        if view is None:
            return None
        record = await sessions_repo.get_session_record(conn, integration_id, session_id)
        details = await build_details(conn, integration_id, view)
        messages = await events_repo.payloads_of_types(
            conn, integration_id, session_id, REPLAY_TYPES
        )
    start, end = session_span(view)
    evidence = record.evidence if record is not None else "{}"
    return SessionReview(
        as_public_session(view, now), details, start, end, evidence, messages[:MAX_REPLAY_MESSAGES]
    )
