"""The roll-ups kept at ingest equal a recount from the sessions table, on both backends."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import msgspec

from integration.last_days_support import DAY_MS, recounted_last_days, stored_last_days
from notai.bands import SCORE_BOT, band_of, bucket_of
from notai.collect.ingest import session_facts
from notai.collect.rebuild import rebuild_rollups
from notai.demo import generate_demo
from notai.events import Identify, Keypress, LmsContext
from notai.store import sessions as sessions_repo
from notai.store.bulk import insert_sessions
from notai.store.rollups import (
    HOUR_MS,
    SessionFacts,
    apply_session_change,
    upsert_course,
    upsert_lms_user,
)

from conftest import Harness
from factories import batch, init, lms, now_ms, session_id, session_record


async def _all(harness: Harness, sql: str, *args: object) -> list[Any]:
    async with harness.db.connection() as conn:
        return list(await conn.fetch(sql, *args))


def fetch(harness: Harness, sql: str, *args: object) -> list[Any]:
    return harness.run(_all, harness, sql, *args)


def stored_sessions(harness: Harness, integration: str) -> list[sessions_repo.SessionRecord]:
    ids = [
        r["id"]
        for r in fetch(harness, "SELECT id FROM sessions WHERE integration_id = $1", integration)
    ]

    async def read() -> list[sessions_repo.SessionRecord]:
        async with harness.db.connection() as conn:
            found = [await sessions_repo.get_session_record(conn, integration, i) for i in ids]
        return [r for r in found if r is not None]

    return harness.run(read)


def expected_users(
    sessions: list[sessions_repo.SessionRecord],
) -> dict[str, tuple[int, int, int, float, float]]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for s in sessions:
        if s.user_id:
            grouped[s.user_id].append(s.bot_score)
    return {
        user: (
            len(scores),
            sum(band_of(x) == "bot" for x in scores),
            sum(band_of(x) == "medium" for x in scores),
            round(sum(scores), 6),
            max(scores),
        )
        for user, scores in grouped.items()
    }


def stored_users(
    harness: Harness, integration: str
) -> dict[str, tuple[int, int, int, float, float]]:
    rows = fetch(
        harness,
        "SELECT user_id, session_count, bot_sessions, medium_sessions, score_sum, max_score"
        " FROM lms_users WHERE integration_id = $1 AND session_count > 0",
        integration,
    )
    return {
        r["user_id"]: (
            r["session_count"],
            r["bot_sessions"],
            r["medium_sessions"],
            round(r["score_sum"], 6),
            r["max_score"],
        )
        for r in rows
    }


def expected_buckets(sessions: list[sessions_repo.SessionRecord]) -> dict[int, Counter[str]]:
    buckets: dict[int, Counter[str]] = defaultdict(Counter)
    for s in sessions:
        counter = buckets[s.created_at // HOUR_MS]
        counter["sessions"] += 1
        counter[bucket_of(s.bot_score)] += 1
        counter["matched"] += int(bool(s.user_id))
    return buckets


def stored_buckets(harness: Harness, integration: str) -> dict[int, Counter[str]]:
    rows = fetch(
        harness,
        "SELECT bucket, sessions, high, medium, low, human, matched FROM integration_buckets"
        " WHERE integration_id = $1 AND grain = 'h' AND sessions <> 0",
        integration,
    )
    names = ("sessions", "high", "medium", "low", "human", "matched")
    return {r["bucket"]: Counter({n: r[n] for n in names if r[n]}) for r in rows}


def test_rollups_equal_a_recount_after_demo_traffic(harness: Harness) -> None:
    integration = harness.integration("enterprise")
    for demo in generate_demo(integration, users=6, sessions=40, seed=11, now_ms=now_ms(), days=3):
        for received_at, demo_batch in demo.batches:
            harness.ingest(demo_batch, received_at)
    sessions = stored_sessions(harness, integration)

    assert stored_users(harness, integration) == expected_users(sessions)
    assert stored_buckets(harness, integration) == expected_buckets(sessions)
    last_days = stored_last_days(harness, integration)
    assert last_days == recounted_last_days(harness, integration)
    assert {marker for _, marker, _ in last_days} == {"seen", "bot"}
    daily = fetch(
        harness,
        "SELECT SUM(sessions) AS n FROM entity_daily WHERE integration_id = $1 AND kind = 'u'",
        integration,
    )
    assert daily[0]["n"] == sum(1 for s in sessions if s.user_id)
    bots_by_origin = fetch(
        harness,
        "SELECT SUM(sessions) AS n, SUM(bot_sessions) AS b FROM dimension_daily"
        " WHERE integration_id = $1 AND dimension = 'origin'",
        integration,
    )
    assert bots_by_origin[0]["n"] == sum(1 for s in sessions if s.origin)
    assert bots_by_origin[0]["b"] == sum(
        1 for s in sessions if s.origin and s.bot_score >= SCORE_BOT
    )


def test_a_user_named_late_takes_the_session_with_its_counts(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    t = init(0).t
    anonymous = init(0, context=LmsContext(provider="canvas", courseId="101"))
    fast = Keypress(seq=1, t=t + 1_000, keys=[(i * 5, i * 5 + 3, "letter") for i in range(30)])
    harness.ingest(batch(integration, sid, [anonymous, fast]), now_ms())
    before = stored_sessions(harness, integration)[0]
    assert before.user_id == ""
    assert before.bot_score > 0
    assert stored_users(harness, integration) == {}

    harness.ingest(batch(integration, sid, [Identify(seq=2, t=t + 2_000, lms=lms())]), now_ms())

    sessions = stored_sessions(harness, integration)
    assert sessions[0].user_id == "8812"
    assert stored_users(harness, integration) == expected_users(sessions)
    assert stored_buckets(harness, integration) == expected_buckets(sessions)
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)
    assert ("u", "seen", now_ms() // DAY_MS) in stored_last_days(harness, integration)


def test_a_falling_score_recomputes_the_maximum_it_held(harness: Harness) -> None:
    integration = harness.integration()
    created = now_ms()
    records = [
        session_record(integration, f"s{i}", "8812", created + i, bot_score=score)
        for i, score in enumerate([0.2, 0.95, 0.5])
    ]
    harness.run(insert_sessions, harness.db, records)

    async def roll(before: SessionFacts | None, after: SessionFacts) -> None:
        async with harness.db.transaction() as conn:
            await upsert_lms_user(conn, integration, "8812", "Ada", "", created, created)
            await apply_session_change(conn, integration, before, after)

    for record in records:
        harness.run(roll, None, session_facts(record))
    assert stored_users(harness, integration)["8812"][1:] == (1, 1, 1.65, 0.95)

    fallen = msgspec.structs.replace(records[1], bot_score=0.1)
    harness.run(
        _execute,
        harness,
        "UPDATE sessions SET bot_score = 0.1 WHERE integration_id = $1 AND id = 's1'",
        integration,
    )
    harness.run(roll, session_facts(records[1]), session_facts(fallen))

    assert stored_users(harness, integration) == expected_users(
        stored_sessions(harness, integration)
    )
    assert stored_users(harness, integration)["8812"] == (3, 0, 1, 0.8, 0.5)
    last_bot = fetch(
        harness, "SELECT last_bot_at FROM lms_users WHERE integration_id = $1", integration
    )
    assert last_bot[0]["last_bot_at"] is None
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)
    assert not any(marker == "bot" for _, marker, _ in stored_last_days(harness, integration))


async def _execute(harness: Harness, sql: str, *args: object) -> None:
    async with harness.db.transaction() as conn:
        await conn.execute(sql, *args)


ROLLUP_QUERIES = {
    "users": "SELECT user_id, user_name, first_seen, last_seen, session_count, bot_sessions,"
    " medium_sessions, ROUND(CAST(score_sum AS NUMERIC), 6) AS s, max_score, member_count,"
    " last_bot_at FROM lms_users WHERE integration_id = $1 AND session_count > 0 ORDER BY user_id",
    "courses": "SELECT course_id, provider, first_seen, last_seen, session_count, bot_sessions,"
    " medium_sessions, max_score, member_count FROM courses WHERE integration_id = $1"
    " ORDER BY course_id",
    "daily": "SELECT kind, entity_id, day, sessions, bot_sessions, medium_sessions, max_score"
    " FROM entity_daily WHERE integration_id = $1 AND sessions <> 0 ORDER BY kind, entity_id, day",
    "members": "SELECT kind, entity_id, member FROM entity_members WHERE integration_id = $1"
    " ORDER BY kind, entity_id, member",
    "buckets": "SELECT grain, bucket, sessions, events, high, medium, low, human, matched"
    " FROM integration_buckets WHERE integration_id = $1 AND sessions <> 0 ORDER BY grain, bucket",
    "dimensions": "SELECT day, dimension, value, sessions, bot_sessions FROM dimension_daily"
    " WHERE integration_id = $1 AND sessions <> 0 ORDER BY day, dimension, value",
    "last_days": "SELECT kind, marker, day, entities FROM entity_last_days"
    " WHERE integration_id = $1 AND entities <> 0 ORDER BY kind, marker, day",
}


def snapshot(harness: Harness, integration: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: [tuple(row) for row in fetch(harness, sql, integration)]
        for name, sql in ROLLUP_QUERIES.items()
    }


def test_a_rebuild_from_sessions_equals_what_ingest_kept(harness: Harness) -> None:
    integration = harness.integration("enterprise")
    other = harness.integration("enterprise")
    for target in (integration, other):
        for demo in generate_demo(target, users=5, sessions=30, seed=5, now_ms=now_ms(), days=4):
            for received_at, demo_batch in demo.batches:
                harness.ingest(demo_batch, received_at)
    kept, untouched = snapshot(harness, integration), snapshot(harness, other)

    rebuilt_count = harness.run(rebuild_rollups, harness.db, integration)

    assert rebuilt_count == 30
    assert snapshot(harness, integration) == kept
    assert snapshot(harness, other) == untouched
    assert all(kept[name] for name in ROLLUP_QUERIES), "every roll-up has rows to compare"
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)


def test_a_rebuild_follows_a_last_bot_time_moved_back_and_a_user_named_late(
    harness: Harness,
) -> None:
    integration = harness.integration("enterprise")
    today = now_ms() // DAY_MS * DAY_MS
    old_bot = session_record(integration, "old", "8812", today - 3 * DAY_MS, bot_score=0.9)
    new_bot = session_record(integration, "new", "8812", today + 1_000, bot_score=0.95)
    anonymous = session_record(integration, "anon", "", today - DAY_MS, bot_score=0.8)
    harness.run(insert_sessions, harness.db, [old_bot, new_bot, anonymous])
    for record in (old_bot, new_bot, anonymous):
        harness.run(_roll, harness, integration, None, record)
    fallen = msgspec.structs.replace(new_bot, bot_score=0.3)
    named = msgspec.structs.replace(anonymous, user_id="4242")
    for before, after in ((new_bot, fallen), (anonymous, named)):
        harness.run(_store_and_roll, harness, integration, before, after)
    kept = snapshot(harness, integration)

    harness.run(rebuild_rollups, harness.db, integration)

    assert snapshot(harness, integration) == kept
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)
    days = kept_days(kept)
    users = {day: n for (kind, marker, day), n in days.items() if (kind, marker) == ("u", "bot")}
    # 8812's last bot session is the old one again; 4242's is the one named late, which is
    # also the course's.
    assert users == {today // DAY_MS - 3: 1, today // DAY_MS - 1: 1}
    assert [day for kind, marker, day in days if (kind, marker) == ("c", "bot")] == [
        today // DAY_MS - 1
    ]


def test_a_rising_score_moves_its_session_through_the_bands_as_a_rebuild_counts_it(
    harness: Harness,
) -> None:
    integration = harness.integration("enterprise")
    today = now_ms() // DAY_MS * DAY_MS
    older = session_record(integration, "older", "8812", today - 2 * DAY_MS, bot_score=0.9)
    rising = session_record(integration, "rising", "8812", today + 1_000, bot_score=0.1)
    harness.run(insert_sessions, harness.db, [older, rising])
    for record in (older, rising):
        harness.run(_roll, harness, integration, None, record)
    before = rising
    for score in (0.2, 0.5, 0.8, 0.95):  # low, medium, then the bot band twice
        after = msgspec.structs.replace(before, bot_score=score)
        harness.run(_store_and_roll, harness, integration, before, after)
        assert stored_users(harness, integration) == expected_users(
            stored_sessions(harness, integration)
        )
        before = after
    kept = snapshot(harness, integration)

    harness.run(rebuild_rollups, harness.db, integration)

    assert snapshot(harness, integration) == kept
    assert stored_last_days(harness, integration) == recounted_last_days(harness, integration)
    # The user's and the course's last bot session is now today's, not the older one's.
    bot_days = {(kind, day) for kind, marker, day in kept_days(kept) if marker == "bot"}
    assert bot_days == {("u", today // DAY_MS), ("c", today // DAY_MS)}
    daily = {(kind, day): row for kind, _, day, *row in kept["daily"]}
    assert daily[("u", today // DAY_MS)] == [1, 1, 0, 0.95]  # sessions, bot, medium, max


def kept_days(kept: dict[str, list[tuple[Any, ...]]]) -> dict[tuple[str, str, int], int]:
    return {(kind, marker, day): n for kind, marker, day, n in kept["last_days"]}


async def _roll(
    harness: Harness,
    integration: str,
    before: sessions_repo.SessionRecord | None,
    after: sessions_repo.SessionRecord,
) -> None:
    """What ingest does for a session's batch: name its user, then move its contribution."""
    async with harness.db.transaction() as conn:
        if after.user_id:
            await upsert_lms_user(
                conn,
                integration,
                after.user_id,
                after.user_name,
                after.user_url,
                after.created_at,
                after.updated_at,
            )
        await upsert_course(
            conn, integration, after.course_id, "", "", "canvas", after.created_at, after.updated_at
        )
        facts = None if before is None else session_facts(before)
        await apply_session_change(conn, integration, facts, session_facts(after))


async def _store_and_roll(
    harness: Harness,
    integration: str,
    before: sessions_repo.SessionRecord,
    after: sessions_repo.SessionRecord,
) -> None:
    """Re-score or re-name a stored session (sessions first, as ingest does), then roll."""
    async with harness.db.transaction() as conn:
        await conn.execute(
            "UPDATE sessions SET bot_score = $3, user_id = $4"
            " WHERE integration_id = $1 AND id = $2",
            integration,
            after.id,
            after.bot_score,
            after.user_id,
        )
    await _roll(harness, integration, before, after)
