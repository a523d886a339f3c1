"""The event messages a pixel sends: one typed struct per message type.

This module is the vocabulary shared by the collector (which decodes and stores messages)
and the detector (which reads them). It imports nothing of notai's, so the detector stays
pure while both speak of the same messages.

Every message carries `seq` (a per-session counter set by the pixel, used to drop
duplicates on re-send), `t` (client time, Unix ms) and its own fields. On the JSON wire a
message is one flat object tagged by `type`, its short name (see docs/protocol.md).
Never a key's value, never typed text: only timings, key classes and lengths.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import msgspec

# Bounds keep one message cheap to store and score; larger inputs are malformed.
MAX_STRING = 2048
MAX_SAMPLES = 512
MIN_TIMESTAMP_MS = 946_684_800_000  # 2000-01-01
MAX_TIMESTAMP_MS = 4_102_444_800_000  # 2100-01-01

Text = Annotated[str, msgspec.Meta(max_length=MAX_STRING)]
ShortText = Annotated[str, msgspec.Meta(max_length=256)]
Seq = Annotated[int, msgspec.Meta(ge=0, lt=2**31)]
Timestamp = Annotated[int, msgspec.Meta(ge=MIN_TIMESTAMP_MS, le=MAX_TIMESTAMP_MS)]
Offset = Annotated[int, msgspec.Meta(ge=-600_000, le=600_000)]
"""Milliseconds relative to the message's `t`."""
Coordinate = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Delta = Annotated[int, msgspec.Meta(ge=-10_000_000, le=10_000_000)]


class MessageType(enum.IntEnum):
    """The type byte of each message (`messageId` in the API)."""

    INIT = 0x01
    MOUSE_MOVE = 0x02
    MOUSE_CLICK = 0x03
    SCROLL = 0x04
    KEYPRESS = 0x05
    INPUT = 0x06
    CLIPBOARD = 0x07
    FOCUS = 0x08
    NAVIGATION = 0x09
    TOUCH = 0x0A
    FORM_SUBMIT = 0x0B
    IDENTIFY = 0x0C
    HEARTBEAT = 0x0D
    CLOSE = 0x0E

    @property
    def short_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_short_name(cls, name: str) -> MessageType:
        return cls[name.upper()]


class EventCategory(enum.Enum):
    """Which `eventCounts` bucket a message type feeds."""

    MOUSE = "mouse"
    SCROLL = "scroll"
    KEYBOARD = "keyboard"
    TOUCH = "touch"
    FORM = "form"


CATEGORY_OF: dict[MessageType, EventCategory] = {
    MessageType.MOUSE_MOVE: EventCategory.MOUSE,
    MessageType.MOUSE_CLICK: EventCategory.MOUSE,
    MessageType.SCROLL: EventCategory.SCROLL,
    MessageType.KEYPRESS: EventCategory.KEYBOARD,
    MessageType.INPUT: EventCategory.FORM,
    MessageType.CLIPBOARD: EventCategory.FORM,
    MessageType.TOUCH: EventCategory.TOUCH,
    MessageType.FORM_SUBMIT: EventCategory.FORM,
}


# --- parts of messages -------------------------------------------------------------------


class Box(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An element's bounding box in viewport CSS pixels."""

    x: Coordinate
    y: Coordinate
    w: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
    h: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class Size(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    w: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    h: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class Environment(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """Facts about the browser, read by the pixel at start (and again if an agent shows up)."""

    userAgent: Text = ""
    webdriver: bool | None = None
    automation: Annotated[list[ShortText], msgspec.Meta(max_length=64)] = []
    """Names of automation globals found on `window` (e.g. `__playwright__binding__`), and
    ids of the marks agent extensions add to a page while at work (`claude-agent-glow-border`)."""
    platform: ShortText = ""
    languages: Annotated[list[ShortText], msgspec.Meta(max_length=32)] = []
    timezone: ShortText = ""
    screen: Size | None = None
    viewport: Size | None = None
    outer: Size | None = None
    """The browser window's outer size: the viewport with the window's tabs, address bar and
    frame around it (`outerWidth`, `outerHeight`)."""
    fullscreen: bool | None = None
    """Whether the page filled the screen when read (F11, kiosk, an element in full screen)."""
    pixelRatio: Annotated[float, msgspec.Meta(ge=0, le=100)] = 1.0
    plugins: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    webglRenderer: Text = ""
    hardwareConcurrency: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    """Accepted from older pixels; the pixel no longer sends it (no signal reads it)."""
    touchPoints: Annotated[int, msgspec.Meta(ge=0, le=1_000)] = 0
    brands: Annotated[list[ShortText], msgspec.Meta(max_length=32)] = []
    """User-agent client hint brands, e.g. `Chromium`, `Google Chrome`."""
    mobile: bool | None = None
    cdpArtefacts: bool | None = None
    """Whether DevTools-protocol input artefacts were seen (see docs/protocol.md)."""


class LmsContext(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """The LMS user and course a page belongs to, as the pixel read them."""

    provider: ShortText = ""
    userId: ShortText = ""
    userName: ShortText = ""
    userUrl: Text = ""
    courseId: ShortText = ""
    courseName: ShortText = ""
    courseUrl: Text = ""


KeyClass = Literal["letter", "digit", "space", "backspace", "enter", "modifier", "other"]
PointerKind = Literal["mouse", "touch", "pen", "keyboard", ""]
"""`keyboard` marks a trusted event no pointing device sent (MouseEvent.detail == 0): the click
of Enter or Space on a control, or the mousedown and mouseup of an assistive activation."""

MoveSample = tuple[Offset, Coordinate, Coordinate]
"""(ms after the message's `t`, x, y) in viewport CSS pixels."""
ScrollSample = tuple[Offset, Coordinate, Coordinate]
"""(ms after the message's `t`, scrollX, scrollY) in CSS pixels."""
KeySample = tuple[Offset, Offset, KeyClass]
"""(keydown ms after `t`, keyup ms after `t` or -1 if not yet released, key class)."""
TouchSample = tuple[Offset, Coordinate, Coordinate]


# --- the messages -------------------------------------------------------------------------


class _Message(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    omit_defaults=True,
    tag_field="type",
):
    seq: Seq
    t: Timestamp


class Init(_Message, tag="init", frozen=True):
    url: Text
    title: Text = ""
    referrer: Text = ""
    env: Environment = Environment()
    lms: LmsContext | None = None


class MouseMove(_Message, tag="mouse_move", frozen=True):
    samples: Annotated[list[MoveSample], msgspec.Meta(min_length=1, max_length=MAX_SAMPLES)]
    coalesced: Count = 0
    """Pointer samples the browser coalesced into these (PointerEvent.getCoalescedEvents)."""
    trusted: bool = True


class MouseClick(_Message, tag="mouse_click", frozen=True):
    phase: Literal["down", "up", "click"]
    x: Coordinate
    y: Coordinate
    button: Annotated[int, msgspec.Meta(ge=0, le=16)] = 0
    target: Box | None = None
    pointer: PointerKind = "mouse"
    trusted: bool = True


class Scroll(_Message, tag="scroll", frozen=True):
    samples: Annotated[list[ScrollSample], msgspec.Meta(min_length=1, max_length=MAX_SAMPLES)]
    trusted: bool = True


class Keypress(_Message, tag="keypress", frozen=True):
    keys: Annotated[list[KeySample], msgspec.Meta(min_length=1, max_length=MAX_SAMPLES)]
    untrusted: Count = 0
    """How many of these keys came from events with isTrusted false."""
    shiftless: Count = 0
    """How many of these keys were capital letters A-Z from their own key (key `C`, code
    `KeyC`) with neither Shift nor Caps Lock held: no keyboard makes them; tools that send
    key events do. A count only, never which keys; keys in password fields are not counted."""


class Input(_Message, tag="input", frozen=True):
    field: ShortText
    inputType: ShortText = ""
    delta: Delta = 0
    """Change in the field's value length (never the value)."""
    length: Count = 0
    trusted: bool = True


class Clipboard(_Message, tag="clipboard", frozen=True):
    action: Literal["paste", "copy", "cut"]
    length: Count = 0
    field: ShortText = ""


class Focus(_Message, tag="focus", frozen=True):
    kind: Literal["focus", "blur", "visible", "hidden"]
    field: ShortText = ""


class Navigation(_Message, tag="navigation", frozen=True):
    url: Text
    kind: Literal["load", "route", "back", "reload"] = "route"


class Touch(_Message, tag="touch", frozen=True):
    phase: Literal["start", "move", "end", "cancel"]
    samples: Annotated[list[TouchSample], msgspec.Meta(min_length=1, max_length=MAX_SAMPLES)]
    trusted: bool = True


class FormSubmit(_Message, tag="form_submit", frozen=True):
    form: ShortText = ""
    fields: Count = 0


class Identify(_Message, tag="identify", frozen=True):
    lms: LmsContext


class Heartbeat(_Message, tag="heartbeat", frozen=True):
    pass


class Close(_Message, tag="close", frozen=True):
    reason: ShortText = "pagehide"


Message = (
    Init
    | MouseMove
    | MouseClick
    | Scroll
    | Keypress
    | Input
    | Clipboard
    | Focus
    | Navigation
    | Touch
    | FormSubmit
    | Identify
    | Heartbeat
    | Close
)

TYPE_OF: dict[type[_Message], MessageType] = {
    Init: MessageType.INIT,
    MouseMove: MessageType.MOUSE_MOVE,
    MouseClick: MessageType.MOUSE_CLICK,
    Scroll: MessageType.SCROLL,
    Keypress: MessageType.KEYPRESS,
    Input: MessageType.INPUT,
    Clipboard: MessageType.CLIPBOARD,
    Focus: MessageType.FOCUS,
    Navigation: MessageType.NAVIGATION,
    Touch: MessageType.TOUCH,
    FormSubmit: MessageType.FORM_SUBMIT,
    Identify: MessageType.IDENTIFY,
    Heartbeat: MessageType.HEARTBEAT,
    Close: MessageType.CLOSE,
}


def message_type(message: Message) -> MessageType:
    """The type byte of a decoded message."""
    return TYPE_OF[type(message)]
