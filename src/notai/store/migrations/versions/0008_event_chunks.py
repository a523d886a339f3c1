"""Events in chunks: one row per stored batch instead of one per message.

The collector stored every message as a row of its own, keyed by its seq: a 50-message
frame cost 50 index insertions. `event_chunks` holds a batch's messages in one MessagePack
body (parallel arrays of seqs, type bytes, client times and payloads), with the columns
readers narrow by: the seq range (`first_seq`, `last_seq`, the key), a bit mask of the types
present, and the time range. Each payload (a message's own MessagePack encoding) is embedded
in the body as it is. Existing events are packed here in seq order, 256 to a chunk,
session by session; the downgrade unpacks them again.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHUNK_EVENTS = 256
_SELECT_SESSIONS = "SELECT DISTINCT integration_id, session_id FROM {table}"


def _chunks_table() -> None:
    op.create_table(
        "event_chunks",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("first_seq", sa.Integer, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("types", sa.Integer, nullable=False),
        sa.Column("first_ts", sa.BigInteger, nullable=False),
        sa.Column("last_ts", sa.BigInteger, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "session_id", "last_seq"),
    )


def _events_table() -> None:
    op.create_table(
        "events",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("payload_size", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "session_id", "seq"),
    )


def _sessions(table: str) -> list[tuple[str, str]]:
    rows = op.get_bind().execute(sa.text(_SELECT_SESSIONS.format(table=table)))
    return [(row[0], row[1]) for row in rows]


def _runs(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), CHUNK_EVENTS):
        yield rows[start : start + CHUNK_EVENTS]


def _chunk(integration_id: str, session_id: str, rows: Sequence[Any]) -> dict[str, object]:
    seqs = [row[0] for row in rows]
    types = [row[1] for row in rows]
    times = [row[2] for row in rows]
    payloads = [bytes(row[3]) for row in rows]
    mask = 0
    for type_byte in types:
        mask |= 1 << type_byte
    return {
        "integration_id": integration_id,
        "session_id": session_id,
        "last_seq": seqs[-1],
        "first_seq": seqs[0],
        "event_count": len(rows),
        "types": mask,
        "first_ts": min(times),
        "last_ts": max(times),
        "body": msgspec.msgpack.encode([seqs, types, times, [msgspec.Raw(p) for p in payloads]]),
    }


_unpack = msgspec.msgpack.Decoder(tuple[list[int], list[int], list[int], list[msgspec.Raw]]).decode
"""A body: seqs, type bytes, client times, and each message's own MessagePack encoding."""


def upgrade() -> None:
    _chunks_table()
    bind = op.get_bind()
    insert = sa.text(
        "INSERT INTO event_chunks (integration_id, session_id, last_seq, first_seq, event_count,"
        " types, first_ts, last_ts, body) VALUES (:integration_id, :session_id,"
        " :last_seq, :first_seq, :event_count, :types, :first_ts, :last_ts, :body)"
    )
    select = sa.text(
        "SELECT seq, type, ts, payload FROM events"
        " WHERE integration_id = :integration_id AND session_id = :session_id ORDER BY seq"
    )
    for integration_id, session_id in _sessions("events"):
        rows = bind.execute(
            select, {"integration_id": integration_id, "session_id": session_id}
        ).fetchall()
        chunks = [_chunk(integration_id, session_id, run) for run in _runs(rows)]
        if chunks:
            bind.execute(insert, chunks)
    op.drop_table("events")


def downgrade() -> None:
    _events_table()
    bind = op.get_bind()
    insert = sa.text(
        "INSERT INTO events (integration_id, session_id, seq, type, ts, payload_size, payload)"
        " VALUES (:integration_id, :session_id, :seq, :type, :ts, :payload_size, :payload)"
    )
    select = sa.text(
        "SELECT body FROM event_chunks"
        " WHERE integration_id = :integration_id AND session_id = :session_id"
    )
    for integration_id, session_id in _sessions("event_chunks"):
        bodies = bind.execute(
            select, {"integration_id": integration_id, "session_id": session_id}
        ).fetchall()
        unpacked = [_unpack(bytes(body)) for (body,) in bodies]
        rows = [
            {
                "integration_id": integration_id,
                "session_id": session_id,
                "seq": seq,
                "type": type_byte,
                "ts": ts,
                "payload_size": len(payload),
                "payload": bytes(payload),
            }
            for columns in unpacked
            for seq, type_byte, ts, payload in zip(*columns, strict=True)
        ]
        if rows:
            bind.execute(insert, rows)
    op.drop_table("event_chunks")
