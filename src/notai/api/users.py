"""LMS users and courses, with their sessions rolled up (kept current at ingest)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notai.api import pages, params
from notai.api.auth import authenticate
from notai.api.responses import history_start_ms, json_response
from notai.api.schemas import (
    CoursePage,
    CourseSummary,
    Pagination,
    UserPage,
    UserSummary,
    iso_time,
    risk_level,
)
from notai.api.state import services
from notai.clock import now_ms
from notai.store import entities
from notai.store.rollups import day_of
from notai.tenancy.service import Principal

SPARKLINE_DAYS = 14
MAX_SEARCH_LENGTH = 200


async def list_users(request: Request) -> Response:
    """List the LMS users seen in the plan's history window, with their sessions rolled up.

    Newest users first (by their first session). `search` keeps users whose userId or
    userName contains it, case-insensitively. Counts, averages and the risk level cover
    the sessions inside the history window; `sparkline` is sessions per day over the last
    14 days, oldest first (days before the window count 0).
    """
    principal = await authenticate(request)
    users, pagination, _ = await user_page(request, principal, "users")
    return json_response(UserPage(data=users, pagination=pagination), principal)


async def user_page(
    request: Request, principal: Principal, route: str
) -> tuple[list[UserSummary], Pagination, str | None]:
    """A page of user summaries as `GET /v1/users` lists them, and the search it applied.

    `route` names the cursors' scope, so the API's and the dashboard's cursors differ.
    """
    limit = params.page_size(request, principal.plan)
    search = params.text(request, "search", MAX_SEARCH_LENGTH)
    cursor_scope = pages.scope(principal, route, search)
    before = pages.requested_position(request, cursor_scope)
    now = now_ms()
    since = history_start_ms(principal, now)
    first_day = day_of(now) - SPARKLINE_DAYS + 1
    async with services(request).db.connection() as conn:
        rows = await entities.page_entities(
            conn,
            "u",
            principal.integration_id,
            since_ms=since,
            search=search,
            before=before,
            limit=limit + 1,
        )
        page, pagination = pages.finish(request, cursor_scope, rows, limit, _position)
        lines = await entities.sparklines(
            conn, principal.integration_id, [r.id for r in page], first_day, SPARKLINE_DAYS
        )
    hidden = max(0, day_of(since) - first_day)
    users = [_user(record, [0] * hidden + lines[record.id][hidden:]) for record in page]
    return users, pagination, search


async def list_courses(request: Request) -> Response:
    """List the courses seen in the plan's history window, with their sessions rolled up.

    A course is known from the LMS context the pixel read on the page, or else from the
    page URL of a supported LMS (Canvas, Moodle, Blackboard Learn, D2L Brightspace,
    Schoology, Sakai). Newest courses first; counts cover the history window.
    """
    principal = await authenticate(request)
    limit = params.page_size(request, principal.plan)
    cursor_scope = pages.scope(principal, "courses")
    before = pages.requested_position(request, cursor_scope)
    since = history_start_ms(principal, now_ms())
    async with services(request).db.connection() as conn:
        rows = await entities.page_entities(
            conn,
            "c",
            principal.integration_id,
            since_ms=since,
            search=None,
            before=before,
            limit=limit + 1,
        )
    page, pagination = pages.finish(request, cursor_scope, rows, limit, _position)
    return json_response(
        CoursePage(data=[_course(r) for r in page], pagination=pagination), principal
    )


def _position(record: entities.EntityRecord) -> tuple[int, str]:
    return (record.first_seen, record.id)


def _average(counts: entities.Counts) -> float:
    return round(counts.score_sum / counts.sessions, 4) if counts.sessions else 0.0


def _user(record: entities.EntityRecord, sparkline: list[int]) -> UserSummary:
    counts = record.counts
    return UserSummary(
        userId=record.id,
        userName=record.name,
        sessionCount=counts.sessions,
        botSessionCount=counts.bots,
        mediumSessionCount=counts.mediums,
        averageBotScore=_average(counts),
        maxBotScore=round(counts.max_score, 4),
        deviceCount=record.members,
        firstSeen=iso_time(record.first_seen),
        lastSeen=iso_time(record.last_seen),
        riskLevel=risk_level(counts.bots, counts.mediums),
        sparkline=sparkline,
        userUrl=record.url,
    )


def _course(record: entities.EntityRecord) -> CourseSummary:
    counts = record.counts
    return CourseSummary(
        courseId=record.id,
        courseName=record.name,
        courseUrl=record.url,
        provider=record.provider,
        sessionCount=counts.sessions,
        botSessionCount=counts.bots,
        mediumSessionCount=counts.mediums,
        userCount=record.members,
        averageBotScore=_average(counts),
        maxBotScore=round(counts.max_score, 4),
        riskLevel=risk_level(counts.bots, counts.mediums),
        firstSeen=iso_time(record.first_seen),
        lastSeen=iso_time(record.last_seen),
    )
