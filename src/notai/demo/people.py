"""The demo school's students: who they are, how active, on which devices, and who uses agents."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Literal

from notai.demo.courses import CANVAS_URL, COURSES, Course
from notai.demo.devices import (
    DESKTOP_WEIGHTS,
    DESKTOPS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    TABLETS,
    TIMEZONE_WEIGHTS,
    TIMEZONES,
    Device,
)

FIRST_NAMES = (
    "Aaliyah", "Aiden", "Amara", "Andrés", "Ava", "Benjamin", "Camila", "Chloe", "Daniel",
    "Diego", "Elena", "Ethan", "Fatima", "Gabriel", "Grace", "Hannah", "Hiroshi", "Isabella",
    "Jamal", "Jasmine", "Jayden", "Kai", "Leila", "Liam", "Lucas", "Maya", "Mei", "Mohammed",
    "Nadia", "Noah", "Olivia", "Omar", "Priya", "Rafael", "Rosa", "Samuel", "Sofia", "Tariq",
    "Thanh", "Valeria", "William", "Xavier", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Alvarez", "Anderson", "Brooks", "Chen", "Clark", "Davis", "Diaz", "Evans",
    "Fischer", "Garcia", "Gupta", "Hall", "Harris", "Ibrahim", "Jackson", "Johnson", "Kim",
    "Kowalski", "Lee", "Lopez", "Martin", "Martinez", "Nguyen", "Okafor", "Olsen", "Patel",
    "Perez", "Ramirez", "Robinson", "Rossi", "Sato", "Schmidt", "Singh", "Smith", "Sullivan",
    "Tanaka", "Thompson", "Walker", "Washington", "Williams", "Wright", "Yilmaz", "Zhang",
)  # fmt: skip

AgentHabit = Literal["never", "sometimes", "mostly"]

AGENT_USER_SHARE = 0.1
TABLET_USER_SHARE = 0.12
KEYBOARD_ONLY_SHARE = 0.05
SECOND_DEVICE_SHARE = 0.35
AGENT_USER_MIN_ACTIVITY = 2.5
MAX_ACTIVITY = 25.0
"""Caps the heavy tail so that one student cannot own most of a small demo."""


@dataclass(frozen=True)
class DemoUser:
    """A student. `user_id` is the Canvas numeric user id, as a string, exactly as the LMS
    page gives it: the provider is named next to it (`lms.provider`), not inside it."""

    user_id: str
    name: str
    activity: float
    """Relative share of the demo's human sessions."""
    courses: tuple[Course, ...]
    devices: tuple[Device, ...]
    """The first is the one used most."""
    languages: tuple[str, ...]
    timezone: str
    keyboard_only: bool
    agent_habit: AgentHabit
    typing_median_ms: float
    """This person's usual time between two keydowns."""

    @property
    def url(self) -> str:
        return f"{CANVAS_URL}/users/{self.user_id}"


@dataclass(frozen=True)
class _Roles:
    agents: frozenset[int]
    tablets: frozenset[int]
    keyboard_only: frozenset[int]


def enrol_users(rng: Random, count: int, *, with_agents: bool) -> list[DemoUser]:
    """`count` students with distinct ids; a few of them agent users when `with_agents`."""
    roles = _draw_roles(rng, count, with_agents)
    ids = rng.sample(range(1_000, 1_000 + max(90_000, count * 10)), count)
    names = _draw_names(rng, count)
    mostly = sorted(roles.agents)[: (len(roles.agents) + 1) // 2]
    return [
        _make_user(rng, index, str(ids[index]), names[index], roles, index in mostly)
        for index in range(count)
    ]


def _draw_roles(rng: Random, count: int, with_agents: bool) -> _Roles:
    # Disjoint where the class is big enough, so the demo shows each kind of student.
    order = rng.sample(range(count), count)
    agents = max(1, round(count * AGENT_USER_SHARE)) if with_agents else 0
    tablets = max(1, round(count * TABLET_USER_SHARE)) if count >= 5 else 0
    keyboard = max(1, round(count * KEYBOARD_ONLY_SHARE)) if count >= 10 else 0
    return _Roles(
        agents=frozenset(order[:agents]),
        tablets=frozenset(order[agents : agents + tablets]),
        keyboard_only=frozenset(order[agents + tablets : agents + tablets + keyboard]),
    )


def _draw_names(rng: Random, count: int) -> list[str]:
    pairs = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    # A school bigger than the name list has namesakes, as real ones do.
    return [pairs[index % len(pairs)] for index in range(count)]


def _make_user(
    rng: Random, index: int, user_id: str, name: str, roles: _Roles, mostly_agent: bool
) -> DemoUser:
    habit: AgentHabit = "never"
    if index in roles.agents:
        habit = "mostly" if mostly_agent else "sometimes"
    return DemoUser(
        user_id=user_id,
        name=name,
        activity=_activity(rng, habit),
        courses=tuple(rng.sample(COURSES, rng.randint(2, 3))),
        devices=_draw_devices(rng, index in roles.tablets, index in roles.keyboard_only),
        languages=rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0],
        timezone=rng.choices(TIMEZONES, TIMEZONE_WEIGHTS)[0],
        keyboard_only=index in roles.keyboard_only,
        agent_habit=habit,
        typing_median_ms=rng.uniform(150, 250),
    )


def _activity(rng: Random, habit: AgentHabit) -> float:
    activity = min(MAX_ACTIVITY, rng.paretovariate(1.2))
    # Agent users are regulars: an agent is only worth setting up for someone who visits.
    return activity if habit == "never" else max(activity, AGENT_USER_MIN_ACTIVITY)


def _draw_devices(rng: Random, tablet_first: bool, desktop_only: bool) -> tuple[Device, ...]:
    desktop = rng.choices(DESKTOPS, DESKTOP_WEIGHTS)[0]
    tablet = rng.choice(TABLETS)
    if desktop_only:  # people who navigate by keyboard keep to the machine set up for it
        return (desktop,)
    if tablet_first:
        return (tablet, desktop) if rng.random() < 0.5 else (tablet,)
    if rng.random() < SECOND_DEVICE_SHARE:
        return (desktop, tablet)
    return (desktop,)
