"""Demo data: a month of a school's Canvas sessions, people and bots, as the pixel sends them.

`generate_demo` yields sessions ready to feed to the collector, batch by batch, at the
server times at which they would have arrived. The same arguments always give the same
sessions: everything random comes from one `random.Random(seed)`.

Students are identified as Canvas identifies them: `userId` is the numeric Canvas user id
as a string (e.g. `"48812"`), with `lms.provider` saying it is Canvas's; `userUrl` is
`https://canvas.example.edu/users/<id>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from random import Random

from notai.demo.bots import BOT_KINDS
from notai.demo.humans import HUMAN_KINDS
from notai.demo.people import enrol_users
from notai.demo.plan import SessionPlan, plan_sessions
from notai.demo.rhythm import DAY, HOUR, Rhythm
from notai.demo.session import DemoSession, build_session
from notai.events import MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS

__all__ = ["BOT_KINDS", "HUMAN_KINDS", "MAX_SESSION_MS", "DemoSession", "generate_demo"]

MAX_SESSION_MS = HOUR
"""No demo session lasts longer, so none that starts in the window ends after `now_ms`."""
_INTEGRATION_ID = re.compile(r"^[a-z0-9]{8}$")


def generate_demo(
    integration_id: str,
    *,
    users: int = 40,
    sessions: int = 1500,
    seed: int = 7,
    now_ms: int,
    days: int = 28,
    bot_share: float = 0.15,
) -> Iterator[DemoSession]:
    """Sessions of `users` students over the `days` days before `now_ms`, oldest first.

    Starts follow a student's week: busier afternoons and evenings, quieter weekends, and
    rushes in the hours before each course's weekly quiz deadline. Every student has at
    least one session (when there are as many sessions as students); some students are far
    more active than others. `round(sessions * bot_share)` of them are bots, mostly owned
    by a few agent users. Every batch of a session is delivered after it starts and before
    `now_ms`: no session starts in the last `MAX_SESSION_MS`, so each can end. Raises
    ValueError at the call for arguments no demo can satisfy.
    """
    _check(integration_id, users, sessions, now_ms, days, bot_share)
    rng = Random(seed)
    bot_sessions = round(sessions * bot_share)
    people = enrol_users(rng, users, with_agents=bot_sessions > 0)
    rhythm = Rhythm(now_ms - days * DAY, now_ms - MAX_SESSION_MS)
    plans = plan_sessions(rng, people, sessions, bot_sessions, rhythm)
    return _act_out(plans, integration_id)


def _act_out(plans: list[SessionPlan], integration_id: str) -> Iterator[DemoSession]:
    # Built lazily: a session's samples take memory, and a loader streams them anyway.
    for plan in plans:
        yield build_session(plan, integration_id)


def _check(
    integration_id: str, users: int, sessions: int, now_ms: int, days: int, bot_share: float
) -> None:
    if not _INTEGRATION_ID.match(integration_id):
        raise ValueError("integration_id must be 8 lowercase letters or digits")
    if users < 1 or sessions < 0:
        raise ValueError("users must be at least 1 and sessions at least 0")
    if days < 1:
        raise ValueError("days must be at least 1")
    if not 0.0 <= bot_share <= 1.0:
        raise ValueError("bot_share must be between 0 and 1")
    if now_ms - days * DAY - HOUR < MIN_TIMESTAMP_MS or now_ms + HOUR > MAX_TIMESTAMP_MS:
        raise ValueError("the demo's window must lie between the years 2000 and 2100")
