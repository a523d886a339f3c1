"""Stored event messages: metadata columns for listing, the payload for replay and scoring."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from notai.store.database import Connection


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


async def insert_events(
    conn: Connection, integration_id: str, session_id: str, events: Sequence[EventRecord]
) -> None:
    await conn.executemany(
        "INSERT INTO events (integration_id, session_id, seq, type, ts, payload_size, payload)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            (integration_id, session_id, e.seq, e.type, e.ts, len(e.payload), e.payload)
            for e in events
        ],
    )


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
