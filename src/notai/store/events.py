"""Stored event messages, kept in chunks: one row holds the messages of one batch.

A batch's messages become one row of `event_chunks` (split at `MAX_CHUNK_EVENTS`): their
seqs, type bytes, client times and payloads in one MessagePack body, beside the columns a
reader narrows by (the seq range, the types present as a bit mask, the time range). One
row per batch instead of one per message is what lets the collector store a frame with one
statement; readers unpack the chunks they select and filter the messages themselves.

The seq ranges of a session's chunks never overlap. A batch that re-sends messages (same
seq) is detected by an overlapping range; the chunks it overlaps are read, the batch's new
messages are merged with theirs, and the merged messages replace them. Chunks can therefore
be read in `last_seq` order as one run of messages in seq order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from notai.store.database import Connection
from notai.store.sql import Where

MAX_CHUNK_EVENTS = 256
"""Messages per row at most: bounds what a reader unpacks to reach one message."""
_CHUNKS_PER_READ = 32
"""Chunks a page of the events list reads at a time, until the page is full."""


class EventRecord(msgspec.Struct, frozen=True):
    seq: int
    type: int
    ts: int
    payload: bytes


class EventMetaRecord(msgspec.Struct, frozen=True):
    seq: int
    type: int
    ts: int
    payload_size: int


class EventColumns(msgspec.Struct, array_like=True):
    """Messages as parallel columns, in seq order: what a chunk's body holds.

    Each payload is a message's own MessagePack encoding, embedded as it is (`Raw`), so that
    a batch encoded at once can be cut into its messages without copying them.
    """

    seqs: list[int]
    types: list[int]
    times: list[int]
    payloads: list[msgspec.Raw]

    def __len__(self) -> int:
        return len(self.seqs)

    def part(self, start: int, stop: int) -> EventColumns:
        return EventColumns(
            self.seqs[start:stop],
            self.types[start:stop],
            self.times[start:stop],
            self.payloads[start:stop],
        )

    def records(self) -> list[EventRecord]:
        return [
            EventRecord(seq, type_byte, ts, bytes(payload))
            for seq, type_byte, ts, payload in zip(
                self.seqs, self.types, self.times, self.payloads, strict=True
            )
        ]


def columns_of(records: Sequence[EventRecord]) -> EventColumns:
    return EventColumns(
        [r.seq for r in records],
        [r.type for r in records],
        [r.ts for r in records],
        [msgspec.Raw(r.payload) for r in records],
    )


_encode_body = msgspec.msgpack.Encoder().encode
_decode_body = msgspec.msgpack.Decoder(EventColumns).decode


def type_mask(types: Iterable[int]) -> int:
    """The `types` column's bit mask: bit n is set when a message of type byte n is there."""
    mask = 0
    for type_byte in types:
        mask |= 1 << type_byte
    return mask


class StoredOverlap(msgspec.Struct, frozen=True):
    """The chunks a re-sending batch overlaps: their keys and their messages."""

    last_seqs: list[int]
    records: list[EventRecord]

    def seqs(self) -> set[int]:
        return {record.seq for record in self.records}


# --- writing -------------------------------------------------------------------------------

_CHUNK_COLUMNS = (
    "integration_id, session_id, last_seq, first_seq, event_count, types, first_ts, last_ts, body"
)
_INSERT_CHUNK = (
    f"INSERT INTO event_chunks ({_CHUNK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)


async def overlapping_events(
    conn: Connection, integration_id: str, session_id: str, low: int, high: int
) -> StoredOverlap:
    """The stored chunks whose seq range meets [low, high], with their messages."""
    rows = await conn.fetch(
        "SELECT last_seq, body FROM event_chunks WHERE integration_id = $1 AND session_id = $2"
        " AND last_seq >= $3 AND first_seq <= $4 ORDER BY last_seq",
        integration_id,
        session_id,
        low,
        high,
    )
    records = [record for row in rows for record in chunk_records(row["body"])]
    return StoredOverlap([row["last_seq"] for row in rows], records)


async def insert_events(
    conn: Connection,
    integration_id: str,
    session_id: str,
    events: EventColumns,
    replacing: StoredOverlap | None = None,
) -> None:
    """Store new messages (in seq order, none stored yet); with `replacing`, merged with the
    chunks their batch overlaps, which they replace."""
    if replacing is not None and replacing.last_seqs:
        await _delete_chunks(conn, integration_id, session_id, replacing.last_seqs)
        merged = sorted([*replacing.records, *events.records()], key=lambda record: record.seq)
        events = columns_of(merged)
    for start in range(0, len(events), MAX_CHUNK_EVENTS):
        part = events.part(start, start + MAX_CHUNK_EVENTS)
        await conn.execute(_INSERT_CHUNK, *_chunk_row(integration_id, session_id, part))


def _chunk_row(integration_id: str, session_id: str, events: EventColumns) -> tuple[object, ...]:
    times = events.times
    return (
        integration_id,
        session_id,
        events.seqs[-1],
        events.seqs[0],
        len(events),
        type_mask(events.types),
        min(times),
        max(times),
        _encode_body(events),
    )


async def _delete_chunks(
    conn: Connection, integration_id: str, session_id: str, last_seqs: Sequence[int]
) -> None:
    for last_seq in last_seqs:
        await conn.execute(
            "DELETE FROM event_chunks WHERE integration_id = $1 AND session_id = $2"
            " AND last_seq = $3",
            integration_id,
            session_id,
            last_seq,
        )


# --- reading -------------------------------------------------------------------------------


def chunk_records(body: bytes) -> list[EventRecord]:
    """The messages of a chunk's body, in seq order (for readers of the table itself)."""
    return _decode_body(body).records()


async def _session_records(
    conn: Connection, integration_id: str, session_id: str, types: int | None = None
) -> list[EventRecord]:
    """Every stored message of a session (of the types in the mask `types`), in seq order."""
    where = Where()
    where.add("integration_id = {} AND session_id = {}", integration_id, session_id)
    if types is not None:
        where.add("(types & {}) <> 0", types)
    rows = await conn.fetch(
        f"SELECT body FROM event_chunks WHERE {where.sql()} ORDER BY last_seq", *where.args
    )
    found = [record for row in rows for record in chunk_records(row["body"])]
    if types is None:
        return found
    return [record for record in found if types >> record.type & 1]


async def count_events(conn: Connection, integration_id: str, session_id: str) -> int:
    value = await conn.fetchval(
        "SELECT COALESCE(SUM(event_count), 0) FROM event_chunks"
        " WHERE integration_id = $1 AND session_id = $2",
        integration_id,
        session_id,
    )
    return int(value)


async def session_payloads(
    conn: Connection, integration_id: str, session_id: str
) -> list[EventRecord]:
    """Every stored message of a session in seq order (for offline re-scoring and exports)."""
    return await _session_records(conn, integration_id, session_id)


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
    """A page of a session's event metadata in seq order, after `after_seq`.

    Chunks are read a few at a time from the one holding `after_seq` on, skipping those
    whose type mask or time range rules every message out, until the page is full.
    """
    page: list[EventMetaRecord] = []
    position = after_seq
    while len(page) < limit:
        where = Where()
        where.add(
            "integration_id = {} AND session_id = {} AND last_seq > {}",
            integration_id,
            session_id,
            position,
        )
        if type_byte is not None:
            where.add("(types & {}) <> 0", 1 << type_byte)
        if start_ms is not None:
            where.add("last_ts >= {}", start_ms)
        if end_ms is not None:
            where.add("first_ts <= {}", end_ms)
        rows = await conn.fetch(
            f"SELECT last_seq, body FROM event_chunks WHERE {where.sql()}"
            f" ORDER BY last_seq LIMIT {where.param(_CHUNKS_PER_READ)}",
            *where.args,
        )
        for row in rows:
            page += [
                EventMetaRecord(record.seq, record.type, record.ts, len(record.payload))
                for record in chunk_records(row["body"])
                if _wanted(record, after_seq, type_byte, start_ms, end_ms)
            ]
            if len(page) >= limit:  # the rest of the chunks read are not unpacked
                return page[:limit]
        if len(rows) < _CHUNKS_PER_READ:
            break
        position = rows[-1]["last_seq"]
    return page[:limit]


def _wanted(
    record: EventRecord,
    after_seq: int,
    type_byte: int | None,
    start_ms: int | None,
    end_ms: int | None,
) -> bool:
    return (
        record.seq > after_seq
        and (type_byte is None or record.type == type_byte)
        and (start_ms is None or record.ts >= start_ms)
        and (end_ms is None or record.ts <= end_ms)
    )


async def activity(
    conn: Connection, integration_id: str, session_id: str, start_ms: int, bucket_ms: int
) -> list[tuple[int, int, int]]:
    """(bucket index, type byte, count) of a session's events in buckets of `bucket_ms`.

    A bucket is `(ts - start_ms) / bucket_ms` rounded toward zero, as SQL's integer division.
    """
    counts: dict[tuple[int, int], int] = {}
    for record in await _session_records(conn, integration_id, session_id):
        offset = record.ts - start_ms
        bucket = offset // bucket_ms if offset >= 0 else -(-offset // bucket_ms)
        key = (bucket, record.type)
        counts[key] = counts.get(key, 0) + 1
    return [(bucket, type_byte, n) for (bucket, type_byte), n in counts.items()]


async def payloads_of_types(
    conn: Connection, integration_id: str, session_id: str, types: tuple[int, ...]
) -> list[EventRecord]:
    """Stored messages of some types, in client-time order (e.g. page loads and routes)."""
    found = await _session_records(conn, integration_id, session_id, type_mask(types))
    return sorted(found, key=lambda record: (record.ts, record.seq))
