"""Who opens which page when, and whether a person or a bot acts on it.

Every student has at least one session; the rest go to students in proportion to how
active they are. Bot sessions go mostly to a few agent users: those who mostly use agents
get most of them, those who sometimes do get some, and a handful of ordinary students try
one once.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from notai.demo.bots import BOT_KIND_WEIGHTS, BOT_KINDS
from notai.demo.courses import (
    CoursePage,
    assignment_page,
    discussion_page,
    modules_page,
    quiz_page,
)
from notai.demo.devices import (
    CHROME_MAC,
    CHROME_WINDOWS,
    PLAYWRIGHT_CHROMIUM,
    PLAYWRIGHT_HEADLESS,
    Device,
)
from notai.demo.people import DemoUser
from notai.demo.rhythm import Rhythm

CURIOUS_SHARE = 0.03
"""Share of bot sessions owned by students who are not agent users."""
AGENT_HABIT_WEIGHTS = {"mostly": 4.0, "sometimes": 0.6, "never": 0.0}
MOSTLY_AGENT_HUMAN_WEIGHT = 0.15
"""Someone who mostly uses an agent rarely does the work by hand."""
FAVOURITE_BOT_SHARE = 0.6
"""Agent users keep to one tool most of the time."""
PERSON_PAGES = (("quiz", 22), ("assignment", 22), ("discussion", 20), ("modules", 36))
BOT_PAGES = (("quiz", 55), ("assignment", 20), ("discussion", 25))


@dataclass(frozen=True)
class SessionPlan:
    received_at_ms: int
    user: DemoUser
    page: CoursePage
    kind: str
    device: Device
    seed: int
    """Seeds this session's own generator, so it can be built on its own."""


def plan_sessions(
    rng: Random, users: list[DemoUser], sessions: int, bot_sessions: int, rhythm: Rhythm
) -> list[SessionPlan]:
    """All sessions of the demo, in the order the collector receives them."""
    owners = _owners(rng, users, sessions, bot_sessions)
    favourites = _favourite_bots(rng, users)
    plans = [
        _plan(rng, user, is_bot, favourites.get(user.user_id), rhythm) for user, is_bot in owners
    ]
    return sorted(plans, key=lambda plan: plan.received_at_ms)


def _favourite_bots(rng: Random, users: list[DemoUser]) -> dict[str, str]:
    # Dealt out in turn, so that a handful of agent users still show every family.
    agents = [user for user in users if user.agent_habit != "never"]
    kinds = rng.sample(BOT_KINDS, len(BOT_KINDS))
    return {user.user_id: kinds[index % len(kinds)] for index, user in enumerate(agents)}


def _owners(
    rng: Random, users: list[DemoUser], sessions: int, bot_sessions: int
) -> list[tuple[DemoUser, bool]]:
    bots_left, humans_left = bot_sessions, sessions - bot_sessions
    owners: list[tuple[DemoUser, bool]] = []
    for user in rng.sample(users, min(len(users), sessions)):
        is_bot = humans_left == 0 or (user.agent_habit == "mostly" and bots_left > 0)
        owners.append((user, is_bot))
        bots_left -= is_bot
        humans_left -= not is_bot
    owners += [(user, True) for user in _bot_owners(rng, users, bots_left)]
    human_weights = [
        user.activity * (MOSTLY_AGENT_HUMAN_WEIGHT if user.agent_habit == "mostly" else 1.0)
        for user in users
    ]
    owners += [(user, False) for user in rng.choices(users, human_weights, k=humans_left)]
    rng.shuffle(owners)
    return owners


def _bot_owners(rng: Random, users: list[DemoUser], count: int) -> list[DemoUser]:
    agents = [user for user in users if user.agent_habit != "never"]
    if not agents or count <= 0:
        return rng.choices(users, k=max(0, count))
    curious = sum(rng.random() < CURIOUS_SHARE for _ in range(count))
    weights = [AGENT_HABIT_WEIGHTS[user.agent_habit] for user in agents]
    return rng.choices(agents, weights, k=count - curious) + rng.choices(users, k=curious)


def _plan(
    rng: Random, user: DemoUser, is_bot: bool, favourite: str | None, rhythm: Rhythm
) -> SessionPlan:
    course = rng.choice(user.courses)
    received_at_ms, deadline = rhythm.draw(rng, course)
    kinds, weights = zip(*(BOT_PAGES if is_bot else PERSON_PAGES), strict=True)
    page_kind = "quiz" if deadline else rng.choices(kinds, weights)[0]
    if page_kind == "quiz":
        week = (deadline or rhythm.next_deadline(course, received_at_ms)).week
        page = quiz_page(course, week)
    elif page_kind == "assignment":
        page = assignment_page(course, rng.randrange(8))
    elif page_kind == "discussion":
        page = discussion_page(course, rng.randrange(8))
    else:
        page = modules_page(course)
    kind, device = _bot_kind(rng, user, favourite) if is_bot else _person_kind(rng, user)
    return SessionPlan(received_at_ms, user, page, kind, device, rng.getrandbits(64))


def _person_kind(rng: Random, user: DemoUser) -> tuple[str, Device]:
    device = user.devices[0] if rng.random() < 0.8 else rng.choice(user.devices)
    if device.touch:
        return "human_touch", device
    return ("human_keyboard_only" if user.keyboard_only else "human"), device


def _bot_kind(rng: Random, user: DemoUser, favourite: str | None) -> tuple[str, Device]:
    kind = favourite
    if kind is None or rng.random() >= FAVOURITE_BOT_SHARE:
        kind = rng.choices(BOT_KINDS, BOT_KIND_WEIGHTS)[0]
    if kind == "headless":
        return kind, PLAYWRIGHT_HEADLESS
    if kind == "playwright":
        return kind, PLAYWRIGHT_CHROMIUM
    # The others drive the student's own Chrome, or one like it.
    own = [device for device in user.devices if device.chromium and not device.touch]
    fallback = CHROME_MAC if user.devices[0].platform == "MacIntel" else CHROME_WINDOWS
    return kind, own[0] if own else fallback
