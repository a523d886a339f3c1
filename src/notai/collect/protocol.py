"""The JSON batch: the envelope in which a pixel sends the messages of one page view.

`decode_batch` is the one place where untrusted bytes become typed messages; anything it
refuses raises `MalformedBatch` with a message that names the offending field.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

from notai.events import Message

PROTOCOL_VERSION = 1
MAX_BATCH_BYTES = 1_048_576
MAX_MESSAGES_PER_BATCH = 1000

IntegrationId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]{8}$")]
SessionId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class Batch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Messages of one page view (one session), in any order, possibly re-sent."""

    v: Annotated[int, msgspec.Meta(ge=PROTOCOL_VERSION, le=PROTOCOL_VERSION)]
    integration: IntegrationId
    session: SessionId
    events: Annotated[list[Message], msgspec.Meta(min_length=1, max_length=MAX_MESSAGES_PER_BATCH)]


class MalformedBatch(ValueError):
    """The bytes are not a valid batch; `field` names where, when it is known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


_decoder = msgspec.json.Decoder(Batch)
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


def decode_batch(body: bytes) -> Batch:
    """Decode and validate one JSON batch, or raise `MalformedBatch`."""
    if len(body) > MAX_BATCH_BYTES:
        raise MalformedBatch(f"batch is larger than {MAX_BATCH_BYTES} bytes")
    try:
        batch = _decoder.decode(body)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _PATH.search(text)
        field = match.group("path") if match else None
        raise MalformedBatch(text, field) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise MalformedBatch(f"not valid JSON: {exc}") from None
    _check_unique_seq(batch)
    return batch


def _check_unique_seq(batch: Batch) -> None:
    seen: set[int] = set()
    for index, message in enumerate(batch.events):
        if message.seq in seen:
            raise MalformedBatch(
                f"seq {message.seq} appears twice in one batch", f"events[{index}].seq"
            )
        seen.add(message.seq)


def encode_batch(batch: Batch) -> bytes:
    """The JSON form of a batch, as a pixel would send it."""
    return msgspec.json.encode(batch)
