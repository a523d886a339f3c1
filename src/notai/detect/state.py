"""The detector's running evidence for one session, and its stored form.

`DetectorState` is what the collector keeps on the session row between batches: a few
counters, last-seen times and running maxima per signal, never a list of events. Its size
does not grow with the session; the only sequence it holds (automation global names) is
capped.

Times are client Unix milliseconds as the pixel sent them; 0 means "not seen yet".
"""

from __future__ import annotations

import copy

import msgspec

STATE_VERSION = 1
MAX_AUTOMATION_NAMES = 8
MAX_NAME_LENGTH = 64
UNRELEASED = -1
"""A key's release time when its keyup was not (yet) recorded."""


class EnvironmentEvidence(msgspec.Struct, omit_defaults=True):
    """What `init` messages said about the browser."""

    init_messages: int = 0
    webdriver_t: int = 0
    """When `navigator.webdriver` was first reported true."""
    webdriver_reports: int = 0
    automation_t: int = 0
    automation_reports: int = 0
    automation_names: tuple[str, ...] = ()
    """Distinct automation globals, sorted, at most MAX_AUTOMATION_NAMES."""
    headless_t: int = 0
    headless_reports: int = 0
    headless_source: str = ""
    """Where `HeadlessChrome` was read: `user_agent`, `brands` or both (`user_agent+brands`)."""


class UntrustedEvidence(msgspec.Struct, omit_defaults=True):
    """Events the browser marked isTrusted=false: made by a script, not by a device."""

    keys: int = 0
    pointer: int = 0
    """mousedown / mouseup: page scripts almost never synthesise these."""
    bare_clicks: int = 0
    """`click` alone: also what an LMS page's own `element.click()` produces."""
    moves: int = 0
    touches: int = 0
    inputs: int = 0
    scrolls: int = 0
    first_strong_t: int = 0
    first_t: int = 0
    last_t: int = 0


class PointerEvidence(msgspec.Struct, omit_defaults=True):
    """Where the mouse pointer was last seen, and how clicks reached their targets."""

    known: bool = False
    """Whether x, y is where the pointer is now (false after touch, page switch, ...)."""
    x: int = 0
    y: int = 0
    t: int = 0
    from_click: bool = False
    """The last position came from a click: no trusted movement has been seen since."""
    down_open: bool = False
    """A mousedown began a click gesture whose `click` has not arrived yet."""
    gestures: int = 0
    judged: int = 0
    trailless: int = 0
    first_t: int = 0
    last_t: int = 0
    pending_t: int = 0
    """The latest trail-less click, until a later-delivered movement could still explain it."""
    pending_since_t: int = 0
    pending_prev_last_t: int = 0


class TypingEvidence(msgspec.Struct, omit_defaults=True):
    """Key timing: runs of keydowns closer together than a person types."""

    keys: int = 0
    last_down_t: int = 0
    last_class: str = ""
    last_up_t: int = 0
    run_keys: int = 0
    run_start_t: int = 0
    longest_run: int = 0
    longest_run_t: int = 0
    fast_runs: int = 0
    first_run_t: int = 0


class TextEvidence(msgspec.Struct, omit_defaults=True):
    """Characters entered into fields, split by how the browser said they arrived."""

    typed_chars: int = 0
    """Added by typing input types (insertText, insertLineBreak, insertParagraph)."""
    explained_chars: int = 0
    """Added by paste, drop, autofill, IME composition, or pasted per clipboard events."""
    first_t: int = 0
    last_t: int = 0
    last_field: str = ""


class DetectorState(msgspec.Struct, omit_defaults=True):
    """Running evidence about one session; update it with `observe`, read it with `assess`."""

    version: int = STATE_VERSION
    messages: int = 0
    env: EnvironmentEvidence = msgspec.field(default_factory=EnvironmentEvidence)
    untrusted: UntrustedEvidence = msgspec.field(default_factory=UntrustedEvidence)
    pointer: PointerEvidence = msgspec.field(default_factory=PointerEvidence)
    typing: TypingEvidence = msgspec.field(default_factory=TypingEvidence)
    text: TextEvidence = msgspec.field(default_factory=TextEvidence)


def new_state() -> DetectorState:
    """The state of a session nothing has been observed in."""
    return DetectorState()


def copy_state(state: DetectorState) -> DetectorState:
    """A copy that can be updated without touching `state` (its parts are copied too)."""
    return msgspec.structs.replace(
        state,
        env=copy.copy(state.env),
        untrusted=copy.copy(state.untrusted),
        pointer=copy.copy(state.pointer),
        typing=copy.copy(state.typing),
        text=copy.copy(state.text),
    )


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(DetectorState)


def encode_state(state: DetectorState) -> bytes:
    """The stored form of a state (msgpack), for the session row."""
    return _encoder.encode(state)


def decode_state(data: bytes) -> DetectorState:
    """A state from its stored form; raises `msgspec.DecodeError` if the bytes are not one."""
    return _decoder.decode(data)
