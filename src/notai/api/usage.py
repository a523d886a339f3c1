"""Daily usage counters: API calls, events, sessions, stored bytes, bot analyses."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from notai.api import params
from notai.api.auth import authenticate
from notai.api.errors import InvalidParameter
from notai.api.responses import json_response
from notai.api.schemas import Usage, UsagePoint
from notai.api.state import services
from notai.clock import now_ms
from notai.store import analytics as analytics_repo

Metric = Literal["ApiCalls", "Events", "Sessions", "StorageBytes", "BotAnalyses"]
METRICS: tuple[Metric, ...] = ("ApiCalls", "Events", "Sessions", "StorageBytes", "BotAnalyses")
_METRIC_NAMED: dict[str, Metric] = {name: name for name in METRICS}
DEFAULT_SPAN_DAYS = 30
MAX_SPAN_DAYS = 366


async def get_usage(request: Request) -> Response:
    """Get daily usage: ApiCalls, Events, Sessions, StorageBytes and BotAnalyses.

    `startDate` defaults to 30 days before `endDate`, which defaults to today (UTC); both
    are inclusive dates, at most 366 days apart. `metric` (case-insensitive) keeps one
    metric. Days with no usage are omitted from `data`; `totals` names every metric asked
    for, zero included.
    """
    principal = await authenticate(request)
    metric = params.choice(request, "metric", METRICS, any_case=True)
    today = dt.datetime.fromtimestamp(now_ms() / 1000, tz=dt.UTC).date()
    end = params.calendar_day(request, "endDate") or today
    start = params.calendar_day(request, "startDate") or end - dt.timedelta(days=DEFAULT_SPAN_DAYS)
    if start > end:
        raise InvalidParameter("startDate", "startDate must not be after endDate.")
    if (end - start).days > MAX_SPAN_DAYS:
        raise InvalidParameter("startDate", f"A usage range may span at most {MAX_SPAN_DAYS} days.")
    async with services(request).db.connection() as conn:
        rows = await analytics_repo.usage_rows(
            conn, principal.integration_id, start.isoformat(), end.isoformat(), metric
        )
    totals = dict.fromkeys((metric,) if metric else METRICS, 0)
    data = []
    for day, name, value in rows:
        known = _METRIC_NAMED.get(name)
        if known is not None and known in totals:
            totals[known] += value
            data.append(UsagePoint(period=day, metricType=known, value=value))
    body = Usage(startDate=start.isoformat(), endDate=end.isoformat(), data=data, totals=totals)
    return json_response(body, principal)
