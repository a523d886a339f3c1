"""Analytics and stats over the integration's roll-ups (kept current at ingest)."""

from __future__ import annotations

from typing import Literal, cast

from starlette.requests import Request
from starlette.responses import Response

from notai.api import params
from notai.api.auth import authenticate
from notai.api.responses import DAY_MS, history_start_ms, json_response
from notai.api.schemas import (
    Analytics,
    AnalyticsEnvelope,
    AnalyticsSummary,
    BotDetection,
    DeviceBreakdown,
    OriginCount,
    Stats,
    StatsEnvelope,
    TimePoint,
    UserMatching,
    iso_time,
)
from notai.api.state import services
from notai.clock import now_ms
from notai.store import analytics as analytics_repo
from notai.store.analytics import BucketRow
from notai.store.database import Connection
from notai.store.rollups import HOUR_MS, day_of
from notai.tenancy.service import Principal

Period = Literal["24h", "7d", "30d", "90d"]
GroupBy = Literal["hour", "day", "week"]
PERIOD_MS: dict[str, int] = {
    "24h": DAY_MS,
    "7d": 7 * DAY_MS,
    "30d": 30 * DAY_MS,
    "90d": 90 * DAY_MS,
}
GROUP_MS: dict[str, int] = {"hour": HOUR_MS, "day": DAY_MS, "week": 7 * DAY_MS}
TOP_ORIGINS = 10
# 1970-01-01 was a Thursday: weeks start on Monday, 3 days after the epoch's week start.
_WEEK_OFFSET_MS = 4 * DAY_MS


async def get_analytics(request: Request) -> Response:
    """Get analytics over a period: summary, time series, confidence buckets and breakdowns.

    `period` is `24h`, `7d` (default), `30d` or `90d`, ending now and starting no earlier
    than the plan's history window; `groupBy` is `hour`, `day` (default) or `week` (weeks
    start on Monday, UTC). Sessions, and their events, count in the bucket of the session's
    creation, with its current score. Origins and devices are counted by whole UTC days.
    """
    principal = await authenticate(request)
    body = await build_analytics(request, principal)
    return json_response(AnalyticsEnvelope(body), principal)


async def build_analytics(request: Request, principal: Principal) -> Analytics:
    """The analytics of `period` and `groupBy` as the request gives them."""
    period = cast(Period, params.choice(request, "period", tuple(PERIOD_MS), "7d"))
    group_by = cast(GroupBy, params.choice(request, "groupBy", tuple(GROUP_MS), "day"))
    now = now_ms()
    start = max(now - PERIOD_MS[period], history_start_ms(principal, now))
    integration_id = principal.integration_id
    async with services(request).db.connection() as conn:
        # Day and week series read day buckets (a month is 30 rows, not 720): their first
        # bucket is a whole day either way.
        grain, grain_ms = ("h", HOUR_MS) if group_by == "hour" else ("d", DAY_MS)
        rows = await analytics_repo.bucket_rows(
            conn, integration_id, grain, start // grain_ms, now // grain_ms
        )
        unique_users = await analytics_repo.users_seen_since(conn, integration_id, start)
        unique_bots = await analytics_repo.users_flagged_since(conn, integration_id, start)
        origins = await analytics_repo.dimension_totals(
            conn, integration_id, "origin", day_of(start)
        )
        devices = await _device_breakdown(conn, integration_id, day_of(start))
    total = _sum(rows)
    return Analytics(
        period=period,
        groupBy=group_by,
        startDate=iso_time(start),
        endDate=iso_time(now),
        generatedAt=iso_time(now),
        summary=AnalyticsSummary(
            totalSessions=total.sessions,
            totalEvents=total.events,
            uniqueBots=unique_bots,
            uniqueUsers=unique_users,
            averageBotScore=_ratio(total.score_sum, total.sessions),
            averageEventsPerSession=_ratio(total.events, total.sessions, 2),
        ),
        timeSeries=_time_series(rows, grain_ms, start, now, GROUP_MS[group_by]),
        botDetection=BotDetection(
            highConfidenceBots=total.high,
            mediumConfidenceBots=total.medium,
            lowConfidenceBots=total.low,
            likelyHumans=total.human,
        ),
        userMatching=UserMatching(
            totalMatched=total.matched,
            totalUnmatched=total.sessions - total.matched,
            matchRate=_ratio(total.matched, total.sessions),
            # A match is read from the LMS page itself (or passed by it): certain, not guessed.
            averageCorrelationConfidence=1.0 if total.matched else 0.0,
        ),
        topOrigins=[
            OriginCount(origin=o, sessionCount=n, botPercentage=round(100 * b / n, 2))
            for o, n, b in origins[:TOP_ORIGINS]
        ],
        deviceBreakdown=devices,
    )


def _ratio(part: float, whole: int, digits: int = 4) -> float:
    return round(part / whole, digits) if whole else 0.0


def _sum(rows: list[BucketRow]) -> BucketRow:
    return BucketRow(
        bucket=0,
        sessions=sum(r.sessions for r in rows),
        events=sum(r.events for r in rows),
        high=sum(r.high for r in rows),
        medium=sum(r.medium for r in rows),
        low=sum(r.low for r in rows),
        human=sum(r.human for r in rows),
        matched=sum(r.matched for r in rows),
        score_sum=sum(r.score_sum for r in rows),
    )


def _bucket_start(ms: int, width: int) -> int:
    if width == 7 * DAY_MS:
        return ms - (ms - _WEEK_OFFSET_MS) % width
    return ms - ms % width


def _time_series(
    rows: list[BucketRow], grain_ms: int, start: int, now: int, width: int
) -> list[TimePoint]:
    """Every bucket from the period's start to now, empty ones included (charts need them)."""
    first = _bucket_start(start, width)
    points = {t: [0, 0, 0, 0] for t in range(first, now + 1, width)}
    for row in rows:
        point = points.get(_bucket_start(row.bucket * grain_ms, width))
        if point is not None:
            point[0] += row.sessions
            point[1] += row.events
            point[2] += row.high + row.medium
            point[3] += row.matched
    return [
        TimePoint(
            timestamp=iso_time(t),
            sessionCount=s,
            eventCount=e,
            botCount=b,
            userMatchedCount=m,
        )
        for t, (s, e, b, m) in points.items()
    ]


async def _device_breakdown(
    conn: Connection, integration_id: str, first_day: int
) -> DeviceBreakdown:
    devices = {
        v: n
        for v, n, _ in await analytics_repo.dimension_totals(
            conn, integration_id, "device", first_day
        )
    }
    browsers = await analytics_repo.dimension_totals(conn, integration_id, "browser", first_day)
    return DeviceBreakdown(
        mobile=devices.get("mobile", 0),
        tablet=devices.get("tablet", 0),
        desktop=devices.get("desktop", 0),
        browserCounts={name: n for name, n, _ in browsers},
    )


async def get_stats(request: Request) -> Response:
    """Get totals over the plan's history window: sessions by band, events, users, courses.

    Also the last 24 hours' sessions and bot sessions. Our design: the contract leaves
    this body to us; it is stable once shipped.
    """
    principal = await authenticate(request)
    now = now_ms()
    since = history_start_ms(principal, now)
    integration_id = principal.integration_id
    async with services(request).db.connection() as conn:
        days = await analytics_repo.bucket_rows(
            conn, integration_id, "d", day_of(since), day_of(now)
        )
        last_day = await analytics_repo.bucket_rows(
            conn, integration_id, "h", (now - DAY_MS) // HOUR_MS + 1, now // HOUR_MS
        )
        users = await analytics_repo.users_seen_since(conn, integration_id, since)
        flagged = await analytics_repo.users_flagged_since(conn, integration_id, since)
        courses = await analytics_repo.courses_seen_since(conn, integration_id, since)
    total, recent = _sum(days), _sum(last_day)
    body = Stats(
        windowStart=iso_time(since),
        generatedAt=iso_time(now),
        totalSessions=total.sessions,
        botSessions=total.high + total.medium,
        mediumSessions=total.low,
        humanSessions=total.human,
        totalEvents=total.events,
        totalUsers=users,
        flaggedUsers=flagged,
        totalCourses=courses,
        averageBotScore=_ratio(total.score_sum, total.sessions),
        sessionsLast24h=recent.sessions,
        botSessionsLast24h=recent.high + recent.medium,
    )
    return json_response(StatsEnvelope(body), principal)
