"""Who is calling: the API key from the request, resolved to a principal or refused.

A resolved call is metered as `ApiCalls` usage, then held to its plan's rate limit.
"""

from __future__ import annotations

from starlette.requests import Request

from notai.api.errors import InvalidApiKey, RateLimited
from notai.api.state import services
from notai.tenancy.service import Principal, resolve_key


def presented_key(request: Request) -> str | None:
    """`Authorization: Bearer <key>` wins over `x-api-key` when both are sent."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        return value.strip() if scheme.lower() == "bearer" else ""
    return request.headers.get("x-api-key")


async def authenticate(request: Request) -> Principal:
    """Resolve the caller's key; any failure is the same 401 INVALID_API_KEY.

    A key whose window is full is refused with 429 RATE_LIMITED and `Retry-After`.
    """
    key = presented_key(request)
    if not key:
        raise InvalidApiKey()
    app = services(request)
    principal = await resolve_key(app.db, app.settings, key)
    if principal is None:
        raise InvalidApiKey()
    # Read by the response helpers and by the error renderer: every response after this
    # point carries the tier header, whatever its status.
    request.state.tier = principal.tier
    # Refused calls count too: usage shows the load a client puts on the API.
    app.meter.count(principal.integration_id)
    limit = principal.plan.requests_per_minute
    decision = await app.limiter.admit(principal.integration_id, principal.key.id, limit)
    if not decision.admitted:
        raise _rate_limited(limit, decision.retry_after)
    return principal


def _rate_limited(limit: int, retry_after: int) -> RateLimited:
    return RateLimited(
        f"Rate limit of {limit} requests per minute reached; retry in {retry_after} s.",
        {"requestsPerMinute": limit, "retryAfterSeconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )
