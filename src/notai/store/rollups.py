"""Roll-ups kept current at ingest, in the batch's own transaction.

Users, courses, analytics and stats read these instead of scanning sessions or events, so
their cost does not grow with the history. A session's contribution is described by its
`SessionFacts`; each batch hands over the facts before and after it, and every roll-up moves
the session's contribution from the old facts to the new (a score that changed band, a user
named late by `identify`, a page whose `init` came in a later batch).

Counters are exact. Maxima and the last bot time only grow cheaply; when the session that
held one drops, they are recomputed from that entity's sessions (rare, and bounded by the
entity's own sessions). A score that rises, as most do while evidence builds up, is moved
within its user's and course's rows in place.

The last-visit days count users and courses by the UTC day of their `last_seen` and
`last_bot_at`. The statements that may move those times return the old value beside the
new one, so the days are written only when a time moves to another day: about once per
entity and day, and not at all in most batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec

from notai.bands import SCORE_BOT, band_of, bucket_of
from notai.store.database import Connection, Row

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EntityKind = Literal["u", "c"]
LastMarker = Literal["seen", "bot"]
LAST_TIMES: dict[LastMarker, str] = {"seen": "last_seen", "bot": "last_bot_at"}
"""The entity column whose UTC day each marker of `entity_last_days` counts."""


class SessionFacts(msgspec.Struct, frozen=True):
    """What of a session the roll-ups count."""

    created_at: int
    score: float
    user_id: str
    course_id: str
    origin: str
    device: str
    """`mobile`, `tablet` or `desktop`."""
    browser: str
    device_summary: str
    """The user-agent summary: one of a user's devices."""


@dataclass(frozen=True)
class EntityTable:
    """Where an entity kind's rows and columns are: the one description the store shares."""

    table: str
    key: str
    """Its id column, named like the sessions column that points at it."""
    label: str
    url: str
    provider: str
    """A column, or the SQL literal `''` where the kind has none."""


ENTITIES: dict[EntityKind, EntityTable] = {
    "u": EntityTable("lms_users", "user_id", "user_name", "user_url", "''"),
    "c": EntityTable("courses", "course_id", "name", "url", "provider"),
}
BUCKET_COLUMNS = ("sessions", "events", "high", "medium", "low", "human", "matched", "score_sum")


def day_of(ms: int) -> int:
    return ms // DAY_MS


async def apply_session_change(
    conn: Connection, integration_id: str, before: SessionFacts | None, after: SessionFacts
) -> None:
    """Move a session's contribution in every roll-up from `before` to `after`."""
    if before == after:
        return
    await _move_entity(conn, integration_id, "u", before, after)
    await _move_entity(conn, integration_id, "c", before, after)
    await _move_buckets(conn, integration_id, before, after)
    for dimension in ("origin", "device", "browser"):
        await _move_dimension(conn, integration_id, dimension, before, after)
    if before is None or _members(before) != _members(after):
        await _add_members(conn, integration_id, after)


async def add_events(conn: Connection, integration_id: str, created_at: int, count: int) -> None:
    """Count ingested events in the hour and day their session was created.

    Like sessions, so that a bucket's events belong to its sessions (events per session
    stay meaningful) and the roll-ups can be rebuilt from the sessions table alone.
    """
    if count:
        for grain, bucket in (("h", created_at // HOUR_MS), ("d", day_of(created_at))):
            await _bump_bucket(conn, integration_id, grain, bucket, {"events": count})


# --- users and courses ---------------------------------------------------------------------


def _entity_id(kind: EntityKind, facts: SessionFacts | None) -> str:
    if facts is None:
        return ""
    return facts.user_id if kind == "u" else facts.course_id


async def _move_entity(
    conn: Connection,
    integration_id: str,
    kind: EntityKind,
    before: SessionFacts | None,
    after: SessionFacts,
) -> None:
    old_id, new_id = _entity_id(kind, before), _entity_id(kind, after)
    if before is not None and old_id and old_id == new_id:
        if after.score > before.score:
            await _raise_score(conn, integration_id, kind, new_id, before, after)
        elif before.score != after.score:
            await _count(conn, integration_id, kind, new_id, before, -1)
            await _count(conn, integration_id, kind, new_id, after, +1)
        return
    if before is not None and old_id:
        await _count(conn, integration_id, kind, old_id, before, -1)
    if new_id:
        await _count(conn, integration_id, kind, new_id, after, +1)


async def _count(
    conn: Connection,
    integration_id: str,
    kind: EntityKind,
    entity_id: str,
    facts: SessionFacts,
    sign: int,
) -> None:
    """Add (+1) or remove (-1) one session's contribution to an entity and its day."""
    band = band_of(facts.score)
    bot, medium = int(band == "bot") * sign, int(band == "medium") * sign
    entity = ENTITIES[kind]
    day = day_of(facts.created_at)
    moved = await conn.fetchrow(
        f"UPDATE {entity.table} SET session_count = session_count + $3,"
        " bot_sessions = bot_sessions + $4, medium_sessions = medium_sessions + $5,"
        " score_sum = score_sum + $6,"
        " max_score = CASE WHEN $7 > max_score THEN $7 ELSE max_score END,"
        " previous_last_bot = last_bot_at,"
        " last_bot_at = CASE WHEN $8 > 0 AND (last_bot_at IS NULL OR $9 > last_bot_at)"
        " THEN $9 ELSE last_bot_at END"
        f" WHERE integration_id = $1 AND {entity.key} = $2"
        " RETURNING previous_last_bot AS old_time, last_bot_at AS new_time",
        integration_id,
        entity_id,
        sign,
        bot,
        medium,
        facts.score * sign,
        facts.score if sign > 0 else -1.0,
        bot,
        facts.created_at,
    )
    await _move_last_day(conn, integration_id, kind, "bot", moved)
    await conn.execute(
        "INSERT INTO entity_daily (integration_id, kind, entity_id, day, sessions,"
        " bot_sessions, medium_sessions, score_sum, max_score)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (integration_id, kind, entity_id, day) DO UPDATE SET"
        " sessions = entity_daily.sessions + excluded.sessions,"
        " bot_sessions = entity_daily.bot_sessions + excluded.bot_sessions,"
        " medium_sessions = entity_daily.medium_sessions + excluded.medium_sessions,"
        " score_sum = entity_daily.score_sum + excluded.score_sum,"
        " max_score = CASE WHEN excluded.max_score > entity_daily.max_score"
        " THEN excluded.max_score ELSE entity_daily.max_score END",
        integration_id,
        kind,
        entity_id,
        day,
        sign,
        bot,
        medium,
        facts.score * sign,
        facts.score if sign > 0 else 0.0,
    )
    if sign < 0:
        await _recompute_extremes(conn, integration_id, kind, entity_id, facts)


async def _raise_score(
    conn: Connection,
    integration_id: str,
    kind: EntityKind,
    entity_id: str,
    before: SessionFacts,
    after: SessionFacts,
) -> None:
    """A counted session's score rose: the same as removing its old contribution and adding
    its new one, in two statements instead of six.

    A maximum or a last bot time never falls when a score rises, so nothing needs to be
    recomputed from sessions: the new score and, once it is a bot's, the session's creation
    time only compete with what is there. The old and new scores are added to the sums one
    after the other, in the order the removal and the addition would (floating-point sums
    depend on it). The session's day row exists: its old contribution is in it.
    """
    old_band, new_band = band_of(before.score), band_of(after.score)
    bot = int(new_band == "bot") - int(old_band == "bot")
    medium = int(new_band == "medium") - int(old_band == "medium")
    is_bot = int(new_band == "bot")
    entity = ENTITIES[kind]
    moved = await conn.fetchrow(
        f"UPDATE {entity.table} SET bot_sessions = bot_sessions + $3,"
        " medium_sessions = medium_sessions + $4, score_sum = score_sum + $5 + $6,"
        " max_score = CASE WHEN $6 > max_score THEN $6 ELSE max_score END,"
        " previous_last_bot = last_bot_at,"
        " last_bot_at = CASE WHEN $7 > 0 AND (last_bot_at IS NULL OR $8 > last_bot_at)"
        " THEN $8 ELSE last_bot_at END"
        f" WHERE integration_id = $1 AND {entity.key} = $2"
        " RETURNING previous_last_bot AS old_time, last_bot_at AS new_time",
        integration_id,
        entity_id,
        bot,
        medium,
        -before.score,
        after.score,
        is_bot,
        after.created_at,
    )
    await _move_last_day(conn, integration_id, kind, "bot", moved)
    await conn.execute(
        "UPDATE entity_daily SET bot_sessions = bot_sessions + $5,"
        " medium_sessions = medium_sessions + $6, score_sum = score_sum + $7 + $8,"
        " max_score = CASE WHEN $8 > max_score THEN $8 ELSE max_score END"
        " WHERE integration_id = $1 AND kind = $2 AND entity_id = $3 AND day = $4",
        integration_id,
        kind,
        entity_id,
        day_of(after.created_at),
        bot,
        medium,
        -before.score,
        after.score,
    )


async def _recompute_extremes(
    conn: Connection, integration_id: str, kind: EntityKind, entity_id: str, gone: SessionFacts
) -> None:
    """After a contribution left, recompute the maxima it may have held, from sessions."""
    entity = ENTITIES[kind]
    where = f"integration_id = $1 AND {entity.key} = $2"
    moved = await conn.fetchrow(
        f"UPDATE {entity.table} SET"
        f" max_score = COALESCE((SELECT MAX(bot_score) FROM sessions WHERE {where}), 0),"
        " previous_last_bot = last_bot_at,"
        f" last_bot_at = (SELECT MAX(created_at) FROM sessions WHERE {where}"
        f" AND bot_score >= {SCORE_BOT})"
        f" WHERE integration_id = $1 AND {entity.key} = $2 AND (max_score <= $3 OR $4 > 0)"
        " RETURNING previous_last_bot AS old_time, last_bot_at AS new_time",
        integration_id,
        entity_id,
        gone.score,
        int(gone.score >= SCORE_BOT),
    )
    await _move_last_day(conn, integration_id, kind, "bot", moved)
    day = day_of(gone.created_at)
    await conn.execute(
        "UPDATE entity_daily SET max_score = COALESCE((SELECT MAX(bot_score) FROM sessions"
        f" WHERE {where} AND created_at >= $5 AND created_at < $6), 0)"
        " WHERE integration_id = $1 AND kind = $3 AND entity_id = $2 AND day = $4",
        integration_id,
        entity_id,
        kind,
        day,
        day * DAY_MS,
        (day + 1) * DAY_MS,
    )


async def _move_last_day(
    conn: Connection,
    integration_id: str,
    kind: EntityKind,
    marker: LastMarker,
    moved: Row | None,
) -> None:
    """Move one entity from the day of its old last time to the day of its new one.

    `moved` is the row its statement returned, `old_time` and `new_time`; no row is no change.
    A `None` time is no day: a new entity, or one without a bot session. The days are
    written in ascending order, so two transactions moving entities between the same two
    days lock their rows in the same order (a last bot time can move back as well as
    forward).
    """
    if moved is None:
        return
    before, after = moved["old_time"], moved["new_time"]
    old = None if before is None else day_of(before)
    new = None if after is None else day_of(after)
    if old == new:
        return
    moves = sorted((day, sign) for day, sign in ((old, -1), (new, +1)) if day is not None)
    await conn.executemany(
        "INSERT INTO entity_last_days (integration_id, kind, marker, day, entities)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, kind, marker, day)"
        " DO UPDATE SET entities = entity_last_days.entities + excluded.entities",
        [(integration_id, kind, marker, day, sign) for day, sign in moves],
    )


def _members(facts: SessionFacts) -> tuple[str, str, str]:
    """What `_add_members` records of a session: unchanged facts add no member."""
    return facts.user_id, facts.device_summary, facts.course_id


async def _add_members(conn: Connection, integration_id: str, facts: SessionFacts) -> None:
    """A user's distinct devices and a course's distinct users."""
    if facts.user_id and facts.device_summary:
        await _add_member(conn, integration_id, "u", facts.user_id, facts.device_summary)
    if facts.course_id and facts.user_id:
        await _add_member(conn, integration_id, "c", facts.course_id, facts.user_id)


async def _add_member(
    conn: Connection, integration_id: str, kind: EntityKind, entity_id: str, member: str
) -> None:
    added = await conn.fetchval(
        "INSERT INTO entity_members (integration_id, kind, entity_id, member)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING member",
        integration_id,
        kind,
        entity_id,
        member,
    )
    if added is not None:
        entity = ENTITIES[kind]
        await conn.execute(
            f"UPDATE {entity.table} SET member_count = member_count + 1"
            f" WHERE integration_id = $1 AND {entity.key} = $2",
            integration_id,
            entity_id,
        )


# --- integration buckets and dimensions -----------------------------------------------------


def _bucket_counts(facts: SessionFacts, sign: int) -> dict[str, int | float]:
    return {
        "sessions": sign,
        bucket_of(facts.score): sign,
        "matched": sign * int(bool(facts.user_id)),
        "score_sum": facts.score * sign,
    }


async def _move_buckets(
    conn: Connection, integration_id: str, before: SessionFacts | None, after: SessionFacts
) -> None:
    changes: dict[str, int | float] = dict(_bucket_counts(after, +1))
    if before is not None:
        for name, value in _bucket_counts(before, -1).items():
            changes[name] = changes.get(name, 0) + value
    changes = {name: value for name, value in changes.items() if value}
    if not changes:
        return
    created = after.created_at
    for grain, bucket in (("h", created // HOUR_MS), ("d", day_of(created))):
        await _bump_bucket(conn, integration_id, grain, bucket, changes)


async def _bump_bucket(
    conn: Connection, integration_id: str, grain: str, bucket: int, changes: dict[str, int | float]
) -> None:
    values = [changes.get(column, 0) for column in BUCKET_COLUMNS]
    columns = ", ".join(BUCKET_COLUMNS)
    placeholders = ", ".join(f"${i}" for i in range(4, 4 + len(BUCKET_COLUMNS)))
    updates = ", ".join(
        f"{c} = integration_buckets.{c} + excluded.{c}" for c in BUCKET_COLUMNS if c in changes
    )
    await conn.execute(
        f"INSERT INTO integration_buckets (integration_id, grain, bucket, {columns})"
        f" VALUES ($1, $2, $3, {placeholders})"
        f" ON CONFLICT (integration_id, grain, bucket) DO UPDATE SET {updates}",
        integration_id,
        grain,
        bucket,
        *values,
    )


async def _move_dimension(
    conn: Connection,
    integration_id: str,
    dimension: str,
    before: SessionFacts | None,
    after: SessionFacts,
) -> None:
    old = getattr(before, dimension) if before is not None else ""
    new = getattr(after, dimension)
    old_bot = before is not None and before.score >= SCORE_BOT
    new_bot = after.score >= SCORE_BOT
    if old == new and old_bot == new_bot:
        return
    if old:
        await _bump_dimension(conn, integration_id, after, dimension, old, -1, -int(old_bot))
    if new:
        await _bump_dimension(conn, integration_id, after, dimension, new, 1, int(new_bot))


async def _bump_dimension(
    conn: Connection,
    integration_id: str,
    facts: SessionFacts,
    dimension: str,
    value: str,
    sessions: int,
    bots: int,
) -> None:
    await conn.execute(
        "INSERT INTO dimension_daily (integration_id, day, dimension, value, sessions,"
        " bot_sessions) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (integration_id, day, dimension, value) DO UPDATE SET"
        " sessions = dimension_daily.sessions + excluded.sessions,"
        " bot_sessions = dimension_daily.bot_sessions + excluded.bot_sessions",
        integration_id,
        day_of(facts.created_at),
        dimension,
        value,
        sessions,
        bots,
    )


# --- names and daily usage --------------------------------------------------------------


async def upsert_lms_user(
    conn: Connection,
    integration_id: str,
    user_id: str,
    user_name: str,
    user_url: str,
    first_seen: int,
    last_seen: int,
) -> None:
    """Record that a user was seen; a later non-empty name or URL replaces an older one."""
    seen = await conn.fetchrow(
        "INSERT INTO lms_users (integration_id, user_id, user_name, user_url, first_seen,"
        " last_seen) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (integration_id, user_id) DO UPDATE SET"
        " user_name = CASE WHEN excluded.user_name <> '' THEN excluded.user_name"
        " ELSE lms_users.user_name END,"
        " user_url = CASE WHEN excluded.user_url <> '' THEN excluded.user_url"
        " ELSE lms_users.user_url END,"
        " previous_last_seen = lms_users.last_seen,"
        " first_seen = CASE WHEN excluded.first_seen < lms_users.first_seen"
        " THEN excluded.first_seen ELSE lms_users.first_seen END,"
        " last_seen = CASE WHEN excluded.last_seen > lms_users.last_seen"
        " THEN excluded.last_seen ELSE lms_users.last_seen END"
        " RETURNING previous_last_seen AS old_time, last_seen AS new_time",
        integration_id,
        user_id,
        user_name,
        user_url,
        first_seen,
        last_seen,
    )
    await _move_last_day(conn, integration_id, "u", "seen", seen)


async def upsert_course(
    conn: Connection,
    integration_id: str,
    course_id: str,
    name: str,
    url: str,
    provider: str,
    first_seen: int,
    last_seen: int,
) -> None:
    """Record that a course was seen; a later non-empty name, URL or provider replaces one."""
    seen = await conn.fetchrow(
        "INSERT INTO courses (integration_id, course_id, name, url, provider, first_seen,"
        " last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (integration_id, course_id) DO UPDATE SET"
        " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE courses.name END,"
        " url = CASE WHEN excluded.url <> '' THEN excluded.url ELSE courses.url END,"
        " provider = CASE WHEN excluded.provider <> '' THEN excluded.provider"
        " ELSE courses.provider END,"
        " previous_last_seen = courses.last_seen,"
        " first_seen = CASE WHEN excluded.first_seen < courses.first_seen"
        " THEN excluded.first_seen ELSE courses.first_seen END,"
        " last_seen = CASE WHEN excluded.last_seen > courses.last_seen"
        " THEN excluded.last_seen ELSE courses.last_seen END"
        " RETURNING previous_last_seen AS old_time, last_seen AS new_time",
        integration_id,
        course_id,
        name,
        url,
        provider,
        first_seen,
        last_seen,
    )
    await _move_last_day(conn, integration_id, "c", "seen", seen)


async def add_usage(
    conn: Connection, integration_id: str, day: str, counts: dict[str, int]
) -> None:
    """Add to the day's usage counters (metric name to increment); zero increments skipped."""
    rows = [(integration_id, day, metric, n) for metric, n in counts.items() if n]
    if not rows:
        return
    await conn.executemany(
        "INSERT INTO usage_daily (integration_id, day, metric, value) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (integration_id, day, metric)"
        " DO UPDATE SET value = usage_daily.value + excluded.value",
        rows,
    )
