"""Rate-limit windows shared by every worker on PostgreSQL: per-key, per-second hit counters.

`rate_limits` is an UNLOGGED table (see migration 0003): its rows are written without WAL,
so a request's hit costs no log flush, and the table is emptied if PostgreSQL crashes (a
crash forgets at most one minute of counts, which is what the window holds anyway). Only
the PostgreSQL limiter uses these statements; on SQLite the window is kept in memory.
"""

from __future__ import annotations

import msgspec

from notai.store.database import Connection

WINDOW_SECONDS = 60

# One statement, one round trip: read the key's window, add the hit to the current second's
# counter only if the window has room, and return the window as it was read.
#
# The sum of the *other* seconds comes from the statement's snapshot; the current second's
# counter is checked in ON CONFLICT's WHERE, which PostgreSQL evaluates on the newest row
# version after taking its row lock. Concurrent hits of one key in one second therefore
# queue on that row and are admitted exactly up to the limit, across all workers.
ADMIT_SQL = f"""
WITH recent AS (
    SELECT second, hits FROM rate_limits
    WHERE integration_id = $1 AND key_id = $2 AND second > $3::bigint - {WINDOW_SECONDS}
),
earlier AS (
    SELECT COALESCE(SUM(hits), 0) AS hits FROM recent WHERE second <> $3
),
admitted AS (
    INSERT INTO rate_limits AS bucket (integration_id, key_id, second, hits)
    SELECT $1, $2, $3, 1 FROM earlier WHERE earlier.hits < $4
    ON CONFLICT (integration_id, key_id, second) DO UPDATE SET hits = bucket.hits + 1
    WHERE bucket.hits + (SELECT hits FROM earlier) < $4
    RETURNING 1
)
SELECT EXISTS (SELECT FROM admitted) AS admitted,
       ARRAY(SELECT second FROM recent ORDER BY second) AS seconds,
       ARRAY(SELECT hits FROM recent ORDER BY second) AS hits
"""


class WindowHit(msgspec.Struct, frozen=True):
    """Whether a hit was admitted, and the key's window as it stood before it."""

    admitted: bool
    buckets: list[tuple[int, int]]
    """(second, hits) of the window, oldest first."""


async def hit(
    conn: Connection, integration_id: str, key_id: str, second: int, limit: int
) -> WindowHit:
    """Count one request of a key in `second` if its window holds fewer than `limit`."""
    row = await conn.fetchrow(ADMIT_SQL, integration_id, key_id, second, limit)
    assert row is not None  # an aggregate SELECT always returns its one row
    return WindowHit(
        admitted=bool(row["admitted"]),
        buckets=list(zip(row["seconds"], row["hits"], strict=True)),
    )


async def delete_expired(conn: Connection, now_second: int) -> None:
    """Drop every counter that has left every key's window: keeps the table bounded."""
    await conn.execute("DELETE FROM rate_limits WHERE second <= $1", now_second - WINDOW_SECONDS)
