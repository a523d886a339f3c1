"""Keyset pages: the cursor a request brings, and the pagination block a page returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from starlette.requests import Request

from notai.api import params
from notai.api.cursors import Position
from notai.api.schemas import Pagination
from notai.api.state import services
from notai.tenancy.service import Principal

T = TypeVar("T")


def scope(principal: Principal, route: str, *values: object) -> str:
    """What a cursor is bound to: the integration, the route, path values and filters."""
    return "|".join([principal.integration_id, route, *(repr(v) for v in values)])


def requested_position(request: Request, cursor_scope: str) -> Position | None:
    raw = params.cursor(request)
    return services(request).cursors.decode(cursor_scope, raw) if raw else None


def finish(
    request: Request,
    cursor_scope: str,
    rows: Sequence[T],
    limit: int,
    position: Callable[[T], Position],
) -> tuple[list[T], Pagination]:
    """Trim the `limit + 1` rows fetched to a page and say whether more follow."""
    has_more = len(rows) > limit
    page = list(rows[:limit])
    next_cursor = (
        services(request).cursors.encode(cursor_scope, position(page[-1])) if has_more else None
    )
    return page, Pagination(hasMore=has_more, limit=limit, nextCursor=next_cursor)
