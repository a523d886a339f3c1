"""The binary frame: how a pixel streams its messages over the collector's WebSocket.

Every frame, both ways, is a 6-byte header and a MessagePack body:

    offset 0  u8   protocol version (1)
    offset 1  u8   frame kind (see `FrameKind`)
    offset 2  u32  frame number, big-endian: the pixel numbers its frames 1, 2, 3... on each
                   connection; the collector's ACK and ERROR frames repeat the number they answer
    offset 6  ...  body, MessagePack

The messages inside an EVENTS frame are the same objects as in the JSON batch, with the same
field names and the same validation (`notai.events`): one vocabulary, two encodings.
`decode_client_frame` is the one place where untrusted frame bytes become typed values; it
raises `MalformedFrame` with a stable code and, where known, the offending field.
"""

from __future__ import annotations

import enum
import re
import struct
from collections.abc import Iterable
from typing import Annotated, Literal, TypeVar

import msgspec

from notai.collect.protocol import MAX_MESSAGES_PER_BATCH, IntegrationId, SessionId
from notai.events import Message

T = TypeVar("T")
FRAME_VERSION = 1
HEADER = struct.Struct(">BBI")
HEADER_BYTES = HEADER.size
MAX_FRAME_BYTES = 1_048_576
"""The largest frame the collector reads; the same bound as a JSON batch."""
MAX_FRAME_NUMBER = 2**32 - 1


class FrameKind(enum.IntEnum):
    """What a frame carries. Pixel to collector below 0x80, collector to pixel from 0x80."""

    HELLO = 0x01
    EVENTS = 0x02
    WELCOME = 0x81
    ACK = 0x82
    ERROR = 0x83


class Hello(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The first frame on a connection: which integration and session the stream is for."""

    integration: IntegrationId
    session: SessionId
    region: Literal["us", "eu", ""] = ""
    """The pixel's `data-region`; when set it must be this collector's region."""


class Events(msgspec.Struct, frozen=True):
    """An EVENTS frame: its number on the connection and its messages."""

    number: int
    messages: list[Message]


ClientFrame = Hello | Events

_EventsBody = Annotated[
    list[Message], msgspec.Meta(min_length=1, max_length=MAX_MESSAGES_PER_BATCH)
]
_hello_decoder = msgspec.msgpack.Decoder(Hello)
_events_decoder = msgspec.msgpack.Decoder(_EventsBody)
_encode = msgspec.msgpack.Encoder().encode
_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")

ErrorCode = Literal[
    "MALFORMED_FRAME", "UNSUPPORTED_VERSION", "PAYLOAD_TOO_LARGE", "OUT_OF_ORDER_FRAME"
]


class MalformedFrame(ValueError):
    """The bytes are not a frame the collector accepts.

    `number` is the frame number when the header could be read (the pixel learns which frame
    was refused), `field` the offending field when known, `fatal` whether the connection can
    go on (a frame of another protocol version means the two ends do not understand each
    other at all).
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        number: int = 0,
        field: str | None = None,
        fatal: bool = False,
    ) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.number = number
        self.field = field
        self.fatal = fatal


def decode_client_frame(data: bytes) -> ClientFrame:
    """Decode and validate one frame from a pixel, or raise `MalformedFrame`."""
    if len(data) > MAX_FRAME_BYTES:
        raise MalformedFrame(
            "PAYLOAD_TOO_LARGE", f"a frame may be at most {MAX_FRAME_BYTES} bytes", fatal=True
        )
    if len(data) < HEADER_BYTES:
        raise MalformedFrame("MALFORMED_FRAME", f"a frame starts with a {HEADER_BYTES}-byte header")
    version, kind, number = HEADER.unpack_from(data)
    if version != FRAME_VERSION:
        raise MalformedFrame(
            "UNSUPPORTED_VERSION",
            f"frame version {version} is not supported; this collector speaks {FRAME_VERSION}",
            number=number,
            field="version",
            fatal=True,
        )
    body = memoryview(data)[HEADER_BYTES:]
    if kind == FrameKind.HELLO:
        return _decode_body(_hello_decoder, body, number, "hello")
    if kind == FrameKind.EVENTS:
        messages: list[Message] = _decode_body(_events_decoder, body, number, "events")
        _check_unique_seq(messages, number)
        return Events(number=number, messages=messages)
    raise MalformedFrame(
        "MALFORMED_FRAME", f"unknown frame kind 0x{kind:02x}", number=number, field="kind"
    )


def _decode_body(
    decoder: msgspec.msgpack.Decoder[T], body: memoryview, number: int, root: str
) -> T:
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _PATH.search(text)
        field = root + match.group("path") if match else root
        raise MalformedFrame("MALFORMED_FRAME", text, number=number, field=field) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        # msgspec reports a string that is not UTF-8 as UnicodeDecodeError.
        raise MalformedFrame(
            "MALFORMED_FRAME", f"body is not valid MessagePack: {exc}", number=number, field=root
        ) from None


def _check_unique_seq(messages: list[Message], number: int) -> None:
    seen: set[int] = set()
    for index, message in enumerate(messages):
        if message.seq in seen:
            raise MalformedFrame(
                "MALFORMED_FRAME",
                f"seq {message.seq} appears twice in one frame",
                number=number,
                field=f"events[{index}].seq",
            )
        seen.add(message.seq)


# --- frames the collector sends ------------------------------------------------------------


def _frame(kind: FrameKind, number: int, body: object) -> bytes:
    return HEADER.pack(FRAME_VERSION, kind, number) + _encode(body)


def welcome_frame(session: str) -> bytes:
    """The answer to an accepted HELLO: the stream is open, and the limits of this collector."""
    return _frame(
        FrameKind.WELCOME,
        0,
        {
            "session": session,
            "maxFrameBytes": MAX_FRAME_BYTES,
            "maxMessages": MAX_MESSAGES_PER_BATCH,
        },
    )


def ack_frame(number: int, seqs: Iterable[int], accepted: int, duplicates: int) -> bytes:
    """What is durably stored of frame `number`: its seqs as inclusive [first, last] ranges.

    Duplicates are acknowledged too: they were stored before, so the pixel may forget them.
    """
    return _frame(
        FrameKind.ACK,
        number,
        {"seqs": seq_ranges(seqs), "accepted": accepted, "duplicates": duplicates},
    )


def error_frame(number: int, code: str, message: str, field: str | None = None) -> bytes:
    """A refusal in the API's error envelope; `number` 0 concerns the whole connection."""
    details = {"field": field} if field else {}
    return _frame(
        FrameKind.ERROR, number, {"error": {"code": code, "message": message, "details": details}}
    )


def seq_ranges(seqs: Iterable[int]) -> list[list[int]]:
    """Seqs as sorted, inclusive [first, last] ranges: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    ranges: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if ranges and seq == ranges[-1][1] + 1:
            ranges[-1][1] = seq
        else:
            ranges.append([seq, seq])
    return ranges


# --- frames a pixel sends (tests, benchmarks and other clients written in Python) ----------


def hello_frame(integration: str, session: str, region: str = "") -> bytes:
    body: dict[str, str] = {"integration": integration, "session": session}
    if region:
        body["region"] = region
    return _frame(FrameKind.HELLO, 0, body)


def events_frame(number: int, messages: list[Message]) -> bytes:
    return _frame(FrameKind.EVENTS, number, messages)


class ServerFrame(msgspec.Struct, frozen=True):
    kind: FrameKind
    number: int
    body: dict[str, object]


def decode_server_frame(data: bytes) -> ServerFrame:
    """Read a frame the collector sent (for Python clients; the pixel has its own reader)."""
    version, kind, number = HEADER.unpack_from(data)
    if version != FRAME_VERSION:
        raise ValueError(f"frame version {version}")
    body = msgspec.msgpack.decode(memoryview(data)[HEADER_BYTES:], type=dict[str, object])
    return ServerFrame(kind=FrameKind(kind), number=number, body=body)
