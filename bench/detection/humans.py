"""Human quiz sessions composed from the real recordings, in the pixel's event format.

Each session takes one window of a Balabit mouse session holding as many left presses as
the quiz has steps (every move, press, release and wheel notch in it, at its recorded
times; silences over 15 s shortened to 15 s), and typing of one Aalto participant for the
text answers (their real key timings and key classes). Mouse time stops while a person
types. Screen coordinates become viewport coordinates by removing the browser's toolbar.
Target boxes are placed around each real press as people's presses fall on targets.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bench.detection.pixelish import PixelTrace
from bench.detection.quiz import (
    BASE_T,
    DESKTOP_BROWSERS,
    PAGE_HEIGHT,
    PLAN,
    QUIZ_URL,
    TEXT_SENTENCES,
    Step,
    aimed_box,
    environment,
    lms_context,
)
from bench.detection.recordings import (
    KeyRecord,
    PointerRecord,
    Split,
    aalto_participants,
    balabit_sessions,
    read_aalto,
)

from notai.events import Message

MAX_SILENCE_MS = 15_000
MAX_WINDOW_USES = 3
TOOLBAR_PX = 100
NOTCH_PX = 100
FRAME_MS = 16


@dataclass
class HumanSession:
    """One composed session and where its parts came from."""

    name: str
    source: str
    messages: list[Message]


# --- windows of mouse recordings -----------------------------------------------------------------


def press_windows(records: Sequence[PointerRecord], presses: int) -> Iterator[list[PointerRecord]]:
    """Consecutive, non-overlapping windows holding `presses` left presses each."""
    starts = [i for i, r in enumerate(records) if r.kind == "down" and r.button == 0]
    for k in range(0, len(starts) - presses, presses):
        first, last = starts[k], starts[k + presses - 1]
        begin = first
        while begin > 0 and records[first].ms - records[begin - 1].ms < 5000:
            begin -= 1
        end = last
        while end + 1 < len(records) and records[end].kind != "up":
            end += 1
        yield list(records[begin : end + 1])


def typing_pool(split: Split, limit: int | None) -> Iterator[list[list[KeyRecord]]]:
    """Participants' sentences, one participant at a time, cycling for ever."""
    participants = list(aalto_participants(split))
    if limit is not None:
        participants = participants[:limit]
    while True:
        for _, path in participants:
            sentences = read_aalto(path)
            if len(sentences) >= 6:
                yield sentences


# --- composing a session -------------------------------------------------------------------------


class Composer:
    """Writes one recorded person's quiz session into a `PixelTrace`."""

    def __init__(self, rng: random.Random, t0: int, viewport: tuple[int, int]) -> None:
        self.rng = rng
        self.trace = PixelTrace(rng)
        self.t0 = t0
        self.vw, self.vh = viewport
        self.scroll_y = 0
        self.scroll_free_t = 0
        self.answers: set[str] = set()
        self.trace_pos = (self.vw // 2, self.vh // 2)

    def view(self, x: int, y: int) -> tuple[int, int]:
        return max(0, min(self.vw - 1, x)), max(0, min(self.vh - 1, y - TOOLBAR_PX))

    def wheel(self, t: int, notches: int) -> None:
        """A smooth-scrolled wheel notch: about 100 px eased over a few frames.

        Notches that come faster than their animation continue it rather than overlap it.
        """
        top = max(0, min(PAGE_HEIGHT - self.vh, self.scroll_y + notches * NOTCH_PX))
        start, frames = self.scroll_y, self.rng.randint(5, 9)
        begin = max(t, self.scroll_free_t)
        for i in range(1, frames + 1):
            eased = 1 - (1 - i / frames) ** 3
            y = round(start + (top - start) * eased)
            self.trace.sample("scroll", begin + i * FRAME_MS, 0, y)
        self.scroll_y = top
        self.scroll_free_t = begin + frames * FRAME_MS

    def press(self, t: int, x: int, y: int, step: Step) -> None:
        box = aimed_box(self.rng, step.kind, x, y)
        self.trace.click(t, "down", x, y, box)
        if step.kind in ("short", "essay"):
            self.trace.focus(t + 2, step.field)

    def release(self, t: int, x: int, y: int, step: Step) -> None:
        self.trace.click(t, "up", x, y, None)
        self.trace.click(t, "click", x, y, None)
        if step.kind == "choice":
            self.trace.input(t + 1, step.field, "", 0, 1)
            self.answers.add(step.field)
        if step.kind == "submit":
            self.trace.submit(t + 3, len(PLAN) + 12)

    def type_text(self, t: int, field: str, sentences: list[list[KeyRecord]]) -> int:
        """Type the sentences into `field` from time t; returns when typing ended."""
        length = 0
        for sentence in sentences:
            for key in sentence:
                down, up = t + key.down_ms, t + key.up_ms
                self.trace.key(down, up, key.key, shiftless=key.shiftless)
                length = self._echo(down, field, key, length)
            t += sentence[-1].up_ms + self.rng.randint(800, 4000)
        self.answers.add(field)
        return t

    def _echo(self, down: int, field: str, key: KeyRecord, length: int) -> int:
        """The input event a key produces in a text field."""
        if key.key == "modifier" or (key.key == "enter" and field != "essay"):
            return length
        if key.key == "backspace":
            if length:
                self.trace.input(down + 1, field, "deleteContentBackward", -1, length - 1)
            return max(0, length - 1)
        kind = "insertLineBreak" if key.key == "enter" else "insertText"
        self.trace.input(down + 1, field, kind, 1, length + 1)
        return length + 1


def compose(
    rng: random.Random,
    window: list[PointerRecord],
    sentences: list[list[KeyRecord]],
    t0: int,
    user: str,
    *,
    devtools: bool = False,
) -> list[Message]:
    """A quiz session: the window's pointer activity with typing after text-field presses."""
    browser = rng.choice(DESKTOP_BROWSERS)
    composer = Composer(rng, t0, browser.viewport)
    trace = composer.trace
    env = environment(rng, browser, devtools=devtools)
    trace.start(t0, QUIZ_URL, env, lms_context(user))
    reading = rng.randint(3000, 20000)
    shift = t0 + reading - window[0].ms
    steps, step, last_ms = iter(PLAN), PLAN[0], window[0].ms
    for record in window:
        gap = record.ms - last_ms
        if gap > MAX_SILENCE_MS:
            shift -= gap - MAX_SILENCE_MS
        last_ms = record.ms
        t = record.ms + shift
        x, y = composer.view(record.x, record.y)
        if record.kind == "move":
            trace.sample("mouse_move", t, x, y)
        elif record.kind in ("wheel_down", "wheel_up"):
            composer.wheel(t, 1 if record.kind == "wheel_down" else -1)
        elif record.button != 0:
            trace.click(t, "down" if record.kind == "down" else "up", x, y, None, button=2)
        elif record.kind == "down":
            step = next(steps, PLAN[-1])
            composer.press(t, x, y, step)
        else:
            composer.release(t, x, y, step)
            if step.kind in TEXT_SENTENCES:
                low, high = TEXT_SENTENCES[step.kind]
                chosen = [sentences.pop() for _ in range(rng.randint(low, high)) if sentences]
                ended = composer.type_text(t + rng.randint(300, 900), step.field, chosen)
                shift += ended - t + rng.randint(300, 1500)
    return trace.finish(window[-1].ms + shift)


def recorded_sessions(split: Split, count: int, seed: int) -> Iterator[HumanSession]:
    """`count` sessions from the recordings of `split`, spread over its people.

    Each mouse window is used up to `MAX_WINDOW_USES` times, each time with another typist.
    """
    rng = random.Random(seed)
    typists = typing_pool(split, None)
    windows = [
        (name, window)
        for name, records in balabit_sessions(split)
        for window in press_windows(records, len(PLAN))
    ]
    rng.shuffle(windows)
    # More sessions than windows: each window is used again with another typist, other
    # target boxes and another browser (the mouse behaviour then repeats across sessions).
    for i in range(min(count, len(windows) * MAX_WINDOW_USES)):
        name, window = windows[i % len(windows)]
        sentences = list(next(typists))
        rng.shuffle(sentences)
        t0 = BASE_T + i * 3_600_000
        messages = compose(rng, window, sentences, t0, user=f"h{i}")
        yield HumanSession(name=f"{split}-{i}", source=name, messages=messages)
