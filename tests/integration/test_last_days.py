"""Users and courses seen or flagged since a time: exact at day boundaries and after moves.

Stats and analytics count them from the last-visit days (whole UTC days) plus the rest of
a partial first day; every count here is held equal to a plain COUNT over the users' or
courses' rows, and the day table to a recount from those rows, on both backends.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import msgspec

from integration.last_days_support import DAY_MS, recounted_last_days, stored_last_days
from notai.collect.ingest import session_facts
from notai.store import analytics as analytics_repo
from notai.store.bulk import insert_sessions
from notai.store.database import Connection
from notai.store.rollups import apply_session_change, upsert_course, upsert_lms_user
from notai.store.sessions import SessionRecord

from conftest import Harness
from factories import batch, init, lms, now_ms, session_id, session_record

HOUR_MS = 3_600_000
Count = Callable[[Connection, str, int], Awaitable[int]]


def midnight(days_ago: int) -> int:
    return (now_ms() // DAY_MS - days_ago) * DAY_MS


def see_user(harness: Harness, integration: str, user: str, at: int) -> None:
    async def upsert() -> None:
        async with harness.db.transaction() as conn:
            await upsert_lms_user(conn, integration, user, "", "", at, at)

    harness.run(upsert)


def see_course(harness: Harness, integration: str, course: str, at: int) -> None:
    async def upsert() -> None:
        async with harness.db.transaction() as conn:
            await upsert_course(conn, integration, course, "", "", "canvas", at, at)

    harness.run(upsert)


def count(harness: Harness, counter: Count, integration: str, since: int) -> int:
    async def read() -> int:
        async with harness.db.connection() as conn:
            return await counter(conn, integration, since)

    return harness.run(read)


def plain_count(harness: Harness, table: str, column: str, integration: str, since: int) -> int:
    async def read() -> int:
        async with harness.db.connection() as conn:
            value = await conn.fetchval(
                f"SELECT COUNT(*) FROM {table} WHERE integration_id = $1 AND {column} >= $2",
                integration,
                since,
            )
        return int(value)

    return harness.run(read)


def test_users_seen_since_are_exact_at_day_boundaries(harness: Harness) -> None:
    integration = harness.integration()
    day = midnight(3)
    t = day + 5 * HOUR_MS
    seen = {
        "yesterday's last ms": day - 1,
        "midnight": day,
        "one ms before t": t - 1,
        "at t": t,
        "the day's last ms": day + DAY_MS - 1,
        "next midnight": day + DAY_MS,
        "two days later": day + 2 * DAY_MS + HOUR_MS,
    }
    for user, at in seen.items():
        see_user(harness, integration, user, at)
    see_user(harness, harness.integration(), "another integration's", t)

    expected = {
        t: 4,
        t + 1: 3,
        t - 1: 5,
        day: 6,
        day + 1: 5,
        day - 1: 7,
        day + DAY_MS - 1: 3,
        day + DAY_MS: 2,
        0: 7,
        day + 3 * DAY_MS: 0,
    }
    counted = {
        since: count(harness, analytics_repo.users_seen_since, integration, since)
        for since in expected
    }
    assert counted == expected
    assert counted == {
        since: plain_count(harness, "lms_users", "last_seen", integration, since)
        for since in expected
    }
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)


def test_counts_follow_users_and_courses_moved_to_later_days(harness: Harness) -> None:
    integration = harness.integration()
    day = midnight(4)
    t = day + 12 * HOUR_MS
    for name in ("a", "b", "c"):
        see_user(harness, integration, name, day + HOUR_MS)
        see_course(harness, integration, name, day + HOUR_MS)
    assert count(harness, analytics_repo.users_seen_since, integration, t) == 0

    see_user(harness, integration, "a", t)  # later the same day
    see_user(harness, integration, "b", day + 2 * DAY_MS)  # two days later
    see_user(harness, integration, "b", day)  # an older report moves nothing back
    see_course(harness, integration, "c", day + DAY_MS + 1)

    assert count(harness, analytics_repo.users_seen_since, integration, t) == 2
    assert count(harness, analytics_repo.users_seen_since, integration, day + DAY_MS) == 1
    assert count(harness, analytics_repo.courses_seen_since, integration, day + DAY_MS) == 1
    assert count(harness, analytics_repo.courses_seen_since, integration, t) == 1
    assert count(harness, analytics_repo.courses_seen_since, integration, day) == 3
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)
    assert stored_last_days(harness, integration) == {
        ("u", "seen", day // DAY_MS): 2,
        ("u", "seen", day // DAY_MS + 2): 1,
        ("c", "seen", day // DAY_MS): 2,
        ("c", "seen", day // DAY_MS + 1): 1,
    }


def test_random_visits_count_like_a_scan_of_the_rows(harness: Harness) -> None:
    integration = harness.integration()
    start = midnight(6)
    chance = random.Random(7)
    for _ in range(150):
        at = start + chance.randrange(5 * DAY_MS)
        see_user(harness, integration, f"u{chance.randrange(30)}", at)
        see_course(harness, integration, f"c{chance.randrange(8)}", at)
    boundaries = [start + d * DAY_MS + e for d in range(6) for e in (-1, 0, 1)]
    times = boundaries + [start + chance.randrange(5 * DAY_MS) for _ in range(20)]

    for since in times:
        assert count(harness, analytics_repo.users_seen_since, integration, since) == plain_count(
            harness, "lms_users", "last_seen", integration, since
        ), since
        assert count(harness, analytics_repo.courses_seen_since, integration, since) == plain_count(
            harness, "courses", "last_seen", integration, since
        ), since
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)


async def _roll(
    harness: Harness, integration: str, before: SessionRecord | None, after: SessionRecord
) -> None:
    async with harness.db.transaction() as conn:
        await conn.execute(
            "UPDATE sessions SET bot_score = $3 WHERE integration_id = $1 AND id = $2",
            integration,
            after.id,
            after.bot_score,
        )
        await upsert_lms_user(
            conn, integration, after.user_id, "", "", after.created_at, after.updated_at
        )
        facts = None if before is None else session_facts(before)
        await apply_session_change(conn, integration, facts, session_facts(after))


def test_flagged_users_follow_scores_that_leave_the_bot_band(harness: Harness) -> None:
    integration = harness.integration()
    day = midnight(2)
    t = day + 6 * HOUR_MS
    older = session_record(integration, "older", "8812", day - 2 * DAY_MS + HOUR_MS, 0.9)
    newer = session_record(integration, "newer", "8812", t, 0.7)  # the band's lowest score
    human = session_record(integration, "human", "4242", t + HOUR_MS, 0.2)
    harness.run(insert_sessions, harness.db, [older, newer, human])
    for record in (older, newer, human):
        harness.run(_roll, harness, integration, None, record)

    def flagged(since: int) -> int:
        found = count(harness, analytics_repo.users_flagged_since, integration, since)
        assert found == plain_count(harness, "lms_users", "last_bot_at", integration, since)
        return found

    assert [flagged(s) for s in (t + 1, t, day, older.created_at)] == [0, 1, 1, 1]

    harness.run(_roll, harness, integration, newer, msgspec.structs.replace(newer, bot_score=0.69))
    assert [flagged(s) for s in (t, day, older.created_at + 1, older.created_at)] == [0, 0, 0, 1]
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)

    harness.run(_roll, harness, integration, older, msgspec.structs.replace(older, bot_score=0.5))
    assert flagged(0) == 0
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)

    harness.run(_roll, harness, integration, human, msgspec.structs.replace(human, bot_score=0.8))
    assert [flagged(s) for s in (t + HOUR_MS + 1, t + HOUR_MS, day)] == [0, 1, 1]
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)


def test_analytics_counts_users_seen_inside_a_period_that_starts_mid_day(
    harness: Harness,
) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    start = now_ms() - DAY_MS  # the 24h period's start, give or take the request's delay
    for user, received in (("outside", start - 60_000), ("inside", start + 60_000)):
        harness.ingest(batch(integration, session_id(), [init(0, context=lms(user))]), received)

    response = harness.get("/v1/analytics", key, period="24h")

    assert response.status_code == 200, response.text
    assert response.json()["data"]["summary"]["uniqueUsers"] == 1
