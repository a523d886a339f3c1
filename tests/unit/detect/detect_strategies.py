"""Sessions for the detector's tests: a builder for readable examples, Hypothesis strategies.

`SessionBuilder` writes a session the way the pixel would report it (seq counting up, a
clock moving forward). `person_sessions` draws sessions a person could produce, including
the accessibility paths; `arbitrary_sessions` draws anything the message types allow.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal, Self

import msgspec
from hypothesis import strategies as st

from notai.events import (
    Clipboard,
    Close,
    Environment,
    Focus,
    FormSubmit,
    Heartbeat,
    Init,
    Input,
    KeyClass,
    Keypress,
    KeySample,
    Message,
    MouseClick,
    MouseMove,
    Navigation,
    PointerKind,
    Scroll,
    Size,
    Touch,
)

BASE_T = 1_700_000_000_000
ClickPhase = Literal["down", "up", "click"]
FocusKind = Literal["focus", "blur", "visible", "hidden"]
CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
HEADLESS_UA = CHROME_UA.replace("Chrome/", "HeadlessChrome/")


class SessionBuilder:
    """Messages of one session, in pixel order, with a clock that only moves forward."""

    def __init__(self, t: int = BASE_T) -> None:
        self.t = t
        self.seq = 0
        self.x, self.y = 400, 300
        self.messages: list[Message] = []

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def wait(self, ms: int) -> Self:
        self.t += ms
        return self

    def init(self, env: Environment | None = None) -> Self:
        env = env or Environment(userAgent=CHROME_UA, webdriver=False)
        url = "https://lms.example.edu/courses/7/quizzes/3"
        self.messages.append(Init(seq=self._next_seq(), t=self.t, url=url, env=env))
        return self

    def move_to(self, x: int, y: int, *, steps: int = 14, step_ms: int = 16) -> Self:
        """A curved, decelerating path from the pointer's position to (x, y)."""
        sx, sy = self.x, self.y
        cx, cy = (sx + x) / 2 + (y - sy) * 0.3, (sy + y) / 2 - (x - sx) * 0.3  # bend
        samples = []
        for i in range(1, steps + 1):
            u = 1 - (1 - i / steps) ** 2  # ease out, as a hand slows near the target
            px = (1 - u) ** 2 * sx + 2 * (1 - u) * u * cx + u**2 * x
            py = (1 - u) ** 2 * sy + 2 * (1 - u) * u * cy + u**2 * y
            samples.append((i * step_ms, round(px), round(py)))
        # The pixel reports how many samples the browser coalesced: at least one per sample.
        move = MouseMove(seq=self._next_seq(), t=self.t, samples=samples, coalesced=steps)
        self.messages.append(move)
        self.t += steps * step_ms
        self.x, self.y = x, y
        return self

    def click(
        self,
        x: int | None = None,
        y: int | None = None,
        *,
        pointer: PointerKind = "mouse",
        trusted: bool = True,
        phases: Sequence[ClickPhase] = ("down", "up", "click"),
        button: int = 0,
    ) -> Self:
        """Click at (x, y), or where the pointer is; does not move the pointer there."""
        x = self.x if x is None else x
        y = self.y if y is None else y
        for phase in phases:
            self.messages.append(
                MouseClick(
                    seq=self._next_seq(),
                    t=self.t,
                    phase=phase,
                    x=x,
                    y=y,
                    button=button,
                    pointer=pointer,
                    trusted=trusted,
                )
            )
            self.t += 40
        if pointer == "mouse":
            self.x, self.y = x, y
        return self

    def move_and_click(self, x: int, y: int) -> Self:
        return self.move_to(x, y).wait(120).click()

    def keys(
        self,
        gaps: Sequence[int],
        key_class: KeyClass = "letter",
        *,
        hold_ms: int = 70,
        untrusted: int = 0,
        shiftless: int = 0,
    ) -> Self:
        """One keypress message: a key now, then one more after each gap."""
        downs = [0]
        for gap in gaps:
            downs.append(downs[-1] + gap)
        keys: list[KeySample] = [(d, d + hold_ms, key_class) for d in downs]
        return self.key_samples(keys, untrusted=untrusted, shiftless=shiftless, duration=downs[-1])

    def key_samples(
        self, keys: list[KeySample], *, untrusted: int = 0, shiftless: int = 0, duration: int
    ) -> Self:
        self.messages.append(
            Keypress(
                seq=self._next_seq(), t=self.t, keys=keys, untrusted=untrusted, shiftless=shiftless
            )
        )
        self.t += duration + 1
        return self

    def text(
        self,
        delta: int,
        input_type: str = "insertText",
        *,
        field: str = "answer",
        trusted: bool = True,
    ) -> Self:
        self.messages.append(
            Input(
                seq=self._next_seq(),
                t=self.t,
                field=field,
                inputType=input_type,
                delta=delta,
                length=max(0, delta),
                trusted=trusted,
            )
        )
        self.t += 5
        return self

    def paste(
        self, length: int, *, field: str = "answer", input_type: str = "insertFromPaste"
    ) -> Self:
        self.messages.append(
            Clipboard(seq=self._next_seq(), t=self.t, action="paste", length=length, field=field)
        )
        return self.text(length, input_type, field=field)

    def touch_tap(self, x: int, y: int) -> Self:
        for phase in ("start", "end"):
            self.messages.append(
                Touch(seq=self._next_seq(), t=self.t, phase=phase, samples=[(0, x, y)])
            )
            self.t += 80
        return self.click(x, y, pointer="touch")

    def scroll(self, *, trusted: bool = True) -> Self:
        samples = [(i * 16, 0, i * 40) for i in range(1, 9)]
        self.messages.append(
            Scroll(seq=self._next_seq(), t=self.t, samples=samples, trusted=trusted)
        )
        self.t += 200
        return self

    def focus(self, kind: FocusKind, field: str = "") -> Self:
        self.messages.append(Focus(seq=self._next_seq(), t=self.t, kind=kind, field=field))
        self.t += 10
        return self

    def append(self, message: Message, *, t: int | None = None) -> Self:
        """Any message, re-stamped with the next seq and the clock (or the time `t`)."""
        at = self.t if t is None else t
        self.messages.append(msgspec.structs.replace(message, seq=self._next_seq(), t=at))
        self.t = max(self.t, at) + 10
        return self


# --- Hypothesis: what a person does --------------------------------------------------------------

coordinates = st.integers(min_value=0, max_value=1900)


def human_gaps(rng: random.Random, n: int) -> list[int]:
    """Keydown gaps of someone typing: mostly 90-320 ms, a rollover now and then."""
    return [rng.randint(15, 39) if rng.random() < 0.12 else rng.randint(90, 320) for _ in range(n)]


def _act(builder: SessionBuilder, rng: random.Random, action: str) -> None:
    x, y = rng.randint(0, 1900), rng.randint(0, 1000)
    if action == "move_and_click":
        builder.move_and_click(x, y)
    elif action == "double_click":
        builder.move_to(x, y).click().click()
    elif action == "type":
        n = rng.randint(1, 40)
        builder.keys(human_gaps(rng, n - 1)).text(n)
    elif action == "keyboard_click":
        builder.keys([]).click(0, 0, pointer="keyboard", phases=("click",))
    elif action == "touch":
        builder.touch_tap(x, y)
    elif action == "paste":
        builder.paste(
            rng.randint(1, 2000), input_type=rng.choice(["insertFromPaste", "insertText"])
        )
    elif action == "autofill":
        builder.text(rng.randint(1, 60), rng.choice(["insertReplacementText", ""]))
    elif action == "scroll":
        builder.scroll()
    elif action == "page_click":  # the LMS page's own element.click()
        builder.click(x, y, pointer="keyboard", trusted=False, phases=("click",))
    builder.wait(rng.randint(50, 5000))


PERSON_ACTIONS = (
    "move_and_click",
    "double_click",
    "type",
    "keyboard_click",
    "touch",
    "paste",
    "autofill",
    "scroll",
)
PAGE_SCRIPT_ACTIONS = ("page_click",)


@st.composite
def person_sessions(draw: st.DrawFn, *, page_scripts: bool = False) -> list[Message]:
    """A session a person could produce, mixing mouse, keyboard, touch and paste.

    With `page_scripts`, the LMS page also calls `element.click()` now and then.
    """
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    kinds = PERSON_ACTIONS + (PAGE_SCRIPT_ACTIONS if page_scripts else ())
    actions = draw(st.lists(st.sampled_from(kinds), min_size=3, max_size=30))
    builder = SessionBuilder().init()
    for action in actions:
        _act(builder, rng, action)
    return builder.messages


# --- Hypothesis: anything the vocabulary allows --------------------------------------------------

_offsets = st.integers(min_value=-100, max_value=3000)
_xy_samples = st.lists(st.tuples(_offsets, coordinates, coordinates), min_size=1, max_size=6)
_key_classes = st.sampled_from(
    ["letter", "digit", "space", "backspace", "enter", "modifier", "other"]
)
_key_samples = st.lists(
    st.tuples(st.integers(0, 2000), st.sampled_from([-1, 0, 5, 30, 90]), _key_classes).map(
        lambda k: (k[0], k[0] + k[1] if k[1] >= 0 else -1, k[2])
    ),
    min_size=1,
    max_size=25,
)
_input_types = st.sampled_from(
    [
        "insertText",
        "insertLineBreak",
        "insertFromPaste",
        "insertReplacementText",
        "",
        "insertCompositionText",
        "deleteContentBackward",
        "insertFromDrop",
    ]
)

environments = st.builds(
    Environment,
    userAgent=st.sampled_from([CHROME_UA, HEADLESS_UA, ""]),
    webdriver=st.sampled_from([None, False, True]),
    automation=st.lists(
        st.sampled_from(
            ["__playwright__binding__", "_phantom", "claude-agent-glow-border", "", "x" * 80]
        )
    ),
    brands=st.lists(st.sampled_from(["Chromium", "Google Chrome", "HeadlessChrome"]), max_size=3),
)
honest_environments = st.builds(
    Environment, userAgent=st.just(CHROME_UA), webdriver=st.sampled_from([None, False])
)
plausible_environments = st.builds(
    Environment,
    userAgent=st.just(CHROME_UA),
    webdriver=st.sampled_from([None, False]),
    platform=st.sampled_from(["", "Win32", "Linux x86_64"]),
    webglRenderer=st.sampled_from(["", "ANGLE (Intel)", "SwiftShader"]),
    cdpArtefacts=st.sampled_from([None, False, True]),
    screen=st.just(Size(w=1280, h=720)),
    viewport=st.sampled_from([None, Size(w=1280, h=720), Size(w=1280, h=603)]),
    outer=st.sampled_from([None, Size(w=1280, h=720), Size(w=1280, h=808)]),
    fullscreen=st.sampled_from([None, False, True]),
)
"""Real browsers of people: maybe with DevTools open (and its device mode), a software
renderer, a UA switcher or a frameless app window."""
automated_environments = st.one_of(
    st.builds(Environment, webdriver=st.just(True)),
    st.builds(Environment, automation=st.just(["__playwright__binding__"])),
    st.builds(Environment, userAgent=st.just(HEADLESS_UA)),
)


def _message(message_type: type[Message], **fields: object) -> st.SearchStrategy[Message]:
    return st.builds(message_type, seq=st.just(0), t=st.just(BASE_T), **fields)  # type: ignore[arg-type]


def messages(
    env: st.SearchStrategy[Environment] = honest_environments,
) -> st.SearchStrategy[Message]:
    trusted = st.sampled_from([True, True, True, False])
    return st.one_of(
        _message(Init, url=st.just("https://lms.example.edu/"), env=env),
        _message(MouseMove, samples=_xy_samples, trusted=trusted),
        _message(
            MouseClick,
            phase=st.sampled_from(["down", "up", "click"]),
            x=coordinates,
            y=coordinates,
            button=st.sampled_from([0, 0, 0, 2]),
            pointer=st.sampled_from(["mouse", "mouse", "touch", "pen", "keyboard", ""]),
            trusted=trusted,
        ),
        _message(Scroll, samples=_xy_samples, trusted=trusted),
        _message(
            Keypress,
            keys=_key_samples,
            untrusted=st.sampled_from([0, 0, 0, 1]),
            shiftless=st.sampled_from([0, 0, 0, 1, 2]),
        ),
        _message(
            Input,
            field=st.just("answer"),
            inputType=_input_types,
            delta=st.integers(-50, 300),
            trusted=trusted,
        ),
        _message(Clipboard, action=st.sampled_from(["paste", "copy"]), length=st.integers(0, 300)),
        _message(
            Focus,
            kind=st.sampled_from(["focus", "blur", "visible", "hidden"]),
            field=st.sampled_from(["", "answer"]),
        ),
        _message(
            Navigation,
            url=st.just("https://lms.example.edu/next"),
            kind=st.sampled_from(["load", "route"]),
        ),
        _message(
            Touch, phase=st.sampled_from(["start", "end"]), samples=_xy_samples, trusted=trusted
        ),
        _message(FormSubmit, form=st.just("quiz")),
        _message(Heartbeat),
        _message(Close),
    )


def stamp(drawn: Sequence[Message], gaps: Sequence[int]) -> list[Message]:
    """Give drawn messages seq 1, 2, ... and times that move forward by `gaps`."""
    stamped, t = [], BASE_T
    for seq, (message, gap) in enumerate(zip(drawn, gaps, strict=True), start=1):
        t += gap
        stamped.append(msgspec.structs.replace(message, seq=seq, t=t))
    return stamped


@st.composite
def arbitrary_sessions(
    draw: st.DrawFn,
    env: st.SearchStrategy[Environment] = environments,
    max_size: int = 60,
) -> list[Message]:
    """Any messages, stamped in pixel order; times move forward by 0-2000 ms."""
    drawn = draw(st.lists(messages(env), max_size=max_size))
    gaps = draw(st.lists(st.integers(0, 2000), min_size=len(drawn), max_size=len(drawn)))
    return stamp(drawn, gaps)
