"""Accessibility and legitimate-behaviour personas: people the detector must never accuse.

Generated (there are no public recordings of these), each from what the assistive path is
documented to send a page; typing reuses real Aalto timings where the person types on a
keyboard. Each persona answers the same quiz plan as the recorded people.

- keyboard_only: Tab between fields (the page scrolls each into view), arrow keys pick
  choices, Enter submits; never a mouse event.
- screen_reader: browse mode moves the page to each control without page-visible keys;
  activating a control sends what Chromium sends for an assistive activation (checked in a
  real browser over AT-SPI by tests/e2e/test_assistive_activation.py): mousedown and
  mouseup with `detail` 0, the pixel's `keyboard` kind, then a click posing as the mouse's
  at the exact centre, with no movement; forms mode types real keys.
- touch: taps with a finger's scatter, swipes that fling the page, an on-screen keyboard
  whose keys go down and up together.
- tremor: an older person with a tremor: slow recorded paths with a 4-6 Hz shake, slips
  between press and release, slow typing.
- paste: drafts the essay in another window and pastes it, then submits.
- autofill: the browser fills identity fields; the rest is typed.
- devtools: an ordinary person with DevTools open (a DevTools client is attached).
- voice_control: voice control clicks controls by name (an assistive activation, as the
  screen reader's) and dictation enters text.
- voice_mouse_grid: voice control's mouse grid for controls without a name: the pointer
  jumps to a grid cell over the control (somewhere on it, not its centre) and a real press
  follows, out of seconds of silence; dictation enters text.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator

from bench.detection.humans import Composer, HumanSession, compose, press_windows, typing_pool
from bench.detection.pixelish import PixelTrace
from bench.detection.quiz import (
    BASE_T,
    DESKTOP_BROWSERS,
    PAGE_HEIGHT,
    PLAN,
    QUIZ_URL,
    TEXT_SENTENCES,
    TOUCH_BROWSERS,
    Step,
    centred_box,
    environment,
    lms_context,
)
from bench.detection.recordings import KeyRecord, PointerRecord, Split, balabit_sessions

from notai.events import Box, Message

Persona = Callable[[random.Random, list[list[KeyRecord]], int, str], list[Message]]


def _start(rng: random.Random, t0: int, user: str, *, touch: bool = False) -> Composer:
    browser = rng.choice(TOUCH_BROWSERS if touch else DESKTOP_BROWSERS)
    composer = Composer(rng, t0, browser.viewport)
    composer.trace.start(t0, QUIZ_URL, environment(rng, browser), lms_context(user))
    return composer


def _sentences(rng: random.Random, pool: list[list[KeyRecord]], kind: str) -> list[list[KeyRecord]]:
    low, high = TEXT_SENTENCES[kind]
    return [pool.pop() for _ in range(rng.randint(low, high)) if pool]


def _field_top(index: int) -> int:
    """Where the quiz's index-th control sits on the page."""
    return 180 + index * 230


def _bring_into_view(composer: Composer, t: int, index: int) -> int:
    """The browser scrolls a newly focused control into view, instantly. Returns its y."""
    top = _field_top(index)
    if not composer.scroll_y <= top < composer.scroll_y + composer.vh - 60:
        composer.scroll_y = max(0, min(PAGE_HEIGHT - composer.vh, top - composer.vh // 2))
        composer.trace.sample("scroll", t, 0, composer.scroll_y)
    return top - composer.scroll_y


def _key(trace: PixelTrace, rng: random.Random, t: int, key: str = "other") -> int:
    hold = rng.randint(60, 140)
    trace.key(t, t + hold, key)  # type: ignore[arg-type]
    return t + hold


# --- keyboard only -------------------------------------------------------------------------------


def keyboard_only(
    rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str
) -> list[Message]:
    composer = _start(rng, t0, user)
    trace, t = composer.trace, t0 + rng.randint(4000, 15000)
    for index, step in enumerate(PLAN):
        t = _key(trace, rng, t) + rng.randint(5, 20)  # Tab
        _bring_into_view(composer, t, index)
        if step.field:
            trace.focus(t, step.field)
        t += rng.randint(2000, 12000)  # reading the question
        if step.kind == "choice":
            for _ in range(rng.randint(0, 2)):  # arrow keys move through the choices
                t = _key(trace, rng, t) + rng.randint(300, 900)
                trace.input(t, step.field, "", 0, 1)
            t = _key(trace, rng, t, "space") + rng.randint(5, 15)
            trace.input(t, step.field, "", 0, 1)
        elif step.kind in TEXT_SENTENCES:
            t = composer.type_text(t, step.field, _sentences(rng, pool, step.kind))
        else:
            t = _key(trace, rng, t, "enter")
            trace.click(t, "click", 0, 0, centred_box(rng, "submit", 400, 300), pointer="keyboard")
            trace.submit(t + 2, len(PLAN))
        t += rng.randint(400, 3000)
    return trace.finish(t)


# --- screen reader -------------------------------------------------------------------------------


def _assistive_press(
    trace: PixelTrace, t: int, cx: int, cy: int, box: Box, focused_field: str = ""
) -> None:
    """An activation by assistive technology, as Chromium delivers it and the pixel records it.

    mousedown and mouseup with `detail` 0 (`keyboard`), then a click that poses as the
    mouse's, all at the control's centre in the same instant, with no pointer movement.
    """
    trace.click(t, "down", cx, cy, box, pointer="keyboard")
    if focused_field:
        trace.focus(t, focused_field)
    trace.click(t, "up", cx, cy, box, pointer="keyboard")
    trace.click(t, "click", cx, cy, box)


def screen_reader(
    rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str
) -> list[Message]:
    composer = _start(rng, t0, user)
    trace, t = composer.trace, t0 + rng.randint(10000, 40000)
    for index, step in enumerate(PLAN):
        y = _bring_into_view(composer, t, index)  # browse mode moved the virtual cursor here
        t += rng.randint(4000, 20000)  # listening to the question and its choices
        cx, cy = rng.randint(200, 700), y + 20
        box = centred_box(rng, step.kind, cx, cy)
        _assistive_press(trace, t, cx, cy, box, step.field if step.kind != "choice" else "")
        if step.kind == "choice":
            trace.input(t + 2, step.field, "", 0, 1)
        elif step.kind in TEXT_SENTENCES:
            t = composer.type_text(
                t + rng.randint(1500, 4000), step.field, _sentences(rng, pool, step.kind)
            )
        else:
            trace.submit(t + 3, len(PLAN))
        t += rng.randint(1000, 5000)
    return trace.finish(t)


# --- touch ---------------------------------------------------------------------------------------


def touch(rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str) -> list[Message]:
    composer = _start(rng, t0, user, touch=True)
    trace, t = composer.trace, t0 + rng.randint(3000, 15000)
    for index, step in enumerate(PLAN):
        t = _swipe_to(composer, rng, t, _field_top(index))
        t += rng.randint(1500, 9000)
        cx = rng.randint(40, composer.vw - 40)
        cy = _field_top(index) - composer.scroll_y + 20
        x, y = round(cx + rng.gauss(0, 7)), round(cy + rng.gauss(0, 5))
        trace.sample("touch", t, x, y, phase="start")
        trace.sample("touch", t + rng.randint(60, 140), x, y, phase="end")
        t += 150
        trace.click(t, "click", x, y, centred_box(rng, step.kind, cx, cy), pointer="touch")
        if step.kind == "choice":
            trace.input(t + 1, step.field, "", 0, 1)
        elif step.kind in TEXT_SENTENCES:
            trace.focus(t + 1, step.field)
            chosen = _sentences(rng, pool, step.kind)
            t = _onscreen_typing(composer, rng, t + rng.randint(800, 2000), step, chosen)
        else:
            trace.submit(t + 3, len(PLAN))
        t += rng.randint(500, 3000)
    return trace.finish(t)


def _swipe_to(composer: Composer, rng: random.Random, t: int, top: int) -> int:
    """Finger swipes, each a drag and a decaying fling, until `top` is in view."""
    trace = composer.trace
    while not composer.scroll_y <= top < composer.scroll_y + composer.vh - 100:
        direction = 1 if top > composer.scroll_y else -1
        x, y = rng.randint(100, 300), rng.randint(400, 600)
        velocity = rng.uniform(20, 60)  # px per frame
        for frame in range(rng.randint(25, 45)):
            at = t + frame * 16
            composer.scroll_y = max(
                0, min(PAGE_HEIGHT - composer.vh, composer.scroll_y + round(direction * velocity))
            )
            if frame < 6:
                trace.sample("touch", at, x, y - direction * frame * round(velocity), phase="move")
            trace.sample("scroll", at, 0, composer.scroll_y)
            velocity *= 0.93
        t += 900 + rng.randint(100, 600)
    return t


def _onscreen_typing(
    composer: Composer,
    rng: random.Random,
    t: int,
    step: Step,
    sentences: list[list[KeyRecord]],
) -> int:
    """On-screen keyboards: key down and up together, classes unknown, timings slower."""
    length = 0
    for sentence in sentences:
        for key in sentence:
            if key.key == "modifier":
                continue
            down = t + round(key.down_ms * 1.4)
            composer.trace.key(down, down + rng.randint(0, 6), "other")
            length += 1
            composer.trace.input(down + 1, step.field, "insertText", 1, length)
        t += round(sentence[-1].up_ms * 1.4) + rng.randint(1000, 3000)
    return t


# --- tremor --------------------------------------------------------------------------------------


def tremor_window(rng: random.Random, window: list[PointerRecord]) -> list[PointerRecord]:
    """A recorded window slowed 2-3x, with a 4-6 Hz tremor and slips during presses.

    Every displacement the tremor adds is reported as movement, as the browser would.
    """
    slow, hz = rng.uniform(2.0, 3.0), rng.uniform(4.0, 6.0)
    amplitude = rng.uniform(2.0, 6.0)
    start, shaken = window[0].ms, []
    for record in window:
        ms = start + round((record.ms - start) * slow)
        wobble = amplitude * math.sin(2 * math.pi * hz * ms / 1000)
        x, y = round(record.x + wobble + rng.gauss(0, 1)), round(record.y - wobble)
        if record.kind == "up":
            x, y = x + rng.randint(-3, 3), y + rng.randint(-3, 3)  # the hand slips
        if record.kind != "move":
            shaken.append(PointerRecord(ms - 1, "move", x, y))
        shaken.append(PointerRecord(ms, record.kind, x, y, record.button))
    return shaken


def _slow_keys(sentences: list[list[KeyRecord]], factor: float) -> list[list[KeyRecord]]:
    return [
        [KeyRecord(round(k.down_ms * factor), round(k.up_ms * factor), k.key) for k in s]
        for s in sentences
    ]


# --- paste, autofill, devtools, voice ------------------------------------------------------------


def paste(rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str) -> list[Message]:
    composer = _start(rng, t0, user)
    trace, t = composer.trace, t0 + rng.randint(4000, 15000)
    for index, step in enumerate(PLAN):
        y = _field_top(index) - composer.scroll_y
        t = _mouse_to(composer, rng, t, rng.randint(200, 600), y + 15)
        x, yy = composer.trace_pos
        box = centred_box(rng, step.kind, x + rng.randint(-40, 40), yy + rng.randint(-8, 8))
        trace.click(t, "down", x, yy, box)
        trace.click(t + 90, "up", x, yy, box)
        trace.click(t + 90, "click", x, yy, box)
        t += 100
        if step.kind == "choice":
            trace.input(t, step.field, "", 0, 1)
        elif step.kind == "essay":
            trace.focus(t, step.field)
            t += rng.randint(300, 800)
            trace.push(t, _visibility(t, "hidden"))
            t += rng.randint(30000, 180000)  # writing the answer in another window
            trace.push(t, _visibility(t, "visible"))
            t = _key(trace, rng, t + 400, "modifier") - 40
            t = _key(trace, rng, t, "letter") + 5
            length = rng.randint(120, 900)
            trace.paste(t, step.field, length)
            trace.input(t + 1, step.field, "insertFromPaste", length, length)
        elif step.kind == "short":
            trace.focus(t, step.field)
            t = composer.type_text(t + 500, step.field, _sentences(rng, pool, step.kind))
        else:
            trace.submit(t, len(PLAN))
        t += rng.randint(1500, 6000)
    return trace.finish(t)


def _visibility(t: int, kind: str) -> Message:
    from notai.events import Focus

    return Focus(seq=0, t=t, kind=kind)  # type: ignore[arg-type]


def _mouse_to(composer: Composer, rng: random.Random, t: int, x: int, y: int) -> int:
    """A plain, eased pointer path at 60 Hz (for personas whose mouse use is not the point)."""
    sx, sy = composer.trace_pos
    frames = rng.randint(18, 40)
    for i in range(1, frames + 1):
        u = (1 - math.cos(math.pi * i / frames)) / 2
        px = round(sx + (x - sx) * u + rng.gauss(0, 0.7))
        py = round(sy + (y - sy) * u + rng.gauss(0, 0.7))
        composer.trace.sample("mouse_move", t + i * 16, px, py)
    composer.trace_pos = (px, py)
    return t + frames * 16 + rng.randint(60, 250)


def voice_control(
    rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str
) -> list[Message]:
    # Reading, then saying "click <name>": an assistive activation.
    return _voice_session(rng, t0, user, (3000, 12000), _named_press)


def voice_mouse_grid(
    rng: random.Random, pool: list[list[KeyRecord]], t0: int, user: str
) -> list[Message]:
    # Reading, then "mouse grid", "seven", "three", "click": a real press where the cell is.
    return _voice_session(rng, t0, user, (4000, 14000), _grid_press)


VoicePress = Callable[[Composer, random.Random, int, Box], int]
"""Press a control by voice at time t; returns the time the press ended."""


def _voice_session(
    rng: random.Random, t0: int, user: str, think_ms: tuple[int, int], press: VoicePress
) -> list[Message]:
    """The quiz answered by voice: each control pressed by `press`, text dictated."""
    composer = _start(rng, t0, user)
    trace, t = composer.trace, t0 + rng.randint(5000, 20000)
    for index, step in enumerate(PLAN):
        y = _bring_into_view(composer, t, index)
        t += rng.randint(*think_ms)
        box = centred_box(rng, step.kind, rng.randint(200, 700), y + 20)
        t = press(composer, rng, t, box)
        t = _after_voice_press(trace, rng, t, step)
    return trace.finish(t)


def _named_press(composer: Composer, rng: random.Random, t: int, box: Box) -> int:
    _assistive_press(composer.trace, t, box.x + box.w // 2, box.y + box.h // 2, box)
    return t


def _grid_press(composer: Composer, rng: random.Random, t: int, box: Box) -> int:
    # The grid's last cell is somewhere on the control, seldom on its centre.
    x = box.x + round(box.w * rng.uniform(0.15, 0.85))
    y = box.y + round(box.h * rng.uniform(0.2, 0.8))
    composer.trace.sample("mouse_move", t, x, y)
    composer.trace_pos = (x, y)
    t += rng.randint(300, 900)  # "click"
    for phase in ("down", "up", "click"):
        composer.trace.click(t, phase, x, y, box)
        t += rng.randint(0, 2)
    return t


def _after_voice_press(trace: PixelTrace, rng: random.Random, t: int, step: Step) -> int:
    """The choice is made, dictation fills the field, or the quiz is submitted."""
    if step.kind == "choice":
        trace.input(t + 1, step.field, "", 0, 1)
    elif step.kind in TEXT_SENTENCES:
        trace.focus(t + 1, step.field)
        length = 0
        for _ in range(rng.randint(2, 8)):  # dictated phrases arrive as inserted words
            t += rng.randint(1500, 5000)
            words = rng.randint(8, 40)
            length += words
            trace.input(t, step.field, "insertText", words, length)
    else:
        trace.submit(t + 3, len(PLAN))
    return t + rng.randint(1000, 4000)


# --- running them --------------------------------------------------------------------------------

PERSONAS: dict[str, Persona] = {
    "keyboard_only": keyboard_only,
    "screen_reader": screen_reader,
    "touch": touch,
    "paste": paste,
    "voice_control": voice_control,
    "voice_mouse_grid": voice_mouse_grid,
}
RECORDED_PERSONAS = ("tremor", "autofill", "devtools")


def persona_sessions(name: str, split: Split, count: int, seed: int) -> Iterator[HumanSession]:
    rng = random.Random(f"{name}-{seed}")
    typists = typing_pool(split, None)
    windows = _windows(split, rng) if name in RECORDED_PERSONAS else None
    for i in range(count):
        pool = list(next(typists))
        rng.shuffle(pool)
        t0 = BASE_T + i * 3_600_000
        if windows is not None:
            messages = _recorded_persona(
                name, rng, windows[i % len(windows)], pool, t0, f"{name}{i}"
            )
        else:
            messages = PERSONAS[name](rng, pool, t0, f"{name}{i}")
        yield HumanSession(name=f"{name}-{i}", source=name, messages=messages)


def _windows(split: Split, rng: random.Random) -> list[list[PointerRecord]]:
    found = [w for _, records in balabit_sessions(split) for w in press_windows(records, len(PLAN))]
    rng.shuffle(found)
    return found[:400]


def _recorded_persona(
    name: str,
    rng: random.Random,
    window: list[PointerRecord],
    pool: list[list[KeyRecord]],
    t0: int,
    user: str,
) -> list[Message]:
    if name == "tremor":
        return compose(rng, tremor_window(rng, window), _slow_keys(pool, 2.0), t0, user)
    messages = compose(rng, window, pool, t0, user, devtools=name == "devtools")
    if name == "autofill":
        messages = _with_autofill(messages)
    return messages


def _with_autofill(messages: list[Message]) -> list[Message]:
    """The browser fills the student-id and email fields right after the page loads."""
    import msgspec

    from notai.events import Input

    at = messages[1].t + 1200
    filled = [
        Input(
            seq=0, t=at, field="student_id", inputType="insertReplacementText", delta=9, length=9
        ),
        Input(seq=0, t=at + 2, field="email", inputType="", delta=24, length=24),
    ]
    merged = [*messages[:2], *filled, *messages[2:]]
    return [msgspec.structs.replace(m, seq=i) for i, m in enumerate(merged)]
