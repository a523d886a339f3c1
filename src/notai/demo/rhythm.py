"""When students open pages: mostly afternoons and evenings, and in rushes before quiz deadlines."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from random import Random

from notai.demo.courses import Course

SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

CAMPUS_UTC_OFFSET_MS = -5 * HOUR
"""Central daylight time, all year: the demo does not need daylight saving."""

HOUR_WEIGHTS = (
    3.0, 2.0, 1.0, 0.5, 0.3, 0.3, 0.5, 1.0, 2.5, 4.5, 5.5, 6.0,
    5.0, 5.5, 6.0, 6.0, 5.0, 5.0, 6.0, 8.0, 9.0, 9.0, 8.0, 5.5,
)  # fmt: skip
"""Sessions per campus hour, midnight first: classes by day, homework in the evening."""
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.8, 0.45, 0.75)
"""Monday first: a quiet Saturday, and Sunday evening catching up."""

DEADLINE_RUSH_SHARE = 0.3
"""Share of sessions drawn as a rush before a quiz deadline, on top of the daily rhythm."""
RUSH_MEAN_MS = 6 * HOUR
RUSH_MAX_MS = 48 * HOUR
DEADLINE_MINUTE_OF_DAY = 23 * 60 + 59
FIRST_WEEK = 3
"""The demo's window opens a few weeks into term, so its first quiz is not Week 1."""


@dataclass(frozen=True)
class Deadline:
    due_ms: int
    week: int


def local_day(utc_ms: int) -> int:
    """Days since 1970-01-01 on the campus calendar."""
    return (utc_ms + CAMPUS_UTC_OFFSET_MS) // DAY


def weekday(day: int) -> int:
    """0 for Monday: 1970-01-01 was a Thursday."""
    return (day + 3) % 7


class Rhythm:
    """Draws session start times inside [start_ms, end_ms] for a course's students."""

    def __init__(self, start_ms: int, end_ms: int) -> None:
        self.start_ms = start_ms
        self.end_ms = end_ms
        first, last = local_day(start_ms), local_day(end_ms)
        self._days = list(range(first, last + 1))
        self._day_weights = [WEEKDAY_WEIGHTS[weekday(day)] for day in self._days]
        self._deadlines: dict[int, list[Deadline]] = {}

    def deadlines(self, course: Course) -> list[Deadline]:
        """The course's quiz deadlines from the window's first week to a week after it ends."""
        if course.course_id not in self._deadlines:
            first = self._days[0]
            days = range(first, self._days[-1] + 8)
            self._deadlines[course.course_id] = [
                Deadline(self._due_ms(day), FIRST_WEEK + (day - first) // 7)
                for day in days
                if weekday(day) == course.quiz_weekday
            ]
        return self._deadlines[course.course_id]

    def next_deadline(self, course: Course, at_ms: int) -> Deadline:
        deadlines = self.deadlines(course)
        dues = [deadline.due_ms for deadline in deadlines]
        return deadlines[min(bisect_right(dues, at_ms), len(deadlines) - 1)]

    def draw(self, rng: Random, course: Course) -> tuple[int, Deadline | None]:
        """A start time, and the deadline it rushes towards when it is part of a rush."""
        if rng.random() < DEADLINE_RUSH_SHARE:
            rush = self._draw_rush(rng, course)
            if rush is not None:
                return rush
        return self._draw_ordinary(rng), None

    def _draw_rush(self, rng: Random, course: Course) -> tuple[int, Deadline] | None:
        candidates = [
            deadline
            for deadline in self.deadlines(course)
            if self.start_ms < deadline.due_ms and deadline.due_ms - RUSH_MAX_MS < self.end_ms
        ]
        if not candidates:
            return None
        deadline = rng.choice(candidates)
        for _ in range(8):
            early = min(int(rng.expovariate(1 / RUSH_MEAN_MS)), RUSH_MAX_MS)
            start = deadline.due_ms - early
            if self.start_ms <= start <= self.end_ms:
                return start, deadline
        return None

    def _draw_ordinary(self, rng: Random) -> int:
        while True:  # only the window's two partial days ever need a second try
            day = rng.choices(self._days, self._day_weights)[0]
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            start = day * DAY + hour * HOUR + rng.randrange(HOUR) - CAMPUS_UTC_OFFSET_MS
            if self.start_ms <= start <= self.end_ms:
                return start

    @staticmethod
    def _due_ms(day: int) -> int:
        return day * DAY + DEADLINE_MINUTE_OF_DAY * MINUTE - CAMPUS_UTC_OFFSET_MS
