"""Who is calling: the API key from the request, resolved to a principal or refused."""

from __future__ import annotations

from starlette.requests import Request

from notai.api.errors import InvalidApiKey
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
    """Resolve the caller's key; any failure is the same 401 INVALID_API_KEY."""
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
    return principal
