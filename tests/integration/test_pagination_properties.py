"""Walking every page of a list route returns each matching session exactly once, in order.

For random sets of sessions (createdAt with many ties, several users, both statuses, scores
around the bot band, sessions older than the plan's window, and another integration holding
the same user and session ids), random page sizes and random filters, the pages of a list
route, walked with their cursors, concatenate to exactly the sessions that the route's
filter selects (written again here in Python), newest first by createdAt, ties by id
descending.

A list route is one `ListRoute` entry in `ROUTES`. One app per backend serves every example;
each example gets integrations of its own, so no example sees another's sessions.
`NOTAI_PROPERTY_EXAMPLES` sets the examples per route and backend (default 25).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from notai.store.bulk import insert_sessions
from notai.store.sessions import SessionRecord
from notai.tenancy.plans import Tier

from conftest import Harness
from factories import now_ms, session_record

EXAMPLES = int(os.environ.get("NOTAI_PROPERTY_EXAMPLES", "25"))
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
TIER: Tier = "pro"
MAX_PAGE_SIZE = 100  # the pro plan's
HISTORY_MS = 30 * DAY_MS  # the pro plan's window
IDLE_TIMEOUT_MS = 30 * MINUTE_MS
BOT_SCORE = 0.7
USERS = ("8812", "u-2", "x")
# Twelve creation times 7 hours apart: many ties, and spread over several UTC days so that
# a bare date as a bound cuts between them.
CREATED_STEPS = range(12)
SCORES = (0.0, 0.39, 0.4, 0.69, 0.6999, 0.7, 0.7001, 0.9, 1.0)

Query = dict[str, str]


@dataclass(frozen=True)
class Seed:
    """One session to store, with the values the filters read."""

    id: str
    user: str
    created_at: int
    updated_at: int
    stored_status: str
    bot_score: float

    def status(self, now: int) -> str:
        idle = self.updated_at < now - IDLE_TIMEOUT_MS
        return "closed" if self.stored_status == "closed" or idle else "active"


@dataclass(frozen=True)
class Example:
    """What one example asks: whose sessions, which filters, how many per page."""

    now: int
    sessions: Sequence[Seed]
    user: str
    page_size: int
    query: Query


@dataclass(frozen=True)
class ListRoute:
    """A list route of sessions: where it is, its filters, and what it should select."""

    name: str
    path: Callable[[str], str]
    filters: Callable[[Sequence[Seed]], st.SearchStrategy[Query]]
    selects: Callable[[Seed, Example], bool]


# --- sessions -----------------------------------------------------------------------------


@st.composite
def seeds(draw: st.DrawFn, now: int) -> Seed:
    old = draw(st.booleans()) and draw(st.booleans())  # about one in four
    back = draw(st.sampled_from(CREATED_STEPS)) * 7 * HOUR_MS + HOUR_MS
    created_at = now - back - (HISTORY_MS + 10 * DAY_MS if old else 0)
    # A batch one minute ago keeps an unclosed session active; two hours of silence close it.
    updated_at = now - draw(st.sampled_from((MINUTE_MS, 2 * HOUR_MS)))
    return Seed(
        # Lowercase hex of one length: the same order in Python and in any collation.
        id=draw(st.text("0123456789abcdef", min_size=6, max_size=6)),
        user=draw(st.sampled_from(USERS)),
        created_at=created_at,
        updated_at=max(updated_at, created_at),
        stored_status=draw(st.sampled_from(("active", "closed"))),
        bot_score=draw(st.sampled_from(SCORES)),
    )


def session_sets(now: int) -> st.SearchStrategy[list[Seed]]:
    return st.lists(seeds(now), max_size=30, unique_by=lambda s: s.id)


def page_sizes() -> st.SearchStrategy[int]:
    # Mostly small pages (many cursors), sometimes above the plan's maximum (clamped).
    return st.one_of(st.integers(1, 7), st.integers(8, 150))


def record(integration: str, seed: Seed) -> SessionRecord:
    base = session_record(integration, seed.id, seed.user, seed.created_at, seed.bot_score)
    return msgspec.structs.replace(base, updated_at=seed.updated_at, status=seed.stored_status)


# --- filters of GET /v1/sessions ------------------------------------------------------------


def iso_instant(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_day(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).date().isoformat()


def bound_ms(value: str, end: bool) -> int:
    """A startDate or endDate as Unix ms: a bare date is its whole UTC day, inclusive."""
    if len(value) == 10:
        day = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        start = int(day.timestamp() * 1000)
        return start + DAY_MS - 1 if end else start
    return int(dt.datetime.fromisoformat(value).timestamp() * 1000)


@st.composite
def session_filters(draw: st.DrawFn, sessions: Sequence[Seed]) -> Query:
    query: Query = {}
    if draw(st.booleans()):
        query["status"] = draw(st.sampled_from(("active", "closed")))
    if draw(st.booleans()):
        query["botOnly"] = draw(st.sampled_from(("true", "false")))
    # Bounds on and next to stored creation times, where an off-by-one would show.
    instants = [s.created_at + d for s in sessions for d in (-1, 0, 1)] or [0]
    moment = st.one_of(st.none(), st.sampled_from(instants))
    start, end = draw(moment), draw(moment)
    if start is not None and end is not None and start > end:
        start, end = end, start
    for name, value in (("startDate", start), ("endDate", end)):
        if value is not None:
            query[name] = iso_day(value) if draw(st.booleans()) else iso_instant(value)
    return query


def session_selected(seed: Seed, example: Example) -> bool:
    query = example.query
    if "status" in query and seed.status(example.now) != query["status"]:
        return False
    if query.get("botOnly") == "true" and seed.bot_score < BOT_SCORE:
        return False
    if "startDate" in query and seed.created_at < bound_ms(query["startDate"], end=False):
        return False
    return not ("endDate" in query and seed.created_at > bound_ms(query["endDate"], end=True))


ROUTES = (
    ListRoute(
        "getUserSessions",
        path=lambda user: f"/v1/users/{user}/sessions",
        filters=lambda _: st.just({}),
        selects=lambda seed, example: seed.user == example.user,
    ),
    ListRoute(
        "listSessions",
        path=lambda _: "/v1/sessions",
        filters=session_filters,
        selects=session_selected,
    ),
)


# --- the property ---------------------------------------------------------------------------


def expected_ids(route: ListRoute, example: Example) -> list[str]:
    window_start = example.now - HISTORY_MS
    chosen = [
        s for s in example.sessions if s.created_at >= window_start and route.selects(s, example)
    ]
    chosen.sort(key=lambda s: (s.created_at, s.id), reverse=True)
    return [s.id for s in chosen]


def walk(harness: Harness, key: str, path: str, example: Example) -> list[str]:
    """Every page in turn, following nextCursor; checks each page's pagination block."""
    limit = min(example.page_size, MAX_PAGE_SIZE)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(len(example.sessions) + 2):
        params: dict[str, str | int] = {**example.query, "pageSize": example.page_size}
        if cursor:
            params["cursor"] = cursor
        response = harness.get(path, key, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        pagination = body["pagination"]
        assert pagination["limit"] == limit
        seen.extend(item["id"] for item in body["data"])
        if not pagination["hasMore"]:
            assert len(body["data"]) <= limit
            assert not pagination.get("nextCursor")
            return seen
        assert len(body["data"]) == limit
        cursor = pagination["nextCursor"]
        assert cursor
    raise AssertionError(f"{path} still had more pages after {len(seen)} sessions")


def seed_integrations(harness: Harness, sessions: Sequence[Seed]) -> str:
    """A fresh integration holding `sessions`, and another one holding the same ids."""
    mine, other = harness.integration(TIER), harness.integration(TIER)
    records = [record(mine, s) for s in sessions] + [record(other, s) for s in sessions]
    if records:
        harness.run(insert_sessions, harness.db, records)
    return harness.key(mine)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_walking_all_pages_returns_each_match_once_in_order(
    harness: Harness, route: ListRoute
) -> None:
    now = now_ms()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sessions=session_sets(now), data=st.data())
    def walk_matches_filter(sessions: list[Seed], data: st.DataObject) -> None:
        example = Example(
            now=now,
            sessions=sessions,
            user=data.draw(st.sampled_from(USERS), label="user"),
            page_size=data.draw(page_sizes(), label="pageSize"),
            query=data.draw(route.filters(sessions), label="query"),
        )
        key = seed_integrations(harness, sessions)

        seen = walk(harness, key, route.path(example.user), example)

        assert seen == expected_ids(route, example)

    walk_matches_filter()
