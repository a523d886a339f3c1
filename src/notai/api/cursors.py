"""Opaque, signed pagination cursors bound to the query that issued them.

A cursor is base64url(msgpack([position...]) + tag), where tag is a truncated
HMAC-SHA256 over the payload and the query's scope (integration, route, path values and
filters). A cursor altered by one bit, or replayed against another integration, user or
filter set, fails verification and is answered with INVALID_CURSOR.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import msgspec

from notai.api.errors import InvalidCursor

_TAG_BYTES = 16
_MAX_CURSOR_CHARS = 512
Position = tuple[int, str]
"""The keyset position: (created_at or other sort key, id) of the last item returned."""

_decode_position = msgspec.msgpack.Decoder(tuple[int, str]).decode
_encode_position = msgspec.msgpack.Encoder().encode


class CursorCodec:
    def __init__(self, secret: str) -> None:
        # A key of its own, so cursor tags and stored key hashes never share an HMAC key.
        self._key = hmac.new(secret.encode(), b"notai cursor v1", hashlib.sha256).digest()

    def encode(self, scope: str, position: Position) -> str:
        payload = _encode_position(position)
        token = payload + self._tag(scope, payload)
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def decode(self, scope: str, cursor: str) -> Position:
        """The position a cursor names, or `InvalidCursor`."""
        if len(cursor) > _MAX_CURSOR_CHARS:
            raise InvalidCursor()
        try:
            token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor() from None
        payload, tag = token[:-_TAG_BYTES], token[-_TAG_BYTES:]
        if len(token) <= _TAG_BYTES or not hmac.compare_digest(tag, self._tag(scope, payload)):
            raise InvalidCursor()
        try:
            return _decode_position(payload)
        except msgspec.DecodeError:
            raise InvalidCursor() from None

    def _tag(self, scope: str, payload: bytes) -> bytes:
        mac = hmac.new(self._key, scope.encode() + b"\x00" + payload, hashlib.sha256)
        return mac.digest()[:_TAG_BYTES]
