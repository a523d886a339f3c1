"""The binary frame codec: what it accepts, what it refuses and why; no input crashes it."""

from __future__ import annotations

import itertools
import struct

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notai.collect.binary import (
    FRAME_VERSION,
    MAX_FRAME_BYTES,
    Events,
    FrameKind,
    Hello,
    MalformedFrame,
    ack_frame,
    decode_client_frame,
    decode_server_frame,
    error_frame,
    events_frame,
    hello_frame,
    seq_ranges,
)
from notai.events import Heartbeat, Keypress, Message, MouseMove

T0 = 1_780_000_000_000


def header(kind: int, number: int = 1, version: int = FRAME_VERSION) -> bytes:
    return struct.pack(">BBI", version, kind, number)


def moves(seq: int) -> MouseMove:
    return MouseMove(seq=seq, t=T0 + seq, samples=[(0, 10, 20), (16, 12, 24)], coalesced=4)


def test_an_events_frame_round_trips_the_same_messages() -> None:
    messages: list[Message] = [
        moves(3),
        Keypress(seq=4, t=T0 + 9, keys=[(0, 80, "letter"), (150, -1, "space")], shiftless=1),
        Heartbeat(seq=5, t=T0 + 15_000),
    ]

    frame = decode_client_frame(events_frame(7, messages))

    assert frame == Events(number=7, messages=messages)


def test_a_hello_names_integration_session_and_region() -> None:
    frame = decode_client_frame(hello_frame("a7f3c2e1", "k3J9x0aQ2mZ1", "eu"))

    assert frame == Hello(integration="a7f3c2e1", session="k3J9x0aQ2mZ1", region="eu")


def test_the_json_and_binary_encodings_carry_the_same_fields() -> None:
    message = moves(1)
    as_json = msgspec.json.decode(msgspec.json.encode(message))
    as_msgpack = msgspec.msgpack.decode(events_frame(1, [message])[6:])[0]

    assert as_json == as_msgpack


REFUSED: list[tuple[bytes, str, str | None, bool]] = [
    (b"", "MALFORMED_FRAME", None, False),
    (b"\x01\x02\x00", "MALFORMED_FRAME", None, False),
    (header(2, version=2) + b"\x90", "UNSUPPORTED_VERSION", "version", True),
    (header(0x7F) + b"\x90", "MALFORMED_FRAME", "kind", False),
    (header(2) + b"\x90", "MALFORMED_FRAME", "events", False),
    (header(2) + b"\xc1", "MALFORMED_FRAME", "events", False),
    (header(2) + msgspec.msgpack.encode([moves(1)]) + b"\x00", "MALFORMED_FRAME", "events", False),
    (
        header(2) + msgspec.msgpack.encode([{"type": "mouse_move", "seq": 1, "t": T0}]),
        "MALFORMED_FRAME",
        "events[0]",
        False,
    ),
    (
        header(2) + msgspec.msgpack.encode([{"type": "heartbeat", "seq": 1, "t": T0, "key": "a"}]),
        "MALFORMED_FRAME",
        "events[0]",
        False,
    ),
    (
        header(2) + msgspec.msgpack.encode([{"type": "telepathy", "seq": 1, "t": T0}]),
        "MALFORMED_FRAME",
        "events[0].type",
        False,
    ),
    (
        header(2) + msgspec.msgpack.encode([{"type": "heartbeat", "seq": -1, "t": T0}]),
        "MALFORMED_FRAME",
        "events[0].seq",
        False,
    ),
    (
        header(2)
        + msgspec.msgpack.encode(
            [{"type": "keypress", "seq": 1, "t": T0, "keys": [[0, 80, "letter"]], "shiftless": -1}]
        ),
        "MALFORMED_FRAME",
        "events[0].shiftless",
        False,
    ),
    (
        header(1) + msgspec.msgpack.encode({"integration": "NOPE", "session": "k3J9x0aQ2mZ1"}),
        "MALFORMED_FRAME",
        "hello.integration",
        False,
    ),
]


@pytest.mark.parametrize(("data", "code", "field", "fatal"), REFUSED)
def test_frames_that_are_not_frames_are_refused_with_a_reason(
    data: bytes, code: str, field: str | None, fatal: bool
) -> None:
    with pytest.raises(MalformedFrame) as refused:
        decode_client_frame(data)

    assert refused.value.code == code
    assert str(refused.value)
    assert refused.value.fatal is fatal
    if field is not None:
        assert refused.value.field is not None
        assert refused.value.field.startswith(field)


def test_a_refusal_names_the_frame_it_refuses() -> None:
    with pytest.raises(MalformedFrame) as refused:
        decode_client_frame(header(2, number=41) + b"\x90")

    assert refused.value.number == 41


def test_a_seq_twice_in_one_frame_is_refused() -> None:
    with pytest.raises(MalformedFrame) as refused:
        decode_client_frame(events_frame(1, [moves(3), moves(3)]))

    assert refused.value.field == "events[1].seq"


def test_an_oversized_frame_is_refused_before_it_is_read() -> None:
    with pytest.raises(MalformedFrame) as refused:
        decode_client_frame(header(2) + b"\x00" * MAX_FRAME_BYTES)

    assert (refused.value.code, refused.value.fatal) == ("PAYLOAD_TOO_LARGE", True)


def test_server_frames_carry_kind_number_and_body() -> None:
    ack = decode_server_frame(ack_frame(9, [4, 2, 3, 7], accepted=3, duplicates=1))
    error = decode_server_frame(error_frame(10, "MALFORMED_FRAME", "bad", "events[0]"))

    assert (ack.kind, ack.number) == (FrameKind.ACK, 9)
    assert ack.body == {"seqs": [[2, 4], [7, 7]], "accepted": 3, "duplicates": 1}
    assert error.kind == FrameKind.ERROR
    assert error.body == {
        "error": {"code": "MALFORMED_FRAME", "message": "bad", "details": {"field": "events[0]"}}
    }


@given(st.sets(st.integers(min_value=0, max_value=2**31 - 1), max_size=60))
def test_seq_ranges_cover_exactly_the_seqs(seqs: set[int]) -> None:
    ranges = seq_ranges(seqs)

    covered = {seq for first, last in ranges for seq in range(first, last + 1)}
    assert covered == seqs
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(ranges))


# --- fuzzing: whatever arrives, the decoder answers with a frame or a MalformedFrame -------

message_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["type", "seq", "t", "samples", "keys", "field", "url", "lms", "x"])
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
message_types = st.sampled_from(
    ["init", "mouse_move", "mouse_click", "keypress", "input", "heartbeat", "close", "x"]
)
plausible_message = st.fixed_dictionaries(
    {"type": message_types, "seq": st.integers(-2, 2**32), "t": st.integers(0, 2**43)},
    optional={
        "samples": st.lists(st.lists(st.integers(-(2**21), 2**21), max_size=4), max_size=4),
        "keys": st.lists(
            st.tuples(st.integers(-(2**40), 2**40), st.integers(-1, 2**20), st.text(max_size=10)),
            max_size=4,
        ),
        "phase": st.sampled_from(["down", "up", "click", "tap"]),
        "x": st.integers(-(2**21), 2**21),
        "y": st.integers(-(2**21), 2**21),
        "url": st.text(max_size=30),
    },
)


REFUSAL_CODES = ("MALFORMED_FRAME", "UNSUPPORTED_VERSION", "PAYLOAD_TOO_LARGE")


def decodes_or_refuses(data: bytes) -> None:
    """Any bytes give a frame or a MalformedFrame with a known code; nothing else escapes."""
    try:
        frame = decode_client_frame(data)
    except MalformedFrame as refused:
        code = refused.code
        frame = None
    if frame is None:
        assert code in REFUSAL_CODES
        return
    assert isinstance(frame, Hello | Events)
    if isinstance(frame, Events):
        assert 1 <= len(frame.messages) <= 1000
        assert len({m.seq for m in frame.messages}) == len(frame.messages)


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    decodes_or_refuses(data)


@settings(max_examples=300)
@given(
    st.sampled_from([1, 2, 0x81, 0, 255]),
    st.integers(0, 2**32 - 1),
    message_like,
)
def test_random_msgpack_bodies_never_crash_the_decoder(
    kind: int, number: int, body: object
) -> None:
    decodes_or_refuses(header(kind, number) + msgspec.msgpack.encode(body))


@settings(max_examples=300)
@given(st.lists(plausible_message, max_size=8), st.integers(0, 2**32 - 1))
def test_near_valid_events_frames_decode_or_are_refused(
    messages: list[dict[str, object]], number: int
) -> None:
    decodes_or_refuses(header(2, number) + msgspec.msgpack.encode(messages))


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=40), st.integers(0, 200))
def test_corrupted_valid_frames_never_crash_the_decoder(noise: bytes, at: int) -> None:
    valid = events_frame(3, [moves(1), moves(2)])
    position = at % len(valid)
    decodes_or_refuses(valid[:position] + noise + valid[position + len(noise) :])
