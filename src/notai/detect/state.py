"""The detector's running evidence for one session, and its stored form.

`DetectorState` is what the collector keeps on the session row between batches: a few
counters, last-seen times and running maxima per signal, never a list of events. Its size
does not grow with the session; the only sequence it holds (automation global names) is
capped.

Times are client Unix milliseconds as the pixel sent them; 0 means "not seen yet".

The evidence classes are plain dataclasses, so that the compiled detector (docs/architecture.md,
"The compiled detector") reads and writes their fields as native attributes. Their stored
form is a set of msgspec Structs made from them here, at import: decoding validates every
field and fills in the defaults of fields a stored state lacks, and encoding leaves out the
fields at their defaults, as the stored form always has.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

import msgspec

STATE_VERSION = 1
MAX_AUTOMATION_NAMES = 8
MAX_NAME_LENGTH = 64
UNRELEASED: Final = -1
"""A key's release time when its keyup was not (yet) recorded."""


@dataclass
class EnvironmentEvidence:
    """What `init` messages said about the browser."""

    init_messages: int = 0
    webdriver_t: int = 0
    """When `navigator.webdriver` was first reported true."""
    webdriver_reports: int = 0
    automation_t: int = 0
    automation_reports: int = 0
    automation_names: tuple[str, ...] = ()
    """Distinct automation globals, sorted, at most MAX_AUTOMATION_NAMES."""
    agent_t: int = 0
    agent_reports: int = 0
    agent_extensions: tuple[str, ...] = ()
    """Known agent extensions whose marks were on the page, by name, sorted."""
    headless_t: int = 0
    headless_reports: int = 0
    headless_source: str = ""
    """Where `HeadlessChrome` was read: `user_agent`, `brands` or both (`user_agent+brands`)."""


@dataclass
class UntrustedEvidence:
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


@dataclass
class PointerEvidence:
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
    simulated_open: bool = False
    """A press with no pointing device behind it began; its `click` belongs to it."""
    gestures: int = 0
    judged: int = 0
    trailless: int = 0
    first_t: int = 0
    last_t: int = 0
    pending_t: int = 0
    """The latest trail-less click, until a later-delivered movement could still explain it."""
    pending_since_t: int = 0
    pending_prev_last_t: int = 0


@dataclass
class TypingEvidence:
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


@dataclass
class TextEvidence:
    """Characters entered into fields, split by how the browser said they arrived."""

    typed_chars: int = 0
    """Added by typing input types (insertText, insertLineBreak, insertParagraph)."""
    explained_chars: int = 0
    """Added by paste, drop, autofill, IME composition, or pasted per clipboard events."""
    scripted_chars: int = 0
    """Added by input events a script made (isTrusted false): a value set from code."""
    first_t: int = 0
    last_t: int = 0
    last_field: str = ""


@dataclass
class EnvironmentFacts:
    """Whether what the browser said about itself hangs together (see detect.environment)."""

    mismatches: tuple[str, ...] = ()
    """Named contradictions, e.g. `ua_windows_platform_linux`; sorted, capped."""
    unusual: tuple[str, ...] = ()
    """Traits of automated set-ups that a few real browsers share, e.g. `no_plugins`."""
    software_renderer: str = ""
    devtools_protocol: bool = False
    first_t: int = 0
    touch_device: bool = False
    """A phone or tablet (or touch seen): on-screen keyboards report keys held for no time."""
    emulated_screen: str = ""
    """The screen size (`1280x720`) of a viewport that filled it outside full screen."""
    frameless_window: str = ""
    """The window size (`1280x720`) of a window no larger than its page outside full screen."""


@dataclass
class ClickEvidence:
    """How trusted mouse presses met their targets and how the pointer got there."""

    presses: int = 0
    sized: int = 0
    """Presses on a target box that can be judged for centring."""
    centred: int = 0
    centred_log10_chance: float = 0.0
    """Sum of log10 of the chance that a person's press lands this near the centre."""
    centred_first_t: int = 0
    centred_last_t: int = 0
    approached: int = 0
    """Presses whose last pointer step could be measured."""
    teleports: int = 0
    teleport_max_px: int = 0
    teleport_first_t: int = 0
    teleport_last_t: int = 0
    cold: int = 0
    """Presses that came out of a silent page with no approach (see detect.activity)."""
    cold_first_t: int = 0
    cold_last_t: int = 0
    prev_known: bool = False
    prev_x: int = 0
    prev_y: int = 0
    """The pointer's position before its last known one (the last step's start)."""


@dataclass
class ActivityEvidence:
    """Runs of activity separated by silences, and findings a late message may withdraw."""

    last_t: int = 0
    run_start_t: int = 0
    run_moves: int = 0
    """Pointer samples since the current run began."""
    rest_known: bool = False
    rest_x: int = 0
    rest_y: int = 0
    """Where the pointer rested when the current run began."""
    last_key_t: int = 0
    last_press_t: int = 0
    pending: tuple[tuple[int, int, int], ...] = ()
    """(window start, window end, kind) of recent findings that earlier-timed activity,
    delivered late, would explain; bounded (see detect.activity.MAX_PENDING)."""


@dataclass
class KeyTimingEvidence:
    """How long keys are held, and how even the gaps between them are."""

    dwell_measured: int = 0
    dwell_short: int = 0
    dwell_first_t: int = 0
    gaps: int = 0
    gap_sum: float = 0.0
    gap_sumsq: float = 0.0
    gap_first_t: int = 0
    last_gap: int = -1
    """The previous gap of an unbroken run of typing, -1 after a pause."""
    pairs: int = 0
    even_pairs: int = 0
    """Consecutive gaps that differ by at most a few ms: a metronome's, not a hand's."""
    shiftless: int = 0
    """Capitals typed from letter keys with neither Shift nor Caps Lock held."""
    shiftless_first_t: int = 0


@dataclass
class ScrollEvidence:
    """Scroll position steps: jumps far larger than a wheel, a finger or a key makes."""

    known: bool = False
    x: int = 0
    y: int = 0
    steps: int = 0
    jumps: int = 0
    max_jump_px: int = 0
    first_t: int = 0
    last_t: int = 0


@dataclass
class PaceEvidence:
    """How fast answers were given and submitted after a page loaded."""

    start_t: int = 0
    fields: tuple[int, ...] = ()
    """Hashes of the fields answered since the page loaded, capped."""
    fast_submits: int = 0
    fastest_answered: int = 0
    fastest_elapsed_ms: int = 0
    first_t: int = 0
    paste_t: int = 0
    paste_length: int = 0
    keys_at_paste: int = 0
    paste_submits: int = 0
    paste_submit_t: int = 0


@dataclass
class MoveEvidence:
    """Pointer move messages, and whether the browser reported coalesced samples in them."""

    judged: int = 0
    uncoalesced: int = 0
    first_t: int = 0


@dataclass
class DetachedPointerEvidence:
    """Lone pointer samples far from a pointer that then carries on where it was before them."""

    open: bool = False
    """A far sample is waiting for the pointer's next position to say which it was."""
    from_x: int = 0
    from_y: int = 0
    spot_x: int = 0
    spot_y: int = 0
    spot_t: int = 0
    returns: int = 0
    """Far samples after which the pointer went on from where it had been, not from them."""
    first_x: int = 0
    first_y: int = 0
    at_first_spot: int = 0
    first_t: int = 0
    last_t: int = 0


@dataclass
class DetectorState:
    """Running evidence about one session; update it with `observe` (or `fold`, in place),
    read it with `assess`."""

    version: int = STATE_VERSION
    messages: int = 0
    env: EnvironmentEvidence = field(default_factory=EnvironmentEvidence)
    untrusted: UntrustedEvidence = field(default_factory=UntrustedEvidence)
    pointer: PointerEvidence = field(default_factory=PointerEvidence)
    typing: TypingEvidence = field(default_factory=TypingEvidence)
    text: TextEvidence = field(default_factory=TextEvidence)
    facts: EnvironmentFacts = field(default_factory=EnvironmentFacts)
    clicks: ClickEvidence = field(default_factory=ClickEvidence)
    activity: ActivityEvidence = field(default_factory=ActivityEvidence)
    key_timing: KeyTimingEvidence = field(default_factory=KeyTimingEvidence)
    scroll: ScrollEvidence = field(default_factory=ScrollEvidence)
    pace: PaceEvidence = field(default_factory=PaceEvidence)
    moves: MoveEvidence = field(default_factory=MoveEvidence)
    detached: DetachedPointerEvidence = field(default_factory=DetachedPointerEvidence)


def new_state() -> DetectorState:
    """The state of a session nothing has been observed in."""
    return DetectorState()


_TUPLE_TYPES: dict[str, Any] = {
    "automation_names": tuple[str, ...],
    "agent_extensions": tuple[str, ...],
    "mismatches": tuple[str, ...],
    "unusual": tuple[str, ...],
    "pending": tuple[tuple[int, int, int], ...],
    "fields": tuple[int, ...],
}
"""The tuple fields' full types, by field name. A compiled class reports only `tuple` for
them, and the stored form needs their items' types: to validate them, and to read the
triples of `pending` as tuples (tests/unit/detect/test_detect_native.py checks this table
against the annotations above)."""


def _stored_struct(cls: type[Any], parts: dict[str, Any]) -> type[msgspec.Struct]:
    """The stored form of one evidence class (or of the state, whose `parts` are given)."""
    hints = typing.get_type_hints(cls)
    spec: list[tuple[str, Any, Any]] = []
    for each in dataclasses.fields(cls):
        if each.name in parts:
            stored = parts[each.name]
            spec.append((each.name, stored, msgspec.field(default_factory=stored)))
        else:
            spec.append((each.name, _TUPLE_TYPES.get(each.name, hints[each.name]), each.default))
    return msgspec.defstruct(f"Stored{cls.__name__}", spec, omit_defaults=True, module=__name__)


def _float_defaults(stored: type[msgspec.Struct]) -> tuple[tuple[int, Any], ...]:
    """(position, default) of a stored form's float fields. msgspec leaves a float out only
    if it is its default's very object, and compiled code makes new float objects; the
    defaults are read from the stored form (as `Any`, so that they are not re-made)."""
    return tuple(
        (position, each.default)
        for position, each in enumerate(msgspec.structs.fields(stored))
        if each.type is float
    )


class _Part(typing.NamedTuple):
    """One evidence class of the state, and how to copy, store and restore it."""

    cls: type[Any]
    stored: type[msgspec.Struct]
    values: attrgetter[Any]
    floats: tuple[tuple[int, Any], ...]


_PART_CLASSES: dict[str, type[Any]] = {
    name: hint
    for name, hint in typing.get_type_hints(DetectorState).items()
    if isinstance(hint, type) and dataclasses.is_dataclass(hint)
}


def _part(cls: type[Any]) -> _Part:
    stored = _stored_struct(cls, {})
    names = [each.name for each in dataclasses.fields(cls)]
    return _Part(cls, stored, attrgetter(*names), _float_defaults(stored))


_PARTS = {name: _part(cls) for name, cls in _PART_CLASSES.items()}
_STATE_FIELDS = tuple(each.name for each in dataclasses.fields(DetectorState))
_STATE_VALUES = attrgetter(*_STATE_FIELDS)
_SLOTS: tuple[_Part | None, ...] = tuple(_PARTS.get(name) for name in _STATE_FIELDS)
"""Per field of the state, in order: how to copy, store and restore it if it is a part."""
_StoredState = _stored_struct(DetectorState, {name: part.stored for name, part in _PARTS.items()})


def _each_part(values: Sequence[Any], convert: Callable[[_Part, Any], Any]) -> list[Any]:
    """The state's field values in order, each part's value passed through `convert`."""
    return [
        value if part is None else convert(part, value)
        for value, part in zip(values, _SLOTS, strict=True)
    ]


def _copied_part(part: _Part, value: Any) -> Any:
    return part.cls(*part.values(value))


def _stored_part(part: _Part, value: Any) -> msgspec.Struct:
    values = part.values(value)
    if part.floats:
        values = list(values)
        for position, default in part.floats:
            value = values[position]
            if value == default and math.copysign(1.0, value) == math.copysign(1.0, default):
                values[position] = default  # equal, sign included (-0.0 is kept)
    return part.stored(*values)


def _restored_part(part: _Part, value: msgspec.Struct) -> Any:
    return part.cls(*msgspec.structs.astuple(value))


def copy_state(state: DetectorState) -> DetectorState:
    """A copy that can be updated without touching `state` (its parts are copied too)."""
    return DetectorState(*_each_part(_STATE_VALUES(state), _copied_part))


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_StoredState)


def encode_state(state: DetectorState) -> bytes:
    """The stored form of a state (msgpack), for the session row."""
    return _encoder.encode(_StoredState(*_each_part(_STATE_VALUES(state), _stored_part)))


def decode_state(data: bytes) -> DetectorState:
    """A state from its stored form; raises `msgspec.DecodeError` if the bytes are not one."""
    stored = msgspec.structs.astuple(_decoder.decode(data))
    return DetectorState(*_each_part(stored, _restored_part))
