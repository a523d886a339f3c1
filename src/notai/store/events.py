"""Stored event messages: metadata columns for listing, the payload for replay and scoring."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import msgspec

from notai.store.database import Connection
from notai.store.sql import Where


class EventRecord(msgspec.Struct, frozen=True):
    seq: int
    type: int
    ts: int
    payload: bytes


async def existing_seqs(
    conn: Connection, integration_id: str, session_id: str, low: int, high: int
) -> set[int]:
    """Which seqs in [low, high] this session already has (re-sent messages)."""
    rows = await conn.fetch(
        "SELECT seq FROM events WHERE integration_id = $1 AND session_id = $2"
        " AND seq BETWEEN $3 AND $4",
        integration_id,
        session_id,
        low,
        high,
    )
    return {row["seq"] for row in rows}


_EVENT_COLUMNS = "integration_id, session_id, seq, type, ts, payload_size, payload"
_EVENT_WIDTH = 7
ROWS_PER_STATEMENT = 16
"""Event rows per INSERT on SQLite. Its executemany runs a statement per row; sixteen rows
to a statement spend about a fifth less CPU per row (a fixed count keeps it one cached
statement)."""


def _insert_sql(rows: int) -> str:
    values = ", ".join(
        "(" + ", ".join(f"${r * _EVENT_WIDTH + c}" for c in range(1, _EVENT_WIDTH + 1)) + ")"
        for r in range(rows)
    )
    return f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES {values}"


_INSERT_ONE = _insert_sql(1)
_INSERT_MANY = _insert_sql(ROWS_PER_STATEMENT)


async def insert_events(
    conn: Connection, integration_id: str, session_id: str, events: Sequence[EventRecord]
) -> None:
    rows = [
        (integration_id, session_id, e.seq, e.type, e.ts, len(e.payload), e.payload) for e in events
    ]
    if conn.dialect == "sqlite":
        whole = len(rows) - len(rows) % ROWS_PER_STATEMENT
        if whole:
            chunks = range(0, whole, ROWS_PER_STATEMENT)
            await conn.executemany(
                _INSERT_MANY,
                [list(chain.from_iterable(rows[i : i + ROWS_PER_STATEMENT])) for i in chunks],
            )
        rows = rows[whole:]
    if rows:
        await conn.executemany(_INSERT_ONE, rows)


async def count_events(conn: Connection, integration_id: str, session_id: str) -> int:
    value: int = await conn.fetchval(
        "SELECT COUNT(*) FROM events WHERE integration_id = $1 AND session_id = $2",
        integration_id,
        session_id,
    )
    return value


async def session_payloads(
    conn: Connection, integration_id: str, session_id: str
) -> list[EventRecord]:
    """Every stored message of a session in seq order (for offline re-scoring and exports)."""
    rows = await conn.fetch(
        "SELECT seq, type, ts, payload FROM events WHERE integration_id = $1"
        " AND session_id = $2 ORDER BY seq",
        integration_id,
        session_id,
    )
    return [EventRecord(r["seq"], r["type"], r["ts"], bytes(r["payload"])) for r in rows]


class EventMetaRecord(msgspec.Struct, frozen=True):
    seq: int
    type: int
    ts: int
    payload_size: int


async def page_events(
    conn: Connection,
    integration_id: str,
    session_id: str,
    *,
    after_seq: int,
    type_byte: int | None,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[EventMetaRecord]:
    """A page of a session's event metadata in seq order, after `after_seq`."""
    where = Where()
    where.add(
        "integration_id = {} AND session_id = {} AND seq > {}",
        integration_id,
        session_id,
        after_seq,
    )
    if type_byte is not None:
        where.add("type = {}", type_byte)
    if start_ms is not None:
        where.add("ts >= {}", start_ms)
    if end_ms is not None:
        where.add("ts <= {}", end_ms)
    rows = await conn.fetch(
        f"SELECT seq, type, ts, payload_size FROM events WHERE {where.sql()}"
        f" ORDER BY seq LIMIT {where.param(limit)}",
        *where.args,
    )
    return [EventMetaRecord(r["seq"], r["type"], r["ts"], r["payload_size"]) for r in rows]


async def type_counts(conn: Connection, integration_id: str, session_id: str) -> dict[int, int]:
    rows = await conn.fetch(
        "SELECT type, COUNT(*) AS n FROM events WHERE integration_id = $1 AND session_id = $2"
        " GROUP BY type",
        integration_id,
        session_id,
    )
    return {row["type"]: row["n"] for row in rows}


async def activity(
    conn: Connection, integration_id: str, session_id: str, start_ms: int, bucket_ms: int
) -> list[tuple[int, int, int]]:
    """(bucket index, type byte, count) of a session's events in buckets of `bucket_ms`."""
    rows = await conn.fetch(
        "SELECT (ts - $3) / $4 AS bucket, type, COUNT(*) AS n FROM events"
        " WHERE integration_id = $1 AND session_id = $2 GROUP BY (ts - $3) / $4, type",
        integration_id,
        session_id,
        start_ms,
        bucket_ms,
    )
    return [(int(r["bucket"]), r["type"], r["n"]) for r in rows]


async def payloads_of_types(
    conn: Connection, integration_id: str, session_id: str, types: tuple[int, ...]
) -> list[EventRecord]:
    """Stored messages of some types, in client-time order (e.g. page loads and routes)."""
    placeholders = ", ".join(f"${i}" for i in range(3, 3 + len(types)))
    rows = await conn.fetch(
        "SELECT seq, type, ts, payload FROM events WHERE integration_id = $1"
        f" AND session_id = $2 AND type IN ({placeholders}) ORDER BY ts, seq",
        integration_id,
        session_id,
        *types,
    )
    return [EventRecord(r["seq"], r["type"], r["ts"], bytes(r["payload"])) for r in rows]
