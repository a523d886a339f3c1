"""LMS users and courses as listed by the API, from their roll-ups.

An entity's counters cover all its sessions; when a plan's history window starts after the
entity's first session, its counts come from the per-day rows inside the window instead
(at most one row a day, so the cost follows the window, not the history).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from notai.store.database import Connection, Row
from notai.store.rollups import ENTITIES, EntityKind, day_of
from notai.store.sql import Where


class Counts(msgspec.Struct, frozen=True):
    sessions: int = 0
    bots: int = 0
    mediums: int = 0
    score_sum: float = 0.0
    max_score: float = 0.0


class EntityRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    url: str
    provider: str
    first_seen: int
    last_seen: int
    members: int
    counts: Counts


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def page_entities(
    conn: Connection,
    kind: EntityKind,
    integration_id: str,
    *,
    since_ms: int,
    search: str | None,
    before: tuple[int, str] | None,
    limit: int,
) -> list[EntityRecord]:
    """Users or courses seen inside the window, newest first by first session, keyset paged."""
    table = ENTITIES[kind]
    where = Where()
    where.add("integration_id = {} AND last_seen >= {}", integration_id, since_ms)
    if search:
        pattern = where.param(f"%{_escape_like(search.lower())}%")
        where.add(
            f"(LOWER({table.key}) LIKE {pattern} ESCAPE '\\'"
            f" OR LOWER({table.label}) LIKE {pattern} ESCAPE '\\')"
        )
    if before is not None:
        top, top_id = where.param(before[0]), where.param(before[1])
        where.add(f"first_seen <= {top} AND (first_seen < {top} OR {table.key} < {top_id})")
    rows = await conn.fetch(
        f"SELECT {table.key} AS id, {table.label} AS name, {table.url} AS url,"
        f" {table.provider} AS provider, first_seen, last_seen, member_count, session_count,"
        f" bot_sessions, medium_sessions, score_sum, max_score FROM {table.table}"
        f" WHERE {where.sql()} ORDER BY first_seen DESC, {table.key} DESC"
        f" LIMIT {where.param(limit)}",
        *where.args,
    )
    records = [_record(row) for row in rows]
    return await _windowed(conn, kind, integration_id, records, since_ms)


def _record(row: Row) -> EntityRecord:
    return EntityRecord(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        provider=row["provider"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        members=row["member_count"],
        counts=Counts(
            sessions=row["session_count"],
            bots=row["bot_sessions"],
            mediums=row["medium_sessions"],
            score_sum=row["score_sum"],
            max_score=row["max_score"],
        ),
    )


async def _windowed(
    conn: Connection,
    kind: EntityKind,
    integration_id: str,
    records: list[EntityRecord],
    since_ms: int,
) -> list[EntityRecord]:
    older = [r.id for r in records if r.first_seen < since_ms]
    if not older:
        return records
    counts = await daily_counts(conn, kind, integration_id, older, day_of(since_ms))
    return [
        msgspec.structs.replace(r, counts=counts.get(r.id, Counts()))
        if r.first_seen < since_ms
        else r
        for r in records
    ]


async def daily_counts(
    conn: Connection,
    kind: EntityKind,
    integration_id: str,
    entity_ids: Sequence[str],
    from_day: int,
) -> dict[str, Counts]:
    """Counts of some entities summed over their days from `from_day` on."""
    where = Where()
    where.add("integration_id = {} AND kind = {} AND day >= {}", integration_id, kind, from_day)
    where.add(f"entity_id IN ({', '.join(where.param(e) for e in entity_ids)})")
    rows = await conn.fetch(
        "SELECT entity_id, SUM(sessions) AS sessions, SUM(bot_sessions) AS bots,"
        " SUM(medium_sessions) AS mediums, SUM(score_sum) AS score_sum,"
        f" MAX(max_score) AS max_score FROM entity_daily WHERE {where.sql()}"
        " GROUP BY entity_id",
        *where.args,
    )
    return {
        row["entity_id"]: Counts(
            sessions=int(row["sessions"]),
            bots=int(row["bots"]),
            mediums=int(row["mediums"]),
            score_sum=float(row["score_sum"]),
            max_score=float(row["max_score"]),
        )
        for row in rows
    }


async def sparklines(
    conn: Connection, integration_id: str, user_ids: Sequence[str], first_day: int, days: int
) -> dict[str, list[int]]:
    """Sessions a day, oldest first, over `days` days from `first_day`, per user.

    One row a user and day, read by position. A pivot in SQL (a column a day, one row a
    user) was measured slower on both backends at the benchmark's density; what a page
    costs is reaching the rows, which `entity_daily`'s layout on SQLite keeps together.
    """
    lines = {user_id: [0] * days for user_id in user_ids}
    if not user_ids:
        return lines
    where = Where()
    where.add(
        "integration_id = {} AND kind = 'u' AND day >= {} AND day < {}",
        integration_id,
        first_day,
        first_day + days,
    )
    where.add(f"entity_id IN ({', '.join(where.param(u) for u in user_ids)})")
    rows = await conn.fetch(
        f"SELECT entity_id, day, sessions FROM entity_daily WHERE {where.sql()}", *where.args
    )
    for row in rows:
        # By position: sqlite3.Row looks a name up by comparing it with each column's.
        lines[row[0]][row[1] - first_day] = row[2]
    return lines
