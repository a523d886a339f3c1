"""One page view while it is being acted on: its clock, scroll position, pointer and the
messages the pixel has queued, each with the client time at which the pixel queued it."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from notai.events import Box, Message, Size


@dataclass
class PageView:
    rng: Random
    viewport: Size
    now: int
    """Client time, Unix ms: what has happened so far on this page happened before it."""
    page_height: int
    scroll_y: int = 0
    pointer: tuple[int, int] | None = None
    """Where the mouse is, in viewport pixels; None until it first moves over the page."""
    queued: list[tuple[int, Message]] = field(default_factory=list)
    started_at: int = 0
    latest: int = 0

    def __post_init__(self) -> None:
        self.started_at = self.latest = self.now

    @property
    def elapsed_ms(self) -> int:
        return self.now - self.started_at

    def emit(self, message: Message, at: int | None = None) -> None:
        """Queue a message; `at` defaults to now, later for batches flushed after the fact."""
        when = self.now if at is None else at
        self.queued.append((when, message))
        self.latest = max(self.latest, when)

    def wait(self, ms: float) -> None:
        self.now += max(0, int(ms))

    def settle(self) -> None:
        """Move the clock past everything queued, so that what comes next comes after it."""
        self.now = max(self.now, self.latest + 1)

    def on_screen(self, box: Box) -> Box:
        """A document box in viewport coordinates at the current scroll position."""
        return Box(x=box.x, y=box.y - self.scroll_y, w=box.w, h=box.h)

    def shows(self, top: int, height: int) -> bool:
        bottom = self.scroll_y + self.viewport.h
        return top >= self.scroll_y + 40 and top + min(height, self.viewport.h // 2) <= bottom

    def scroll_for(self, top: int) -> int:
        """The scroll position that puts a document y a third of the way down the viewport."""
        highest = max(0, self.page_height - self.viewport.h)
        return min(highest, max(0, top - self.viewport.h // 3))
