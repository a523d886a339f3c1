"""The WebSocket stream on both backends: acknowledged means stored, re-sent means not twice,
and a frame the collector cannot use is refused on its own, with a reason."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import msgspec
import pytest
from starlette.websockets import WebSocketDisconnect

from notai.collect import binary
from notai.collect.binary import FrameKind, ServerFrame, decode_server_frame
from notai.collect.groupcommit import GroupCommit
from notai.collect.ingest import IngestResult, IntegrationNotAccepted
from notai.events import Close, Identify, Keypress, LmsContext, Message
from notai.store import events as events_repo
from notai.store import sessions as sessions_repo

from conftest import Harness
from factories import T0, batch, init, lms, now_ms, person_moves_and_click, session_id

URL = "/collect/v1/ws"
Stream = Any  # starlette's WebSocketTestSession


def receive(ws: Stream) -> ServerFrame:
    return decode_server_frame(ws.receive_bytes())


def opened(ws: Stream, integration: str, session: str) -> ServerFrame:
    ws.send_bytes(binary.hello_frame(integration, session))
    return receive(ws)


def send(ws: Stream, number: int, messages: list[Message]) -> ServerFrame:
    ws.send_bytes(binary.events_frame(number, messages))
    return receive(ws)


def stored_seqs(harness: Harness, integration: str, session: str) -> list[int]:
    async def read() -> list[int]:
        async with harness.db.connection() as conn:
            records = await events_repo.session_payloads(conn, integration, session)
        return [record.seq for record in records]

    return harness.run(read)


def session_record(
    harness: Harness, integration: str, session: str
) -> sessions_repo.SessionRecord | None:
    async def read() -> sessions_repo.SessionRecord | None:
        async with harness.db.connection() as conn:
            return await sessions_repo.get_session_record(conn, integration, session)

    return harness.run(read)


def error_code(frame: ServerFrame) -> str:
    error: dict[str, str] = frame.body["error"]  # type: ignore[assignment]
    return error["code"]


def test_a_stream_is_welcomed_and_each_frame_acknowledged_once_stored(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = session_id()

    with harness.client.websocket_connect(URL) as ws:
        welcome = opened(ws, integration, sid)
        ack = send(ws, 1, [init(0), *person_moves_and_click(1)])
        typing = Keypress(seq=3, t=init(0).t + 2_000, keys=[(0, 90, "letter"), (210, 300, "space")])
        second = send(ws, 2, [typing])

    assert (welcome.kind, welcome.body["session"]) == (FrameKind.WELCOME, sid)
    assert (ack.kind, ack.number) == (FrameKind.ACK, 1)
    assert ack.body == {"seqs": [[0, 2]], "accepted": 3, "duplicates": 0}
    assert (second.number, second.body["seqs"]) == (2, [[3, 3]])
    assert stored_seqs(harness, integration, sid) == [0, 1, 2, 3]
    session = harness.get(f"/v1/sessions/{sid}", key).json()["data"]
    assert (session["userId"], session["status"]) == ("8812", "active")
    assert session["botScore"] < 0.4


def test_a_reconnecting_pixel_resends_and_nothing_is_stored_twice(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    first = [init(0), *person_moves_and_click(1)]
    with harness.client.websocket_connect(URL) as ws:
        opened(ws, integration, sid)
        send(ws, 1, first)

    # The acknowledgement was lost with the connection: the pixel re-sends it all, and more.
    with harness.client.websocket_connect(URL) as ws:
        opened(ws, integration, sid)
        ack = send(ws, 1, [*first, Close(seq=3, t=init(0).t + 9_000)])

    assert ack.body == {"seqs": [[0, 3]], "accepted": 1, "duplicates": 3}
    assert stored_seqs(harness, integration, sid) == [0, 1, 2, 3]
    record = session_record(harness, integration, sid)
    assert record is not None
    assert (record.event_count, record.status) == (4, "closed")


def test_bad_frames_are_refused_alone_and_change_nothing(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    with harness.client.websocket_connect(URL) as ws:
        opened(ws, integration, sid)
        send(ws, 1, [init(0), *person_moves_and_click(1)])
        before = session_record(harness, integration, sid)

        ws.send_bytes(struct.pack(">BBI", 1, 2, 2) + b"\x91\x81\xa4type\xa9telepathy")
        unknown_type = receive(ws)
        not_msgpack = send_raw(ws, struct.pack(">BBI", 1, 2, 3) + b"\xc1\xc1")
        replayed_frame = send(ws, 1, [Close(seq=9, t=init(0).t + 5_000)])
        after = session_record(harness, integration, sid)
        still_open = send(ws, 4, [Close(seq=9, t=init(0).t + 5_000)])
        out_of_order = send(ws, 3, [Close(seq=10, t=init(0).t + 6_000)])

    assert (unknown_type.kind, unknown_type.number) == (FrameKind.ERROR, 2)
    assert error_code(unknown_type) == "MALFORMED_FRAME"
    assert unknown_type.body["error"]["details"] == {"field": "events[0].type"}  # type: ignore[index]
    assert (error_code(not_msgpack), not_msgpack.number) == ("MALFORMED_FRAME", 3)
    assert (error_code(replayed_frame), replayed_frame.number) == ("OUT_OF_ORDER_FRAME", 1)
    assert after == before
    assert (still_open.kind, still_open.body["accepted"]) == (FrameKind.ACK, 1)
    assert error_code(out_of_order) == "OUT_OF_ORDER_FRAME"
    assert stored_seqs(harness, integration, sid) == [0, 1, 2, 9]


def send_raw(ws: Stream, data: bytes) -> ServerFrame:
    ws.send_bytes(data)
    return receive(ws)


def test_messages_of_a_frame_in_any_order_are_stored_in_seq_order(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    shuffled = [*reversed(person_moves_and_click(1)), init(0)]

    with harness.client.websocket_connect(URL) as ws:
        opened(ws, integration, sid)
        ack = send(ws, 1, shuffled)
        late = send(ws, 2, [Close(seq=5, t=init(0).t + 9_000)])
        earlier = send(ws, 3, [Keypress(seq=4, t=init(0).t + 8_000, keys=[(0, 90, "letter")])])

    assert ack.body["seqs"] == [[0, 2]]
    assert (late.body["seqs"], earlier.body["seqs"]) == ([[5, 5]], [[4, 4]])
    assert stored_seqs(harness, integration, sid) == [0, 1, 2, 4, 5]


def closing(harness: Harness, hello: bytes, origin: str | None = None) -> tuple[str, int]:
    """Open a stream with `hello` and return the refusal's code and the close code."""
    headers = {"origin": origin} if origin else {}
    with harness.client.websocket_connect(URL, headers=headers) as ws:
        ws.send_bytes(hello)
        frame = receive(ws)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
    return error_code(frame), closed.value.code


def test_streams_for_no_integration_here_are_refused_for_good(harness: Harness) -> None:
    integration = harness.integration()
    elsewhere = harness.integration(region="eu")

    unknown = closing(harness, binary.hello_frame("zzzzzzzz", session_id()))
    other_region = closing(harness, binary.hello_frame(elsewhere, session_id()))
    wrong_region = closing(harness, binary.hello_frame(integration, session_id(), "eu"))

    assert unknown == ("UNKNOWN_INTEGRATION", 1008)
    assert other_region == ("UNKNOWN_INTEGRATION", 1008)
    assert wrong_region == ("WRONG_REGION", 1008)


def test_a_stream_that_does_not_start_with_hello_or_speaks_another_version_is_closed(
    harness: Harness,
) -> None:
    events_first = closing(harness, binary.events_frame(1, [init(0)]))
    version_two = closing(harness, b"\x02" + binary.hello_frame("abcdefgh", session_id())[1:])
    bad_hello = closing(harness, struct.pack(">BBI", 1, 1, 0) + msgspec.msgpack.encode({}))

    assert events_first == ("MALFORMED_FRAME", 1002)
    assert version_two == ("UNSUPPORTED_VERSION", 1002)
    assert bad_hello == ("MALFORMED_FRAME", 1002)


def test_an_oversized_frame_closes_the_stream_and_keeps_the_session(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    with harness.client.websocket_connect(URL) as ws:
        opened(ws, integration, sid)
        send(ws, 1, [init(0)])
        ws.send_bytes(struct.pack(">BBI", 1, 2, 2) + b"\x00" * binary.MAX_FRAME_BYTES)
        refused = receive(ws)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()

    assert (error_code(refused), closed.value.code) == ("PAYLOAD_TOO_LARGE", 1009)
    assert stored_seqs(harness, integration, sid) == [0]


def test_text_frames_are_not_read(harness: Harness) -> None:
    with harness.client.websocket_connect(URL) as ws:
        ws.send_text("hello")
        refused = receive(ws)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()

    assert (error_code(refused), closed.value.code) == ("MALFORMED_FRAME", 1002)


# --- allowed origins -----------------------------------------------------------------------


def allow(harness: Harness, integration: str, *origins: str) -> list[str]:
    from notai.tenancy import service

    return harness.run(service.set_allowed_origins, harness.db, integration, list(origins))


def test_streams_and_batches_from_other_origins_are_refused(harness: Harness) -> None:
    integration = harness.integration()
    allow(harness, integration, "https://canvas.example.edu", "https://*.instructure.com")
    body = msgspec.json.encode(batch(integration, session_id(), [init(0)]))

    stream_other = closing(
        harness, binary.hello_frame(integration, session_id()), "https://evil.example"
    )
    stream_none = closing(harness, binary.hello_frame(integration, session_id()))
    post_other = harness.client.post(
        "/collect/v1/batch", content=body, headers={"origin": "https://evil.example"}
    )
    post_none = harness.client.post("/collect/v1/batch", content=body)
    post_allowed = harness.client.post(
        "/collect/v1/batch", content=body, headers={"origin": "https://school.instructure.com"}
    )
    with harness.client.websocket_connect(
        URL, headers={"origin": "https://canvas.example.edu"}
    ) as ws:
        welcome = opened(ws, integration, session_id())

    assert stream_other == ("FORBIDDEN_ORIGIN", 1008)
    assert stream_none == ("FORBIDDEN_ORIGIN", 1008)
    for refused in (post_other, post_none):
        assert refused.status_code == 403
        assert refused.json() == {
            "error": {
                "code": "FORBIDDEN_ORIGIN",
                "message": "This integration does not accept data from this origin.",
                "details": {"field": "origin"},
            }
        }
    assert post_allowed.status_code == 200
    assert welcome.kind == FrameKind.WELCOME


def test_an_empty_origin_list_allows_every_origin(harness: Harness) -> None:
    integration = harness.integration()
    allow(harness, integration, "https://canvas.example.edu")
    assert allow(harness, integration) == []
    body = msgspec.json.encode(batch(integration, session_id(), [init(0)]))

    response = harness.client.post(
        "/collect/v1/batch", content=body, headers={"origin": "https://anywhere.example"}
    )

    assert response.status_code == 200


# --- group commit --------------------------------------------------------------------------


def ingest_together(
    harness: Harness, batches: list[Any]
) -> tuple[list[IngestResult | BaseException], int]:
    async def work() -> tuple[list[IngestResult | BaseException], int]:
        group = GroupCommit(harness.db, harness.settings)
        results = await asyncio.gather(
            *(group.ingest(b, now_ms()) for b in batches), return_exceptions=True
        )
        return results, group.commits

    return harness.run(work)


def test_batches_arriving_together_share_one_commit(harness: Harness) -> None:
    integration = harness.integration()
    sessions = [session_id() for _ in range(12)]
    batches = [batch(integration, sid, [init(0), *person_moves_and_click(1)]) for sid in sessions]

    results, commits = ingest_together(harness, batches)

    assert [(r.sessionId, r.accepted) for r in results if isinstance(r, IngestResult)] == [
        (sid, 3) for sid in sessions
    ]
    assert commits == 1
    for sid in sessions:
        assert stored_seqs(harness, integration, sid) == [0, 1, 2]


def test_one_bad_batch_in_a_group_fails_alone(harness: Harness) -> None:
    integration = harness.integration()
    good = [session_id() for _ in range(3)]
    batches = [batch(integration, sid, [init(0)]) for sid in good]
    batches.insert(1, batch("zzzzzzzz", session_id(), [init(0)]))

    results, _ = ingest_together(harness, batches)

    assert isinstance(results[1], IntegrationNotAccepted)
    assert all(isinstance(r, IngestResult) for i, r in enumerate(results) if i != 1)
    for sid in good:
        assert stored_seqs(harness, integration, sid) == [0]


def counters(harness: Harness, integration: str) -> list[tuple[Any, ...]]:
    """The integration's usage and bucket rows, without its id."""

    async def read() -> list[tuple[Any, ...]]:
        async with harness.db.connection() as conn:
            usage = await conn.fetch(
                "SELECT day, metric, value FROM usage_daily WHERE integration_id = $1"
                " ORDER BY day, metric",
                integration,
            )
            buckets = await conn.fetch(
                "SELECT grain, bucket, sessions, events, matched FROM integration_buckets"
                " WHERE integration_id = $1 ORDER BY grain, bucket",
                integration,
            )
        return [tuple(r[k] for k in ("day", "metric", "value")) for r in usage] + [
            tuple(r[k] for k in ("grain", "bucket", "sessions", "events", "matched"))
            for r in buckets
        ]

    return harness.run(read)


def test_a_group_counts_usage_and_events_as_its_batches_stored_alone(harness: Harness) -> None:
    together, alone = harness.integration(), harness.integration()
    received_at = now_ms()

    def batches(integration: str) -> list[Any]:
        sessions = [session_id() for _ in range(4)]
        first = [batch(integration, sid, [init(0), *person_moves_and_click(1)]) for sid in sessions]
        resent = batch(integration, sessions[0], [init(0), *person_moves_and_click(3)])
        return [*first, resent]

    async def group(items: list[Any]) -> None:
        commit = GroupCommit(harness.db, harness.settings)
        await asyncio.gather(*(commit.ingest(b, received_at) for b in items))

    harness.run(group, batches(together))
    for item in batches(alone):
        harness.ingest(item, received_at)

    assert counters(harness, together) == counters(harness, alone)
    assert ("d", received_at // 86_400_000, 4, 14, 4) in counters(harness, together)


USER_COLUMNS = "user_id, user_name, user_url, first_seen, last_seen"
COURSE_COLUMNS = "course_id, name, url, provider, first_seen, last_seen"
COUNTERS = "session_count, bot_sessions, medium_sessions, score_sum, max_score, member_count"


def users_and_courses(harness: Harness, integration: str) -> list[tuple[Any, ...]]:
    """The integration's users, courses and last-visit days, without its id."""

    async def read() -> list[tuple[Any, ...]]:
        async with harness.db.connection() as conn:
            found = []
            for table, columns in (("lms_users", USER_COLUMNS), ("courses", COURSE_COLUMNS)):
                names = [c.strip() for c in f"{columns}, {COUNTERS}".split(",")]
                rows = await conn.fetch(
                    f"SELECT {', '.join(names)} FROM {table} WHERE integration_id = $1"
                    f" ORDER BY {names[0]}",
                    integration,
                )
                found += [(table, *(row[n] for n in names)) for row in rows]
            days = await conn.fetch(
                "SELECT kind, marker, day, entities FROM entity_last_days"
                " WHERE integration_id = $1 AND entities <> 0 ORDER BY kind, marker, day",
                integration,
            )
            found += [tuple(row[k] for k in ("kind", "marker", "day", "entities")) for row in days]
        return found

    return harness.run(read)


def test_a_group_records_users_and_courses_as_its_batches_stored_alone(harness: Harness) -> None:
    together, alone = harness.integration(), harness.integration()
    start = now_ms()

    def deliveries(integration: str) -> list[tuple[Any, int]]:
        """Four sessions of one course, two of one user, who is renamed in a later batch; in
        the order a group stores them (by session, then as they came)."""
        users = [("8812", "Ada Lovelace"), ("8812", ""), ("8813", "Bo"), ("8814", "Cy")]
        prefix = session_id()
        sessions = [f"{prefix}{n}" for n in range(len(users))]
        first = [
            batch(integration, sid, [init(0, context=lms(*user))])
            for sid, user in zip(sessions, users, strict=True)
        ]
        renamed = LmsContext(userId="8812", userName="Ada King", courseId="101", courseName="")
        later = batch(integration, sessions[0], [Identify(seq=1, t=T0 + 1, lms=renamed)])
        offsets = [5_000, 4_000, 1_000, 3_000, 2_000]
        delivered = [first[0], later, *first[1:]]
        return [(b, start + ms) for b, ms in zip(delivered, offsets, strict=True)]

    async def group(items: list[tuple[Any, int]]) -> int:
        commit = GroupCommit(harness.db, harness.settings)
        await asyncio.gather(*(commit.ingest(b, at) for b, at in items))
        return commit.commits

    assert harness.run(group, deliveries(together)) == 1
    for item, received_at in deliveries(alone):
        harness.ingest(item, received_at)

    stored = users_and_courses(harness, together)
    assert stored == users_and_courses(harness, alone)
    ada = next(row for row in stored if row[:2] == ("lms_users", "8812"))
    url = "https://canvas.example.edu/users/8812"
    assert ada[2:6] == ("Ada King", url, start + 1_000, start + 5_000)
    course = next(row for row in stored if row[0] == "courses")
    assert course[1:7] == (
        "101",
        "Calculus I",  # an empty name later does not erase it
        "https://canvas.example.edu/courses/101",
        "canvas",
        start + 1_000,
        start + 5_000,
    )
