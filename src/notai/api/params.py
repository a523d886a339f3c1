"""Query parameters shared by the list routes, parsed strictly."""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request

from notai.api.errors import InvalidParameter
from notai.tenancy.plans import Plan

DEFAULT_PAGE_SIZE = 50
# Digits only: int() would also take " 5", "+5" and "1_0", which no client means to send.
_WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,30}$")
_DATE_ONLY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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


def whole_number(request: Request, name: str) -> int | None:
    """An optional whole-number parameter (digits, optional minus)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not _WHOLE_NUMBER.match(raw) or len(raw) > 19:
        raise InvalidParameter(name, f"{name} must be a whole number, not {raw[:40]!r}.")
    return int(raw)


def boolean(request: Request, name: str) -> bool:
    """`true` or `false` (also `1`/`0`); absent is false."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return False
    value = raw.lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise InvalidParameter(name, f"{name} must be true or false, not {raw[:40]!r}.")


def choice(
    request: Request, name: str, allowed: tuple[str, ...], default: str | None = None
) -> str | None:
    """One of a fixed set of values (case-insensitive); absent gives `default`."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    for option in allowed:
        if option.lower() == value:
            return option
    raise InvalidParameter(name, f"{name} must be one of {', '.join(allowed)}, not {raw[:40]!r}.")


def date_time(request: Request, name: str, *, end_of_day: bool = False) -> int | None:
    """An ISO-8601 date or date-time as Unix ms.

    A bare date means the start of that UTC day, or its last millisecond for inclusive end
    bounds (`end_of_day`), so `endDate=2026-11-27` includes all of the 27th. A date-time
    without an offset is read as UTC.
    """
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        if _DATE_ONLY.match(raw):
            day = dt.date.fromisoformat(raw)
            start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            ms = int(start.timestamp() * 1000)
            return ms + 86_400_000 - 1 if end_of_day else ms
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidParameter(
            name, f"{name} must be an ISO-8601 date or date-time, not {raw[:40]!r}."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def calendar_day(request: Request, name: str) -> dt.date | None:
    """An ISO-8601 date (`YYYY-MM-DD`); a date-time is read as its UTC date."""
    ms = date_time(request, name)
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).date()


def ordered(start_field: str, start: int | None, end: int | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidParameter(start_field, f"{start_field} must not be after the end.")
