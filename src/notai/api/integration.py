"""The integration a key belongs to, and the unauthenticated health check."""

from __future__ import annotations

from typing import Literal, cast

from starlette.requests import Request
from starlette.responses import Response

from notai import __version__
from notai.api.auth import authenticate
from notai.api.responses import json_response
from notai.api.schemas import Health, Integration, IntegrationEnvelope, iso_time
from notai.api.state import services
from notai.clock import now_ms
from notai.store.database import DatabaseUnavailable


async def get_integration(request: Request) -> Response:
    """Get the integration the API key belongs to: its plan, region and masked key."""
    principal = await authenticate(request)
    record = principal.integration
    plan = principal.plan
    body = Integration(
        id=record.id,
        name=record.name,
        tier=plan.tier,
        region=cast(Literal["us", "eu"], record.region),
        apiKeyMasked=principal.key.masked,
        createdAt=iso_time(record.created_at),
        requestsPerMinute=plan.requests_per_minute,
        maxPageSize=plan.max_page_size,
        historyDays=plan.history_days,
    )
    return json_response(IntegrationEnvelope(body), principal)


async def health(request: Request) -> Response:
    """Report whether the service and its database answer (no key needed)."""
    app = services(request)
    try:
        await app.db.ping()
    except DatabaseUnavailable:
        body = Health(status="unavailable", version=__version__, timestamp=iso_time(now_ms()))
        return json_response(body, status=503)
    return json_response(Health(status="ok", version=__version__, timestamp=iso_time(now_ms())))
