"""The writes of a roll-up rebuild: clear one integration's roll-ups, then write them whole."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from notai.store.database import Connection
from notai.store.rollups import (
    BUCKET_COLUMNS,
    DAY_MS,
    ENTITIES,
    LAST_TIMES,
    upsert_course,
    upsert_lms_user,
)

_ROLLUP_TABLES = ("entity_daily", "entity_members", "integration_buckets", "dimension_daily")


class NamedEntity(msgspec.Struct, frozen=True):
    id: str
    name: str
    url: str
    provider: str
    first_seen: int
    last_seen: int


class EntityCounts(msgspec.Struct, frozen=True):
    kind: str
    id: str
    sessions: int
    bots: int
    mediums: int
    score_sum: float
    max_score: float
    last_bot_at: int | None


def _tables() -> list[tuple[str, tuple[str, str]]]:
    return [(kind, (e.table, e.key)) for kind, e in ENTITIES.items()]


async def clear(conn: Connection, integration_id: str) -> None:
    for table in _ROLLUP_TABLES:
        await conn.execute(f"DELETE FROM {table} WHERE integration_id = $1", integration_id)
    for table in (entity.table for entity in ENTITIES.values()):
        await conn.execute(
            f"UPDATE {table} SET session_count = 0, bot_sessions = 0, medium_sessions = 0,"
            " score_sum = 0, max_score = 0, member_count = 0, last_bot_at = NULL"
            " WHERE integration_id = $1",
            integration_id,
        )


async def write_entities(
    conn: Connection,
    integration_id: str,
    users: dict[str, NamedEntity],
    courses: dict[str, NamedEntity],
) -> None:
    for user in users.values():
        await upsert_lms_user(
            conn, integration_id, user.id, user.name, user.url, user.first_seen, user.last_seen
        )
    for course in courses.values():
        await upsert_course(
            conn,
            integration_id,
            course.id,
            course.name,
            course.url,
            course.provider,
            course.first_seen,
            course.last_seen,
        )


async def write_counts(
    conn: Connection,
    integration_id: str,
    entities: Sequence[EntityCounts],
    daily: Sequence[tuple[str, str, int, int, int, int, float, float]],
) -> None:
    for kind, (table, key) in _tables():
        await conn.executemany(
            f"UPDATE {table} SET session_count = $3, bot_sessions = $4, medium_sessions = $5,"
            f" score_sum = $6, max_score = $7, last_bot_at = $8"
            f" WHERE integration_id = $1 AND {key} = $2",
            [
                (
                    integration_id,
                    e.id,
                    e.sessions,
                    e.bots,
                    e.mediums,
                    e.score_sum,
                    e.max_score,
                    e.last_bot_at,
                )
                for e in entities
                if e.kind == kind
            ],
        )
    await conn.executemany(
        "INSERT INTO entity_daily (integration_id, kind, entity_id, day, sessions, bot_sessions,"
        " medium_sessions, score_sum, max_score) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [(integration_id, *row) for row in daily],
    )


async def write_members(
    conn: Connection, integration_id: str, members: Sequence[tuple[str, str, str]]
) -> None:
    await conn.executemany(
        "INSERT INTO entity_members (integration_id, kind, entity_id, member)"
        " VALUES ($1, $2, $3, $4)",
        [(integration_id, *member) for member in members],
    )
    for kind, (table, key) in _tables():
        await conn.execute(
            f"UPDATE {table} SET member_count = (SELECT COUNT(*) FROM entity_members m"
            f" WHERE m.integration_id = {table}.integration_id AND m.kind = $2"
            f" AND m.entity_id = {table}.{key}) WHERE integration_id = $1",
            integration_id,
            kind,
        )


async def write_buckets(
    conn: Connection, integration_id: str, rows: Sequence[tuple[str, int, dict[str, float]]]
) -> None:
    columns = ", ".join(BUCKET_COLUMNS)
    placeholders = ", ".join(f"${i}" for i in range(4, 4 + len(BUCKET_COLUMNS)))
    await conn.executemany(
        f"INSERT INTO integration_buckets (integration_id, grain, bucket, {columns})"
        f" VALUES ($1, $2, $3, {placeholders})",
        [
            (
                integration_id,
                grain,
                bucket,
                *(
                    float(counts.get(c, 0)) if c == "score_sum" else int(counts.get(c, 0))
                    for c in BUCKET_COLUMNS
                ),
            )
            for grain, bucket, counts in rows
        ],
    )


async def write_dimensions(
    conn: Connection, integration_id: str, rows: Sequence[tuple[int, str, str, int, int]]
) -> None:
    await conn.executemany(
        "INSERT INTO dimension_daily (integration_id, day, dimension, value, sessions,"
        " bot_sessions) VALUES ($1, $2, $3, $4, $5, $6)",
        [(integration_id, *row) for row in rows],
    )


async def write_last_days(conn: Connection, integration_id: str) -> None:
    """Recount the last-visit days from the users' and courses' rows, replacing them.

    Written last: the entity upserts above move the days one entity at a time, and the
    counts set `last_bot_at` without moving them.
    """
    await conn.execute("DELETE FROM entity_last_days WHERE integration_id = $1", integration_id)
    for kind, entity in ENTITIES.items():
        for marker, column in LAST_TIMES.items():
            await conn.execute(
                "INSERT INTO entity_last_days (integration_id, kind, marker, day, entities)"
                f" SELECT integration_id, $2, $3, {column} / {DAY_MS}, COUNT(*)"
                f" FROM {entity.table} WHERE integration_id = $1 AND {column} IS NOT NULL"
                f" GROUP BY integration_id, {column} / {DAY_MS}",
                integration_id,
                kind,
                marker,
            )
