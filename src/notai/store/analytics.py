"""Reads over the integration-wide roll-ups: time buckets, dimensions, last-visit days, usage."""

from __future__ import annotations

import msgspec

from notai.store.database import Connection
from notai.store.rollups import (
    BUCKET_COLUMNS,
    DAY_MS,
    ENTITIES,
    LAST_TIMES,
    EntityKind,
    LastMarker,
)
from notai.store.sql import Where


class BucketRow(msgspec.Struct, frozen=True):
    bucket: int
    sessions: int
    events: int
    high: int
    medium: int
    low: int
    human: int
    matched: int
    score_sum: float


_BUCKET_COLUMNS = ", ".join(("bucket", *BUCKET_COLUMNS))


async def bucket_rows(
    conn: Connection, integration_id: str, grain: str, first: int, last: int
) -> list[BucketRow]:
    """Hour (`h`) or day (`d`) buckets from `first` to `last` inclusive, in order."""
    rows = await conn.fetch(
        f"SELECT {_BUCKET_COLUMNS} FROM integration_buckets WHERE integration_id = $1"
        " AND grain = $2 AND bucket >= $3 AND bucket <= $4 ORDER BY bucket",
        integration_id,
        grain,
        first,
        last,
    )
    return [
        BucketRow(
            bucket=r["bucket"],
            sessions=r["sessions"],
            events=r["events"],
            high=r["high"],
            medium=r["medium"],
            low=r["low"],
            human=r["human"],
            matched=r["matched"],
            score_sum=r["score_sum"],
        )
        for r in rows
    ]


async def dimension_totals(
    conn: Connection, integration_id: str, dimension: str, first_day: int
) -> list[tuple[str, int, int]]:
    """(value, sessions, bot sessions) of one dimension since `first_day`, most sessions first."""
    rows = await conn.fetch(
        "SELECT value, SUM(sessions) AS sessions, SUM(bot_sessions) AS bots"
        " FROM dimension_daily WHERE integration_id = $1 AND dimension = $2 AND day >= $3"
        " GROUP BY value ORDER BY SUM(sessions) DESC, value",
        integration_id,
        dimension,
        first_day,
    )
    return [(r["value"], int(r["sessions"]), int(r["bots"])) for r in rows if r["sessions"]]


async def users_seen_since(conn: Connection, integration_id: str, since_ms: int) -> int:
    """LMS users with a session seen since `since_ms`."""
    return await _last_since(conn, integration_id, "u", "seen", since_ms)


async def users_flagged_since(conn: Connection, integration_id: str, since_ms: int) -> int:
    """LMS users with a bot session created since `since_ms`."""
    return await _last_since(conn, integration_id, "u", "bot", since_ms)


async def courses_seen_since(conn: Connection, integration_id: str, since_ms: int) -> int:
    """Courses with a session seen since `since_ms`.

    Stats asks from a midnight, which the per-day counts answer alone. Courses have no
    index on `last_seen` (without one, the course upsert of every batch can stay a
    heap-only update on PostgreSQL), so a time inside a day would count that day's rest
    over all the integration's courses.
    """
    return await _last_since(conn, integration_id, "c", "seen", since_ms)


async def _last_since(
    conn: Connection, integration_id: str, kind: EntityKind, marker: LastMarker, since_ms: int
) -> int:
    """Entities whose last time (`marker`) is at or after `since_ms`, counted exactly.

    Whole UTC days from the per-day counts (one row a day, however many entities); a time
    inside a day adds the entities whose last time falls in the rest of that day, an index
    range bounded by those whose last visit was that day, not by every active entity.
    """
    whole_from = -(-since_ms // DAY_MS)  # the first day that starts at or after since_ms
    sql = (
        "SELECT COALESCE(SUM(entities), 0) FROM entity_last_days WHERE integration_id = $1"
        " AND kind = $2 AND marker = $3 AND day >= $4"
    )
    args: list[object] = [integration_id, kind, marker, whole_from]
    if since_ms < whole_from * DAY_MS:
        table, column = ENTITIES[kind].table, LAST_TIMES[marker]
        sql = (
            f"SELECT ({sql}) + (SELECT COUNT(*) FROM {table} WHERE integration_id = $1"
            f" AND {column} >= $5 AND {column} < $6)"
        )
        args += [since_ms, whole_from * DAY_MS]
    return int(await conn.fetchval(sql, *args))


async def usage_rows(
    conn: Connection, integration_id: str, first_day: str, last_day: str, metric: str | None
) -> list[tuple[str, str, int]]:
    """(day, metric, value) of the daily usage counters, by day then metric."""
    where = Where()
    where.add(
        "integration_id = {} AND day >= {} AND day <= {}", integration_id, first_day, last_day
    )
    if metric is not None:
        where.add("metric = {}", metric)
    rows = await conn.fetch(
        f"SELECT day, metric, value FROM usage_daily WHERE {where.sql()} ORDER BY day, metric",
        *where.args,
    )
    return [(r["day"], r["metric"], int(r["value"])) for r in rows]
