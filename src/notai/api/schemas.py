"""The shapes the API returns, one msgspec Struct per wire shape (field names as on the wire)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from notai.store.sessions import SessionView

ACTIVE_TIMEOUT_MS = 30 * 60 * 1000
"""A session with no events for 30 minutes is closed (the contract's rule)."""


class PublicSession(msgspec.Struct, frozen=True):
    id: str
    createdAt: str
    updatedAt: str
    status: Literal["active", "closed"]
    botScore: float
    detectionFlags: list[str]
    pageUrl: str
    userAgentSummary: str
    userId: str
    userName: str
    userUrl: str


class Pagination(msgspec.Struct, frozen=True, omit_defaults=True):
    hasMore: bool
    limit: int
    nextCursor: str | None = None


class SessionPage(msgspec.Struct, frozen=True):
    data: list[PublicSession]
    pagination: Pagination


class SessionEnvelope(msgspec.Struct, frozen=True):
    data: PublicSession


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok", "unavailable"]
    version: str
    timestamp: str


class Integration(msgspec.Struct, frozen=True):
    id: str
    name: str
    tier: Literal["free", "pro", "enterprise"]
    region: Literal["us", "eu"]
    apiKeyMasked: str
    createdAt: str
    requestsPerMinute: int
    maxPageSize: int
    historyDays: int


class IntegrationEnvelope(msgspec.Struct, frozen=True):
    data: Integration


_decode_flags = msgspec.json.Decoder(list[str]).decode


def iso_time(ms: int) -> str:
    """Unix ms as ISO 8601 in UTC with milliseconds: `2026-11-27T15:41:31.123Z`."""
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def public_session(view: SessionView, now_ms: int) -> PublicSession:
    idle = view.updated_at < now_ms - ACTIVE_TIMEOUT_MS
    return PublicSession(
        id=view.id,
        createdAt=iso_time(view.created_at),
        updatedAt=iso_time(view.updated_at),
        status="closed" if view.status == "closed" or idle else "active",
        botScore=view.bot_score,
        detectionFlags=_decode_flags(view.detection_flags),
        pageUrl=view.page_url,
        userAgentSummary=view.user_agent_summary,
        userId=view.user_id,
        userName=view.user_name,
        userUrl=view.user_url,
    )


# --- session details and events ----------------------------------------------------------


class EventCounts(msgspec.Struct, frozen=True):
    total: int
    mouse: int
    scroll: int
    keyboard: int
    touch: int
    form: int


class TimelineBucket(msgspec.Struct, frozen=True):
    timestamp: str
    eventCount: int
    dominantEventType: str
    """The short name of the commonest message type in the bucket, `none` when idle."""
    activityLevel: Literal["idle", "low", "medium", "high"]


class PageVisit(msgspec.Struct, frozen=True):
    url: str
    timestamp: str
    type: Literal["load", "route", "back", "reload"]
    durationMs: int


class SessionDetails(msgspec.Struct, frozen=True):
    sessionId: str
    startTime: str
    endTime: str
    durationSeconds: float
    eventCounts: EventCounts
    timeline: list[TimelineBucket]
    pageHistory: list[PageVisit]


class SessionDetailsEnvelope(msgspec.Struct, frozen=True):
    data: SessionDetails


class EventMeta(msgspec.Struct, frozen=True):
    eventId: str
    messageId: int
    eventTypeName: str
    timestamp: int
    payloadSize: int


class EventPage(msgspec.Struct, frozen=True):
    data: list[EventMeta]
    pagination: Pagination


# --- users and courses ---------------------------------------------------------------------


class UserSummary(msgspec.Struct, frozen=True):
    userId: str
    userName: str
    sessionCount: int
    botSessionCount: int
    mediumSessionCount: int
    averageBotScore: float
    maxBotScore: float
    deviceCount: int
    firstSeen: str
    lastSeen: str
    riskLevel: Literal["high", "medium", "low"]
    sparkline: list[int]
    userUrl: str


class UserPage(msgspec.Struct, frozen=True):
    data: list[UserSummary]
    pagination: Pagination


class CourseSummary(msgspec.Struct, frozen=True):
    courseId: str
    courseName: str
    courseUrl: str
    provider: str
    """The LMS: canvas, moodle, blackboard, d2l, schoology, sakai, or empty when unknown."""
    sessionCount: int
    botSessionCount: int
    mediumSessionCount: int
    userCount: int
    averageBotScore: float
    maxBotScore: float
    riskLevel: Literal["high", "medium", "low"]
    firstSeen: str
    lastSeen: str


class CoursePage(msgspec.Struct, frozen=True):
    data: list[CourseSummary]
    pagination: Pagination


# --- analytics, stats, usage -----------------------------------------------------------------


class AnalyticsSummary(msgspec.Struct, frozen=True):
    totalSessions: int
    totalEvents: int
    uniqueBots: int
    uniqueUsers: int
    averageBotScore: float
    averageEventsPerSession: float


class TimePoint(msgspec.Struct, frozen=True):
    timestamp: str
    sessionCount: int
    eventCount: int
    botCount: int
    userMatchedCount: int


class BotDetection(msgspec.Struct, frozen=True):
    highConfidenceBots: int
    mediumConfidenceBots: int
    lowConfidenceBots: int
    likelyHumans: int


class UserMatching(msgspec.Struct, frozen=True):
    totalMatched: int
    totalUnmatched: int
    matchRate: float
    averageCorrelationConfidence: float


class OriginCount(msgspec.Struct, frozen=True):
    origin: str
    sessionCount: int
    botPercentage: float


class DeviceBreakdown(msgspec.Struct, frozen=True):
    mobile: int
    tablet: int
    desktop: int
    browserCounts: dict[str, int]


class Analytics(msgspec.Struct, frozen=True):
    period: Literal["24h", "7d", "30d", "90d"]
    groupBy: Literal["hour", "day", "week"]
    startDate: str
    endDate: str
    generatedAt: str
    summary: AnalyticsSummary
    timeSeries: list[TimePoint]
    botDetection: BotDetection
    userMatching: UserMatching
    topOrigins: list[OriginCount]
    deviceBreakdown: DeviceBreakdown


class AnalyticsEnvelope(msgspec.Struct, frozen=True):
    data: Analytics


class Stats(msgspec.Struct, frozen=True):
    """Totals over the plan's history window (our design)."""

    windowStart: str
    generatedAt: str
    totalSessions: int
    botSessions: int
    mediumSessions: int
    humanSessions: int
    totalEvents: int
    totalUsers: int
    flaggedUsers: int
    totalCourses: int
    averageBotScore: float
    sessionsLast24h: int
    botSessionsLast24h: int


class StatsEnvelope(msgspec.Struct, frozen=True):
    data: Stats


class UsagePoint(msgspec.Struct, frozen=True):
    period: str
    metricType: Literal["ApiCalls", "Events", "Sessions", "StorageBytes", "BotAnalyses"]
    value: int


class Usage(msgspec.Struct, frozen=True):
    startDate: str
    endDate: str
    data: list[UsagePoint]
    totals: dict[str, int]


def risk_level(bot_sessions: int, medium_sessions: int) -> Literal["high", "medium", "low"]:
    if bot_sessions:
        return "high"
    return "medium" if medium_sessions else "low"
