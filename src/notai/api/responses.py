"""JSON responses encoded by msgspec, carrying the tier header once a key has resolved."""

from __future__ import annotations

import msgspec
from starlette.responses import Response

from notai.api.errors import TIER_HEADER
from notai.tenancy.service import Principal

_encode = msgspec.json.Encoder().encode


def json_response(
    body: msgspec.Struct, principal: Principal | None = None, status: int = 200
) -> Response:
    headers = {TIER_HEADER: principal.tier} if principal is not None else None
    return Response(
        _encode(body), status_code=status, media_type="application/json", headers=headers
    )


DAY_MS = 86_400_000


def history_start_ms(principal: Principal, now: int) -> int:
    """The oldest createdAt this key may see: its plan's window, widened to whole UTC days.

    Day-aligned so that per-day roll-ups (users, courses, stats) count exactly the
    sessions the session routes return; a plan never sees less than its window.
    """
    start = now - principal.plan.history_days * DAY_MS
    return start - start % DAY_MS
