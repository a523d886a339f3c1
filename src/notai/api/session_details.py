"""One session in depth: event counts, an activity timeline, page history, event metadata."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai.api import pages, params
from notai.api.auth import authenticate
from notai.api.errors import InvalidParameter, NotFound
from notai.api.responses import history_start_ms, json_response
from notai.api.schemas import (
    EventCounts,
    EventMeta,
    EventPage,
    PageVisit,
    SessionDetails,
    SessionDetailsEnvelope,
    TimelineBucket,
    iso_time,
)
from notai.api.state import services
from notai.clock import now_ms
from notai.events import CATEGORY_OF, Init, Message, MessageType, Navigation
from notai.store import events as events_repo
from notai.store import sessions as sessions_repo
from notai.store.database import Connection
from notai.tenancy.service import Principal

DEFAULT_EVENT_PAGE_SIZE = 100
TIMELINE_BUCKETS = 60
# Bucket widths a person reads easily, from one second to one hour.
_BUCKET_STEPS_MS = (1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000)
_decode_message = msgspec.msgpack.Decoder(Message).decode
ActivityLevel = Literal["idle", "low", "medium", "high"]
PageKind = Literal["load", "route", "back", "reload"]


async def _visible_session(
    conn: Connection, principal: Principal, session_id: str, now: int
) -> sessions_repo.SessionView:
    view = await sessions_repo.get_session(
        conn, principal.integration_id, session_id, history_start_ms(principal, now)
    )
    if view is None:
        raise NotFound(f"No session {session_id!r}.", {"sessionId": session_id})
    return view


async def get_session_details(request: Request) -> Response:
    """Get one session in depth: event counts by category, activity timeline, page history.

    The timeline divides the session into at most 60 buckets of a readable width (1 s to
    1 h); each names its commonest message type and an activity level relative to the
    busiest bucket. Page history lists the page loads and in-page routes with the time
    spent on each.
    """
    principal = await authenticate(request)
    session_id = params.path_value(request, "sessionId")
    async with services(request).db.connection() as conn:
        view = await _visible_session(conn, principal, session_id, now_ms())
        details = await build_details(conn, principal.integration_id, view)
    return json_response(SessionDetailsEnvelope(details), principal)


def session_span(view: sessions_repo.SessionView) -> tuple[int, int]:
    """The session's first and last client times (its creation when it has none)."""
    start = view.first_event_at if view.first_event_at is not None else view.created_at
    return start, max(view.last_event_at or start, start)


async def build_details(
    conn: Connection, integration_id: str, view: sessions_repo.SessionView
) -> SessionDetails:
    """Event counts, activity timeline and page history of one visible session."""
    start, end = session_span(view)
    width = _bucket_width(end - start)
    # One read of the session's events gives both: the counts are the buckets' sums.
    activity = await events_repo.activity(conn, integration_id, view.id, start, width)
    counts: Counter[int] = Counter()
    for _, type_byte, n in activity:
        counts[type_byte] += n
    pages_seen = await events_repo.payloads_of_types(
        conn, integration_id, view.id, (MessageType.INIT, MessageType.NAVIGATION)
    )
    return SessionDetails(
        sessionId=view.id,
        startTime=iso_time(start),
        endTime=iso_time(end),
        durationSeconds=round((end - start) / 1000, 3),
        eventCounts=_event_counts(counts),
        timeline=_timeline(activity, start, end, width),
        pageHistory=_page_history(pages_seen, end),
    )


def _bucket_width(duration_ms: int) -> int:
    wanted = duration_ms / TIMELINE_BUCKETS
    return next((step for step in _BUCKET_STEPS_MS if step >= wanted), _BUCKET_STEPS_MS[-1])


def _event_counts(counts: Counter[int]) -> EventCounts:
    by_category: Counter[str] = Counter()
    for type_byte, n in counts.items():
        category = CATEGORY_OF.get(MessageType(type_byte))
        if category is not None:
            by_category[category.value] += n
    return EventCounts(
        total=sum(counts.values()),
        mouse=by_category["mouse"],
        scroll=by_category["scroll"],
        keyboard=by_category["keyboard"],
        touch=by_category["touch"],
        form=by_category["form"],
    )


def _timeline(
    activity: list[tuple[int, int, int]], start: int, end: int, width: int
) -> list[TimelineBucket]:
    per_bucket: dict[int, Counter[int]] = defaultdict(Counter)
    for bucket, type_byte, n in activity:
        per_bucket[bucket][type_byte] += n
    busiest = max((sum(c.values()) for c in per_bucket.values()), default=0)
    buckets = min(math.ceil((end - start + 1) / width), TIMELINE_BUCKETS + 1)
    timeline = []
    for index in range(max(buckets, 1)):
        counter = per_bucket.get(index, Counter())
        total = sum(counter.values())
        dominant = MessageType(counter.most_common(1)[0][0]).short_name if total else "none"
        timeline.append(
            TimelineBucket(
                timestamp=iso_time(start + index * width),
                eventCount=total,
                dominantEventType=dominant,
                activityLevel=_activity_level(total, busiest),
            )
        )
    return timeline


def _activity_level(count: int, busiest: int) -> ActivityLevel:
    if count == 0 or busiest == 0:
        return "idle"
    share = count / busiest
    return "high" if share > 2 / 3 else "medium" if share > 1 / 3 else "low"


def _page_history(records: list[events_repo.EventRecord], end: int) -> list[PageVisit]:
    visits: list[tuple[str, int, PageKind]] = []
    for record in records:
        message = _decode_message(record.payload)
        if isinstance(message, Init):
            visits.append((message.url, message.t, "load"))
        elif isinstance(message, Navigation):
            visits.append((message.url, message.t, message.kind))
    history = []
    for index, (url, t, kind) in enumerate(visits):
        until = visits[index + 1][1] if index + 1 < len(visits) else end
        history.append(
            PageVisit(url=url, timestamp=iso_time(t), type=kind, durationMs=max(0, until - t))
        )
    return history


async def list_session_events(request: Request) -> Response:
    """List one session's event metadata in the order the page sent it.

    `type` filters by message type: the type byte in decimal (`3`) or hex (`0x03`), or its
    short name (`mouse_click`). `startTime` and `endTime` (Unix ms, inclusive) filter on
    the client timestamp. `pageSize` defaults to 100 here. Metadata only: no payload
    leaves the API.
    """
    principal = await authenticate(request)
    session_id = params.path_value(request, "sessionId")
    limit = params.page_size(request, principal.plan, default=DEFAULT_EVENT_PAGE_SIZE)
    type_byte = _event_type(request)
    start = params.whole_number(request, "startTime")
    end = params.whole_number(request, "endTime")
    params.ordered("startTime", start, end)
    cursor_scope = pages.scope(principal, "sessions/events", session_id, type_byte, start, end)
    before = pages.requested_position(request, cursor_scope)
    now = now_ms()
    async with services(request).db.connection() as conn:
        await _visible_session(conn, principal, session_id, now)
        records = await events_repo.page_events(
            conn,
            principal.integration_id,
            session_id,
            after_seq=before[0] if before is not None else -1,
            type_byte=type_byte,
            start_ms=start,
            end_ms=end,
            limit=limit + 1,
        )
    page, pagination = pages.finish(request, cursor_scope, records, limit, lambda r: (r.seq, ""))
    body = EventPage(data=[_event_meta(session_id, r) for r in page], pagination=pagination)
    return json_response(body, principal)


def _event_type(request: Request) -> int | None:
    raw = params.text(request, "type")
    if raw is None:
        return None
    text = raw.strip().lower()
    try:
        value = int(text, 16) if text.startswith("0x") else int(text) if text.isdigit() else None
        found = MessageType(value) if value is not None else MessageType.from_short_name(text)
    except (ValueError, KeyError):
        names = ", ".join(t.short_name for t in MessageType)
        raise InvalidParameter(
            "type", f"type must be a type byte (1-14, or 0x01-0x0e) or one of {names}."
        ) from None
    return int(found)


def _event_meta(session_id: str, record: events_repo.EventMetaRecord) -> EventMeta:
    return EventMeta(
        eventId=f"{session_id}:{record.seq}",
        messageId=record.type,
        eventTypeName=MessageType(record.type).short_name,
        timestamp=record.ts,
        payloadSize=record.payload_size,
    )
