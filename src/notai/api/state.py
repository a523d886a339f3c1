"""The services one running app holds (database, settings, cursor codec, limits, metering)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from notai.api.cursors import CursorCodec
from notai.api.metering import ApiCallMeter
from notai.api.ratelimit import RateLimiter
from notai.settings import Settings
from notai.store.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    cursors: CursorCodec
    limiter: RateLimiter
    meter: ApiCallMeter


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
