"""Rate limits per API key: a sliding one-minute window of per-second counters.

A key's window is the 60 whole seconds up to and including the current one. A request is
admitted when the window holds fewer hits than the plan's `requests_per_minute`, and only
admitted requests count, so a client that keeps calling while limited is let in again as
soon as its oldest admitted requests leave the window. A hit leaves at the start of the
60th second after the one it was made in: between 59 and 60 seconds after it, never at a
minute boundary, so there is no burst of twice the limit at :00.

Two implementations behind one protocol, chosen from the database's dialect:

- `PostgresRateLimiter`: the window lives in PostgreSQL (`store/ratelimits.py`), so every
  worker process and machine shares it; one statement per request.
- `MemoryRateLimiter`: the window lives in the process, for the embedded SQLite
  deployment (one process per database). Several workers on one SQLite file each keep
  their own window.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from notai.store import ratelimits as repo
from notai.store.database import Database

WINDOW_SECONDS = repo.WINDOW_SECONDS

Clock = Callable[[], float]
"""Seconds since the Unix epoch; tests pass a fake one."""


@dataclass(frozen=True)
class Decision:
    admitted: bool
    retry_after: int = 0
    """Whole seconds until the window would admit a request again (0 when admitted)."""


class RateLimiter(Protocol):
    """Counts a key's requests in its window and says whether one more may pass."""

    async def admit(self, integration_id: str, key_id: str, limit: int) -> Decision:
        """Count one request of this key if its window holds fewer than `limit`."""
        ...

    async def sweep(self) -> None:
        """Forget windows that have emptied, so the limiter's state stays bounded."""
        ...


def seconds_until_admitted(buckets: Iterable[tuple[int, int]], limit: int, now: float) -> int:
    """When, in whole seconds from `now`, a window of (second, hits) would admit a request.

    The oldest seconds leave first; the answer is the moment enough of them have left
    for the window to hold fewer than `limit` hits. At least 1: the caller was refused.
    """
    ordered = sorted(buckets)
    remaining = sum(hits for _, hits in ordered)
    for second, hits in ordered:
        if remaining < limit:
            break
        remaining -= hits
        if remaining < limit:
            return max(1, math.ceil(second + WINDOW_SECONDS - now))
    return 1


@dataclass
class _Window:
    """One key's [second, hits] counters, oldest first, and their sum."""

    buckets: deque[list[int]] = field(default_factory=deque)
    total: int = 0

    def expire(self, now_second: int) -> None:
        while self.buckets and self.buckets[0][0] <= now_second - WINDOW_SECONDS:
            self.total -= self.buckets.popleft()[1]

    def add(self, now_second: int) -> None:
        # A clock that stepped back counts in the newest second rather than reorder the deque.
        if self.buckets and self.buckets[-1][0] >= now_second:
            self.buckets[-1][1] += 1
        else:
            self.buckets.append([now_second, 1])
        self.total += 1


class MemoryRateLimiter:
    """The window in this process's memory: exact for one process, no I/O."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}

    async def admit(self, integration_id: str, key_id: str, limit: int) -> Decision:
        # No await between reading and counting: admission is atomic on the event loop.
        now = self._clock()
        second = math.floor(now)
        window = self._windows.setdefault((integration_id, key_id), _Window())
        window.expire(second)
        if window.total >= limit:
            buckets = ((s, hits) for s, hits in window.buckets)
            return Decision(False, seconds_until_admitted(buckets, limit, now))
        window.add(second)
        return Decision(True)

    def __len__(self) -> int:
        """How many keys have a window in memory."""
        return len(self._windows)

    async def sweep(self) -> None:
        second = math.floor(self._clock())
        for key, window in list(self._windows.items()):
            window.expire(second)
            if not window.buckets:
                del self._windows[key]


class PostgresRateLimiter:
    """The window in PostgreSQL, shared by every worker: one statement per request."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self._db = db
        self._clock = clock

    async def admit(self, integration_id: str, key_id: str, limit: int) -> Decision:
        now = self._clock()
        async with self._db.connection() as conn:
            found = await repo.hit(conn, integration_id, key_id, math.floor(now), limit)
        if found.admitted:
            return Decision(True)
        return Decision(False, seconds_until_admitted(found.buckets, limit, now))

    async def sweep(self) -> None:
        async with self._db.connection() as conn:
            await repo.delete_expired(conn, math.floor(self._clock()))


def rate_limiter_for(db: Database, clock: Clock = time.time) -> RateLimiter:
    """Shared state where workers can share it (PostgreSQL); in-process on SQLite."""
    if db.dialect == "postgresql":
        return PostgresRateLimiter(db, clock)
    return MemoryRateLimiter(clock)
