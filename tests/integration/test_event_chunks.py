"""Events stored in chunks read back exactly as the messages that were accepted, however sent.

Random deliveries of one session's messages (batches that re-send earlier seqs, arrive out of
order, or fill gaps inside an earlier batch's seq range) go through `ingest_batch`, as the
collector's endpoints do. A model written here in Python keeps the first stored copy of each
seq. Every reader of `store.events` must agree with it: the whole session, a walk through
the events list with random filters and page sizes, the activity buckets and the messages
of chosen types. The chunks themselves must stay disjoint in seq and
describe their bodies truly (range, count, type mask, times).
`NOTAI_PROPERTY_EXAMPLES` sets the examples per backend (default 25).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from typing import Any

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from notai.collect.ingest import ingest_batch
from notai.collect.protocol import PROTOCOL_VERSION, Batch
from notai.events import Focus, Heartbeat, Message, Navigation, message_type
from notai.store import events as events_repo
from notai.store.database import Connection

from conftest import Harness

EXAMPLES = int(os.environ.get("NOTAI_PROPERTY_EXAMPLES", "25"))
START_MS = 1_780_000_000_000
_payload = msgspec.msgpack.Encoder().encode


def message(seq: int, kind: int, offset_ms: int) -> Message:
    t = START_MS + offset_ms
    if kind == 0:
        return Heartbeat(seq=seq, t=t)
    if kind == 1:
        return Focus(seq=seq, t=t, kind="blur")
    return Navigation(seq=seq, t=t, url=f"https://lms.example/quiz/{seq}", kind="route")


@st.composite
def deliveries(draw: st.DrawFn) -> list[list[Message]]:
    """Batches of one session: runs of seqs with holes, as a pixel's frames and re-sends
    make them, often disjoint and sometimes overlapping earlier ones or filling their holes.
    Each copy of a seq is drawn anew (another time or type), so that a re-sent copy stored
    twice, or in place of the first, shows."""
    count = draw(st.integers(1, 16), label="batches")
    batches = []
    for _ in range(count):
        first = draw(st.integers(1, 600), label="first seq")
        length = draw(st.integers(1, 300), label="run")
        holes = draw(st.sets(st.integers(first, first + length - 1), max_size=length - 1))
        batches.append(
            [
                message(seq, draw(st.integers(0, 2)), draw(st.integers(-5_000, 600_000)))
                for seq in range(first, first + length)
                if seq not in holes
            ]
        )
    return batches


def first_copies(batches: Sequence[Sequence[Message]]) -> dict[int, events_repo.EventRecord]:
    kept: dict[int, events_repo.EventRecord] = {}
    for batch in batches:
        for m in batch:
            record = events_repo.EventRecord(m.seq, message_type(m), m.t, _payload(m))
            kept.setdefault(m.seq, record)
    return kept


CHUNK_COLUMNS = (
    "last_seq",
    "first_seq",
    "event_count",
    "types",
    "first_ts",
    "last_ts",
    "body",
)


async def chunk_rows(conn: Connection, integration: str, session: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {', '.join(CHUNK_COLUMNS)} FROM event_chunks"
        " WHERE integration_id = $1 AND session_id = $2 ORDER BY last_seq",
        integration,
        session,
    )
    return [{name: row[name] for name in CHUNK_COLUMNS} for row in rows]


unpack_body = msgspec.msgpack.Decoder(
    tuple[list[int], list[int], list[int], list[msgspec.Raw]]
).decode
"""A chunk's body: seqs, type bytes, client times, each message's MessagePack embedded."""


def check_chunks(rows: list[dict[str, Any]]) -> None:
    previous_last = None
    for row in rows:
        seqs, types, times, _ = unpack_body(bytes(row["body"]))
        assert seqs == sorted(set(seqs))
        assert (row["first_seq"], row["last_seq"], row["event_count"]) == (
            seqs[0],
            seqs[-1],
            len(seqs),
        )
        assert row["types"] == events_repo.type_mask(types)
        assert (row["first_ts"], row["last_ts"]) == (min(times), max(times))
        assert len(seqs) <= events_repo.MAX_CHUNK_EVENTS
        assert previous_last is None or seqs[0] > previous_last, "chunks overlap in seq"
        previous_last = seqs[-1]


def expected_bucket(ts: int, start: int, width: int) -> int:
    """SQL's integer division, which rounds toward zero."""
    return int((ts - start) / width)


def test_chunks_read_back_as_the_first_copy_of_every_accepted_message(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration = harness.integration("enterprise")
    # Pages read chunks a few at a time; two at a time makes walks cross those reads often.
    monkeypatch.setattr(events_repo, "_CHUNKS_PER_READ", 2)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(batches=deliveries(), data=st.data())
    def stored_as_accepted(batches: list[list[Message]], data: st.DataObject) -> None:
        session = f"chunks-{secrets.token_hex(6)}"
        accepted = 0
        for index, messages in enumerate(batches):
            batch = Batch(
                v=PROTOCOL_VERSION, integration=integration, session=session, events=messages
            )
            result = harness.run(
                ingest_batch, harness.db, harness.settings, batch, START_MS + index
            )
            accepted += result.accepted
            assert result.accepted + result.duplicates == len(messages)
        model = first_copies(batches)
        ordered = [model[seq] for seq in sorted(model)]
        assert accepted == len(model)

        type_byte = data.draw(st.sampled_from([None, 0x08, 0x09, 0x0D]), label="type")
        start = data.draw(st.none() | st.integers(-6_000, 601_000).map(START_MS.__add__))
        end = data.draw(st.none() | st.integers(-6_000, 601_000).map(START_MS.__add__))
        page_size = data.draw(st.integers(1, 120), label="pageSize")
        width = data.draw(st.sampled_from([1_000, 7_000, 60_000]), label="bucket")
        wanted = [
            r
            for r in ordered
            if (type_byte is None or r.type == type_byte)
            and (start is None or r.ts >= start)
            and (end is None or r.ts <= end)
        ]

        async def read() -> None:
            async with harness.db.connection() as conn:
                check_chunks(await chunk_rows(conn, integration, session))
                assert await events_repo.session_payloads(conn, integration, session) == ordered
                assert await events_repo.count_events(conn, integration, session) == len(model)
                walked: list[events_repo.EventMetaRecord] = []
                while True:
                    page = await events_repo.page_events(
                        conn,
                        integration,
                        session,
                        after_seq=walked[-1].seq if walked else -1,
                        type_byte=type_byte,
                        start_ms=start,
                        end_ms=end,
                        limit=page_size,
                    )
                    walked += page
                    if len(page) < page_size:
                        break
                assert walked == [
                    events_repo.EventMetaRecord(r.seq, r.type, r.ts, len(r.payload)) for r in wanted
                ]
                buckets: dict[tuple[int, int], int] = {}
                for r in ordered:
                    key = (expected_bucket(r.ts, START_MS, width), r.type)
                    buckets[key] = buckets.get(key, 0) + 1
                found = await events_repo.activity(conn, integration, session, START_MS, width)
                assert {(b, t): n for b, t, n in found} == buckets
                assert len(found) == len(buckets)
                chosen = (0x08, 0x0D)
                assert await events_repo.payloads_of_types(
                    conn, integration, session, chosen
                ) == sorted((r for r in ordered if r.type in chosen), key=lambda r: (r.ts, r.seq))

        harness.run(read)

    stored_as_accepted()
