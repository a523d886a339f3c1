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
