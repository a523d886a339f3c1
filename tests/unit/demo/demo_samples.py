"""Demo sessions shared by the demo tests (generated once per run), and ways to read them."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

from notai.demo import DemoSession, generate_demo
from notai.events import Identify, Init, Keypress, LmsContext, Message

NOW_MS = 1_750_000_000_000
"""2025-06-15 15:06:40 UTC, a Sunday afternoon."""
INTEGRATION = "a7f3c2e1"
DAY_MS = 86_400_000


@functools.cache
def default_demo() -> tuple[DemoSession, ...]:
    """The demo with its default arguments: 40 students, 1,500 sessions, 15% bots."""
    return tuple(generate_demo(INTEGRATION, now_ms=NOW_MS))


def messages(session: DemoSession) -> Iterator[Message]:
    """Every message of a session, in the order the pixel numbered them."""
    for _, batch in session.batches:
        yield from batch.events


def of_kind(*kinds: str) -> list[DemoSession]:
    found = [session for session in default_demo() if session.kind in kinds]
    assert found, f"the default demo has no session of kind {kinds}"
    return found


def first_init(session: DemoSession) -> Init:
    init = session.batches[0][1].events[0]
    assert isinstance(init, Init)
    return init


def student(session: DemoSession) -> LmsContext:
    """The LMS user of a session, from `init` or, when the page learnt it late, `identify`."""
    for message in messages(session):
        if isinstance(message, Init | Identify) and message.lms and message.lms.userId:
            return message.lms
    raise AssertionError("session names no student")


def keydown_gaps(session: DemoSession) -> list[int]:
    """Gaps between consecutive keydowns within each keypress message."""
    gaps: list[int] = []
    for message in messages(session):
        if isinstance(message, Keypress):
            downs = sorted(key[0] for key in message.keys)
            gaps += [later - earlier for earlier, later in itertools.pairwise(downs)]
    return gaps
