"""Query parameters shared by the list routes, parsed strictly."""

from __future__ import annotations

import re

from starlette.requests import Request

from notai.api.errors import InvalidParameter
from notai.tenancy.plans import Plan

DEFAULT_PAGE_SIZE = 50
# Digits only: int() would also take " 5", "+5" and "1_0", which no client means to send.
_WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,30}$")


def page_size(request: Request, plan: Plan, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`pageSize`: a whole number >= 1, clamped to the plan's maximum."""
    raw = request.query_params.get("pageSize")
    if raw is None or raw == "":
        return min(default, plan.max_page_size)
    if not _WHOLE_NUMBER.match(raw):
        raise InvalidParameter("pageSize", f"pageSize must be a whole number, not {raw[:40]!r}.")
    value = int(raw)
    if value < 1:
        raise InvalidParameter("pageSize", "pageSize must be at least 1.")
    return min(value, plan.max_page_size)


def cursor(request: Request) -> str | None:
    """`cursor`: absent or empty means the first page."""
    raw = request.query_params.get("cursor")
    return raw or None
