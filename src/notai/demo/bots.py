"""Automation acting on a page: test frameworks driven by a script, and AI agents.

Each family leaves the traces it leaves in real browsers. Scripts click the exact centre
of a target with no pointer trail, type with gaps of a few milliseconds or insert whole
answers at once, and jump-scroll. Agents act the same way but pace themselves like a model
thinking: long silences, then a burst of actions. The stealthy families hide
`navigator.webdriver` and every automation global, so only their behaviour gives them away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from notai.demo.devices import CHROMEDRIVER_GLOBALS, PLAYWRIGHT_GLOBALS
from notai.demo.gestures import emit_moves, emit_scroll
from notai.demo.page import PageView
from notai.demo.typing import emit_keystrokes, scripted_keystrokes
from notai.events import Box, Focus, Input, MouseClick, PointerKind

AGENT_THINKING_MIN_MS = 2_500
"""A screenshot, a model call and a reply: an agent's step never takes less."""
AGENT_THINKING_MEDIAN_MS = 6_500
AGENT_THINKING_CAP_MS = 90_000
SCRIPT_WAITS_MS = (0, 100, 250, 500, 1_000)
"""The round numbers that scripts pass to `wait_for_timeout` and `sleep`."""


@dataclass(frozen=True)
class BotStyle:
    """How one family of automation looks to the pixel."""

    moves: Literal["none", "teleport", "line"]
    """No pointer movement, one jump to the target, or a straight line at even steps."""
    typing: Literal["keys", "insert"]
    """A key event per character, or the whole answer inserted by one input event."""
    key_gap_ms: tuple[int, int] = (1, 10)
    key_dwell_ms: tuple[int, int] = (0, 2)
    trusted: bool = True
    """False when events are made by `dispatchEvent` from page or extension script."""
    agent_pacing: bool = False
    webdriver: bool = False
    automation: tuple[str, ...] = ()
    clicks_fields: bool = True
    """Whether it clicks a text field before typing (Playwright's `fill` only focuses it)."""


BOT_STYLES: dict[str, BotStyle] = {
    "headless": BotStyle(
        "none", "insert", webdriver=True, automation=PLAYWRIGHT_GLOBALS, clicks_fields=False
    ),
    "playwright": BotStyle("teleport", "keys", webdriver=True, automation=PLAYWRIGHT_GLOBALS),
    "selenium": BotStyle("none", "keys", (2, 9), webdriver=True, automation=CHROMEDRIVER_GLOBALS),
    "agent_insert_text": BotStyle("none", "insert", agent_pacing=True),
    "agent_synthetic": BotStyle("none", "keys", (3, 12), (0, 1), trusted=False, agent_pacing=True),
    "agent_keystrokes": BotStyle("line", "keys", (14, 36), (6, 14), agent_pacing=True),
}
BOT_KINDS = tuple(BOT_STYLES)
BOT_KIND_WEIGHTS = (18, 18, 10, 26, 14, 14)


class Bot:
    def __init__(self, view: PageView, style: BotStyle) -> None:
        self.view = view
        self.rng = view.rng
        self.style = style

    def read(self, words: int) -> None:
        if self.style.agent_pacing:
            thinking = self.rng.lognormvariate(math.log(AGENT_THINKING_MEDIAN_MS), 0.6)
            thinking += AGENT_THINKING_MIN_MS + words * 15
            self.view.wait(min(AGENT_THINKING_CAP_MS, thinking))
        else:
            self.view.wait(self.rng.choice(SCRIPT_WAITS_MS) + self.rng.randint(0, 4))

    def drift(self) -> None:
        """Automation never wanders off to another tab."""

    def reach(self, top: int, height: int) -> None:
        view = self.view
        target = view.scroll_for(top)
        if view.shows(top, height) or target == view.scroll_y:
            return
        self._pause()
        if not self.style.agent_pacing:  # scrollIntoView: one jump
            emit_scroll(view, [(view.now, 0, target)])
            return
        while view.scroll_y != target:  # an agent's "scroll down" tool: big fixed steps
            step = max(-600, min(600, target - view.scroll_y))
            emit_scroll(view, [(view.now, 0, view.scroll_y + step)])
            view.wait(self.rng.randint(150, 600))

    def press(self, box: Box) -> None:
        self._pause()
        view = self.view
        target = view.on_screen(box)
        x, y = target.x + target.w // 2, target.y + target.h // 2
        self._move_to(x, y)
        pointer: PointerKind = "mouse" if self.style.trusted else ""
        for phase in ("down", "up", "click"):
            view.emit(
                MouseClick(
                    seq=0,
                    t=view.now,
                    phase=phase,
                    x=x,
                    y=y,
                    target=target,
                    pointer=pointer,
                    trusted=self.style.trusted,
                )
            )
            view.wait(self.rng.randint(0, 1))
        view.pointer = (x, y)

    def write(self, field: str, box: Box, chars: int) -> None:
        if self.style.clicks_fields:
            self.press(box)
        view = self.view
        view.emit(Focus(seq=0, t=view.now, field=field, kind="focus"))
        view.wait(self.rng.randint(1, 20))
        if self.style.typing == "insert":
            view.emit(
                Input(
                    seq=0,
                    t=view.now,
                    field=field,
                    inputType="insertText",
                    delta=chars,
                    length=chars,
                    trusted=self.style.trusted,
                )
            )
        else:
            gap, dwell = self.style.key_gap_ms, self.style.key_dwell_ms
            strokes = scripted_keystrokes(self.rng, view.now, chars, gap, dwell)
            emit_keystrokes(view, field, strokes, 0, trusted=self.style.trusted)
        view.settle()
        self._pause()
        view.emit(Focus(seq=0, t=view.now, field=field, kind="blur"))

    def _pause(self) -> None:
        # Within a burst, an agent's actions follow each other quickly; a script's faster still.
        high = 400 if self.style.agent_pacing else 60
        self.view.wait(self.rng.randint(5, high))

    def _move_to(self, x: int, y: int) -> None:
        view = self.view
        if self.style.moves == "teleport":
            emit_moves(view, [(view.now, x, y)], trusted=self.style.trusted, hardware=False)
        elif self.style.moves == "line":
            x0, y0 = view.pointer or (0, 0)
            steps = 10
            line = [
                (view.now + 10 * i, x0 + (x - x0) * i // steps, y0 + (y - y0) * i // steps)
                for i in range(1, steps + 1)
            ]
            emit_moves(view, line, trusted=self.style.trusted, hardware=False)
            view.now = line[-1][0] + 1
