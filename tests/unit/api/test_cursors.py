from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notai.api.cursors import CursorCodec
from notai.api.errors import InvalidCursor

codec = CursorCodec("s" * 40)
positions = st.tuples(st.integers(min_value=0, max_value=2**62), st.text(max_size=64))


@given(scope=st.text(max_size=80), position=positions)
def test_a_cursor_decodes_to_its_position_in_its_scope(
    scope: str, position: tuple[int, str]
) -> None:
    assert codec.decode(scope, codec.encode(scope, position)) == position


@given(position=positions, data=st.data())
def test_any_changed_byte_is_refused(position: tuple[int, str], data: st.DataObject) -> None:
    raw = bytearray(base64.urlsafe_b64decode(codec.encode("scope", position) + "=="))
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    raw[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    with pytest.raises(InvalidCursor):
        codec.decode("scope", tampered)


@given(position=positions)
def test_another_scope_or_secret_is_refused(position: tuple[int, str]) -> None:
    cursor = codec.encode("integration-a|user-1", position)

    with pytest.raises(InvalidCursor):
        codec.decode("integration-b|user-1", cursor)
    with pytest.raises(InvalidCursor):
        CursorCodec("t" * 40).decode("integration-a|user-1", cursor)


@pytest.mark.parametrize("garbage", ["", "=", "!!!!", "a" * 600, "AAAA", "\u00e9t\u00e9"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        codec.decode("scope", garbage)
