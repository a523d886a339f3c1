"""Query and path values, parsed strictly: what the OpenAPI document says, and nothing looser.

Every reader goes through `_single`, which refuses a parameter given twice (which of two
values a client meant is a guess) and any value holding a NUL character (no database
stores it in text). An empty value counts as absent.
"""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request

from notai.api.errors import InvalidParameter
from notai.tenancy.plans import Plan

DEFAULT_PAGE_SIZE = 50
MAX_TEXT_LENGTH = 256
# Digits only: int() would also take " 5", "+5" and "1_0", which no client means to send.
_WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,19}$")
_DATE_ONLY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)
_INT64 = 2**63
# Dates outside these years are typing mistakes, and near year 1 or 9999 date arithmetic
# overflows.
_FIRST_YEAR, _LAST_YEAR = 1970, 2999


def _single(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, f"{name} may be given once, not {len(values)} times.")
    if not values or values[0] == "":
        return None
    if "\x00" in values[0]:
        raise InvalidParameter(name, f"{name} must not contain a NUL character.")
    return values[0]


def page_size(request: Request, plan: Plan, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`pageSize`: a whole number >= 1, clamped to the plan's maximum."""
    raw = _single(request, "pageSize")
    if raw is None:
        return min(default, plan.max_page_size)
    if not _WHOLE_NUMBER.match(raw):
        raise InvalidParameter("pageSize", f"pageSize must be a whole number, not {raw[:40]!r}.")
    if int(raw) < 1:
        raise InvalidParameter("pageSize", "pageSize must be at least 1.")
    return min(int(raw), plan.max_page_size)


def cursor(request: Request) -> str | None:
    """`cursor`: absent or empty means the first page."""
    return _single(request, "cursor")


def text(request: Request, name: str, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """A free-text value of at most `max_length` characters."""
    raw = _single(request, name)
    if raw is not None and len(raw) > max_length:
        raise InvalidParameter(name, f"{name} must be at most {max_length} characters.")
    return raw


def path_value(request: Request, name: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    value: str = request.path_params[name]
    if not value or len(value) > max_length:
        raise InvalidParameter(name, f"{name} must be 1 to {max_length} characters.")
    if "\x00" in value:
        raise InvalidParameter(name, f"{name} must not contain a NUL character.")
    return value


def whole_number(request: Request, name: str) -> int | None:
    """An optional whole number that fits 64 bits (digits, optional minus)."""
    raw = _single(request, name)
    if raw is None:
        return None
    if not _WHOLE_NUMBER.match(raw) or not -_INT64 <= int(raw) < _INT64:
        raise InvalidParameter(name, f"{name} must be a 64-bit whole number, not {raw[:40]!r}.")
    return int(raw)


def boolean(request: Request, name: str) -> bool:
    """`true` or `false`; absent is false."""
    raw = _single(request, name)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise InvalidParameter(name, f"{name} must be true or false, not {raw[:40]!r}.")


def choice(
    request: Request,
    name: str,
    allowed: tuple[str, ...],
    default: str | None = None,
    *,
    any_case: bool = False,
) -> str | None:
    """One of a fixed set of values, exactly as listed (`any_case` where the contract says so)."""
    raw = _single(request, name)
    if raw is None:
        return default
    for option in allowed:
        if option == raw or (any_case and option.lower() == raw.lower()):
            return option
    raise InvalidParameter(name, f"{name} must be one of {', '.join(allowed)}, not {raw[:40]!r}.")


def date_time(request: Request, name: str, *, end_of_day: bool = False) -> int | None:
    """An ISO-8601 date or date-time as Unix ms.

    A bare date means the start of that UTC day, or its last millisecond for inclusive end
    bounds (`end_of_day`), so `endDate=2026-11-27` includes all of the 27th. A date-time
    without an offset is read as UTC.
    """
    raw = _single(request, name)
    if raw is None:
        return None
    if _DATE_ONLY.match(raw):
        day = _parse_date(name, raw)
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        ms = int(start.timestamp() * 1000)
        return ms + 86_400_000 - 1 if end_of_day else ms
    if not _DATE_TIME.match(raw):
        raise _bad_date(name, raw)
    return int(_parse_moment(name, raw).timestamp() * 1000)


def calendar_day(request: Request, name: str) -> dt.date | None:
    """An ISO-8601 date, `YYYY-MM-DD`."""
    raw = _single(request, name)
    if raw is None:
        return None
    if not _DATE_ONLY.match(raw):
        raise _bad_date(name, raw, "date (YYYY-MM-DD)")
    return _parse_date(name, raw)


def ordered(start_field: str, start: int | None, end: int | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidParameter(start_field, f"{start_field} must not be after the end.")


def _parse_date(name: str, raw: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad_date(name, raw) from None
    _check_year(name, raw, day.year)
    return day


def _parse_moment(name: str, raw: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _bad_date(name, raw) from None
    _check_year(name, raw, moment.year)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _check_year(name: str, raw: str, year: int) -> None:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise InvalidParameter(name, f"{name} must fall between {_FIRST_YEAR} and {_LAST_YEAR}.")


def _bad_date(name: str, raw: str, kind: str = "date or date-time") -> InvalidParameter:
    return InvalidParameter(name, f"{name} must be an ISO-8601 {kind}, not {raw[:40]!r}.")
