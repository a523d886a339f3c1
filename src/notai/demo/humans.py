"""People acting on a page: with a mouse, with the keyboard alone, or with a finger.

All three read at their own pace, now and then switch to another tab, and type with their
own uneven rhythm; they differ in how they scroll, point and focus a field.
"""

from __future__ import annotations

import math

from notai.demo.gestures import (
    animate_scroll,
    emit_moves,
    emit_scroll,
    emit_touch,
    glide_scroll,
    hand_path,
    swipe,
    wheel_scroll,
)
from notai.demo.page import PageView
from notai.demo.people import DemoUser
from notai.demo.typing import Keystroke, emit_keystrokes, emit_paste, human_keystrokes
from notai.events import Box, Focus, KeyClass, MouseClick

HUMAN_KINDS = ("human", "human_keyboard_only", "human_touch")

READ_CAP_MS = 3 * 60_000
TAB_AWAY_RATE = 0.08
TAB_AWAY_CAP_MS = 8 * 60_000
PASTE_RATE = 0.12
FIDGET_EVERY_MS = 20_000
"""Mean time between the small aimless mouse drifts of someone reading."""


class Student:
    """What every person does whatever their input device."""

    def __init__(self, view: PageView, user: DemoUser, typing_slowdown: float = 1.0) -> None:
        self.view = view
        self.rng = view.rng
        self.typing_median_ms = user.typing_median_ms * typing_slowdown
        self.words_per_minute = self.rng.uniform(170, 320)

    def read(self, words: int) -> None:
        reading = words * 60_000 / self.words_per_minute * self.rng.lognormvariate(0, 0.35)
        self.idle(min(READ_CAP_MS, reading + self.rng.uniform(400, 1500)))

    def idle(self, ms: float) -> None:
        self.view.wait(ms)

    def drift(self) -> None:
        """Sometimes switch to another tab (notes, a search, a message) and come back."""
        if self.rng.random() >= TAB_AWAY_RATE:
            return
        self.view.emit(Focus(seq=0, t=self.view.now, kind="hidden"))
        self.view.wait(min(TAB_AWAY_CAP_MS, self.rng.lognormvariate(math.log(45_000), 1.0)))
        self.view.emit(Focus(seq=0, t=self.view.now, kind="visible"))
        self.view.wait(self.rng.uniform(300, 1500))

    def write(self, field: str, box: Box, chars: int) -> None:
        self.focus_on(box)
        view = self.view
        view.emit(Focus(seq=0, t=view.now, field=field, kind="focus"))
        view.wait(self.rng.uniform(300, 1200))
        pasted = min(chars, self.rng.randint(8, 40)) if self.rng.random() < PASTE_RATE else 0
        before = (chars - pasted) // 2
        length = self._type(field, before, 0)
        if pasted:
            length = emit_paste(view, field, pasted, length)
        self._type(field, chars - pasted - before, length)
        view.wait(self.rng.uniform(200, 900))
        view.emit(Focus(seq=0, t=view.now, field=field, kind="blur"))

    def _type(self, field: str, chars: int, length: int) -> int:
        if chars <= 0:
            return length
        strokes = human_keystrokes(self.rng, self.view.now, chars, self.typing_median_ms)
        length = emit_keystrokes(self.view, field, strokes, length)
        self.view.settle()
        return length

    def focus_on(self, box: Box) -> None:
        self.press(box)

    def press(self, box: Box) -> None:
        raise NotImplementedError

    def aim_within(self, box: Box) -> tuple[int, int]:
        """Where a person lands in a target: near its middle, rarely on it exactly."""
        x = self.rng.gauss(box.x + box.w / 2, box.w / 6)
        y = self.rng.gauss(box.y + box.h / 2, box.h / 6)
        return (
            round(min(box.x + box.w - 2, max(box.x + 2, x))),
            round(min(box.y + box.h - 2, max(box.y + 2, y))),
        )


class MouseStudent(Student):
    def __init__(self, view: PageView, user: DemoUser, trackpad: bool) -> None:
        super().__init__(view, user)
        self.trackpad = trackpad
        self.poll_ms = self.rng.choice((8, 10, 12, 14))  # mice report at 70-125 Hz

    def reach(self, top: int, height: int) -> None:
        view = self.view
        target = view.scroll_for(top)
        if view.shows(top, height) or target == view.scroll_y:
            return
        scroll = glide_scroll if self.trackpad else wheel_scroll
        samples = scroll(self.rng, view.scroll_y, target, view.now + 200)
        emit_scroll(view, samples)
        view.now = samples[-1][0] + 1

    def press(self, box: Box) -> None:
        view = self.view
        x, y = self.aim_within(view.on_screen(box))
        self.move_to((x, y), min(box.w, box.h))
        view.wait(self.rng.lognormvariate(math.log(160), 0.4))  # confirming the target
        target = view.on_screen(box)
        view.emit(MouseClick(seq=0, t=view.now, phase="down", x=x, y=y, target=target))
        view.wait(self.rng.randint(70, 130))
        x += self.rng.choice((-1, 0, 0, 0, 1))
        view.emit(MouseClick(seq=0, t=view.now, phase="up", x=x, y=y, target=target))
        view.wait(self.rng.randint(0, 2))
        view.emit(MouseClick(seq=0, t=view.now, phase="click", x=x, y=y, target=target))
        view.pointer = (x, y)

    def move_to(self, point: tuple[int, int], width: int) -> None:
        view = self.view
        start = view.pointer or (view.viewport.w - 4, self.rng.randint(0, view.viewport.h))
        view.wait(self.rng.uniform(150, 400))  # reaction time before the hand sets off
        samples = hand_path(self.rng, start, point, view.now, self.poll_ms, width)
        emit_moves(view, samples)
        view.now = samples[-1][0] + 1
        view.pointer = point

    def idle(self, ms: float) -> None:
        # People nudge the mouse while they read; it keeps the page's pointer trail alive.
        view, until = self.view, self.view.now + int(ms)
        while True:
            view.wait(self.rng.expovariate(1 / FIDGET_EVERY_MS))
            if view.now >= until - 1_000:
                break
            self.move_to(self._nearby(), 40)
        view.now = max(view.now, until)

    def _nearby(self) -> tuple[int, int]:
        x, y = self.view.pointer or (self.view.viewport.w // 2, self.view.viewport.h // 2)
        x += self.rng.randint(-160, 160)
        y += self.rng.randint(-120, 120)
        return (
            min(self.view.viewport.w - 1, max(0, x)),
            min(self.view.viewport.h - 1, max(0, y)),
        )


class KeyboardStudent(Student):
    """Someone who navigates by keyboard: Tab between controls, Space and Enter to act,
    Page Down to scroll. The browser reports their clicks with pointer type `keyboard`."""

    def reach(self, top: int, height: int) -> None:
        view = self.view
        target = view.scroll_for(top)
        while not view.shows(top, height) and view.scroll_y != target:
            view.wait(self._gap())
            step = int(view.viewport.h * 0.85)
            position = max(view.scroll_y - step, min(view.scroll_y + step, target))
            self._keys("other", 1)
            emit_scroll(view, animate_scroll(self.rng, view.scroll_y, position, view.now))
            view.wait(400)

    def press(self, box: Box) -> None:
        self.focus_on(box)
        # Space selects a focused answer choice (the wide boxes); Enter activates a button.
        self._keys("space" if box.w > 200 else "enter", 1)
        view = self.view
        view.emit(
            MouseClick(
                seq=0,
                t=view.now,
                phase="click",
                x=0,
                y=0,
                target=view.on_screen(box),
                pointer="keyboard",
            )
        )

    def focus_on(self, box: Box) -> None:
        self._keys("other", self.rng.randint(1, 3))  # Tab, Tab...

    def _keys(self, key: KeyClass, count: int) -> None:
        view, strokes = self.view, []
        for _ in range(count):
            view.wait(self._gap())
            strokes.append(Keystroke(view.now, view.now + self.rng.randint(70, 130), key, 0))
        emit_keystrokes(view, "", strokes, 0)
        view.settle()

    def _gap(self) -> int:
        return int(self.rng.lognormvariate(math.log(320), 0.4))


class TouchStudent(Student):
    """Someone on a tablet: swipes to scroll, taps to act, types on the screen keyboard."""

    def __init__(self, view: PageView, user: DemoUser) -> None:
        super().__init__(view, user, typing_slowdown=1.4)

    def reach(self, top: int, height: int) -> None:
        view = self.view
        target = view.scroll_for(top)
        while not view.shows(top, height) and view.scroll_y != target:
            view.wait(self.rng.uniform(250, 700))
            distance = max(-800, min(800, target - view.scroll_y))
            x = self.rng.randint(view.viewport.w // 4, view.viewport.w * 3 // 4)
            y = view.viewport.h * 3 // 4 if distance > 0 else view.viewport.h // 4
            finger = swipe(self.rng, x, y, max(-300, min(300, distance // 2)), view.now)
            emit_touch(view, finger)
            glide = glide_scroll(self.rng, view.scroll_y, view.scroll_y + distance, view.now)
            emit_scroll(view, glide)
            view.now = max(finger[-1][0], glide[-1][0]) + 1

    def press(self, box: Box) -> None:
        view = self.view
        view.wait(self.rng.uniform(200, 500))
        x, y = self.aim_within(view.on_screen(box))
        lift = view.now + self.rng.randint(60, 140)
        emit_touch(view, [(view.now, x, y), (lift, x + self.rng.randint(-2, 2), y)])
        target = view.on_screen(box)
        view.emit(
            MouseClick(seq=0, t=view.now, phase="down", x=x, y=y, target=target, pointer="touch")
        )
        view.now = lift
        view.emit(
            MouseClick(seq=0, t=view.now, phase="up", x=x, y=y, target=target, pointer="touch")
        )
        view.wait(self.rng.randint(5, 30))
        view.emit(
            MouseClick(seq=0, t=view.now, phase="click", x=x, y=y, target=target, pointer="touch")
        )
