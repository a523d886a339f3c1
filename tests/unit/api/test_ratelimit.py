"""The sliding window: per-second counters over the last 60 s, on an injected clock."""

from __future__ import annotations

import asyncio
import copy

from hypothesis import given
from hypothesis import strategies as st

from notai.api.ratelimit import (
    WINDOW_SECONDS,
    Decision,
    MemoryRateLimiter,
    seconds_until_admitted,
)

T0 = 1_780_000_000.0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def admit(limiter: MemoryRateLimiter, limit: int = 60, key: str = "key-1") -> Decision:
    """Run one admission; the in-memory limiter never waits, so no event loop is needed."""
    pending = limiter.admit("abcdefgh", key, limit)
    try:
        pending.send(None)
    except StopIteration as done:
        decision: Decision = done.value
        return decision
    pending.close()
    raise AssertionError("the in-memory limiter waited: its admission would not be atomic")


def test_the_61st_request_in_a_minute_is_refused_until_the_first_leaves() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock)

    assert all(admit(limiter).admitted for _ in range(60))
    refused = admit(limiter)
    clock.now = T0 + 59.5
    still = admit(limiter)
    clock.now = T0 + 60
    again = admit(limiter)

    assert refused == Decision(False, 60)
    assert still == Decision(False, 1)
    assert again.admitted


def test_requests_spread_over_time_return_exactly_as_old_ones_leave() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock)
    for second in range(60):
        clock.now = T0 + second
        assert admit(limiter).admitted, second

    for second in range(60, 70):
        clock.now = T0 + second - 0.5
        assert admit(limiter) == Decision(False, 1), second
        clock.now = T0 + second
        assert admit(limiter).admitted, second
        assert admit(limiter) == Decision(False, 1), second


def test_refused_requests_do_not_count() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock)
    for _ in range(60):
        admit(limiter)
    for second in range(1, 60):
        clock.now = T0 + second
        assert admit(limiter) == Decision(False, 60 - second)

    clock.now = T0 + 60
    assert sum(admit(limiter).admitted for _ in range(61)) == 60


def test_keys_are_counted_separately() -> None:
    limiter = MemoryRateLimiter(FakeClock())
    for _ in range(60):
        admit(limiter, key="busy")

    assert not admit(limiter, key="busy").admitted
    assert admit(limiter, key="quiet").admitted


def test_the_plan_limit_is_the_one_asked_for() -> None:
    limiter = MemoryRateLimiter(FakeClock())

    assert sum(admit(limiter, limit=600).admitted for _ in range(700)) == 600


def test_sweep_forgets_emptied_windows() -> None:
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock)
    admit(limiter, key="early")
    clock.now = T0 + 30
    admit(limiter, key="later")

    clock.now = T0 + 60
    asyncio.run(limiter.sweep())
    assert len(limiter) == 1
    clock.now = T0 + 90
    asyncio.run(limiter.sweep())
    assert len(limiter) == 0


def test_seconds_until_admitted_drops_the_oldest_seconds_first() -> None:
    buckets = [(100, 3), (101, 2), (130, 1)]

    assert seconds_until_admitted(buckets, limit=6, now=130.0) == 30  # (100) leaves at 160
    assert seconds_until_admitted(buckets, limit=4, now=130.5) == 30  # 3 left: (100) suffices
    assert seconds_until_admitted(buckets, limit=2, now=130.5) == 31  # (101) must leave too
    assert seconds_until_admitted(buckets, limit=1, now=130.5) == 60  # all of them
    assert seconds_until_admitted([], limit=1, now=130.5) == 1  # room already: retry now


arrivals = st.lists(
    st.tuples(st.floats(min_value=0, max_value=5, allow_nan=False), st.integers(1, 4)),
    min_size=1,
    max_size=60,
)


@given(arrivals=arrivals, limit=st.integers(1, 12))
def test_the_window_never_holds_more_than_the_limit_and_retry_after_is_exact(
    arrivals: list[tuple[float, int]], limit: int
) -> None:
    """Bursts at random times: any 60 consecutive seconds admit at most `limit`; a refusal's
    Retry-After is the first whole-second wait after which a request is admitted."""
    clock = FakeClock()
    limiter = MemoryRateLimiter(clock)
    admitted: list[int] = []
    for gap, burst in arrivals:
        clock.now += gap
        for _ in range(burst):
            decision = admit(limiter, limit)
            if decision.admitted:
                admitted.append(int(clock.now))
            else:
                assert_retry_after_is_exact(limiter, clock, decision.retry_after, limit)
    for second in admitted:
        assert sum(second <= s < second + WINDOW_SECONDS for s in admitted) <= limit


def assert_retry_after_is_exact(
    limiter: MemoryRateLimiter, clock: FakeClock, retry_after: int, limit: int
) -> None:
    assert 1 <= retry_after <= WINDOW_SECONDS
    probe, probe_clock = copy.deepcopy((limiter, clock))
    probe_clock.now = clock.now + retry_after
    assert admit(probe, limit).admitted
    if retry_after > 1:
        probe, probe_clock = copy.deepcopy((limiter, clock))
        probe_clock.now = clock.now + retry_after - 1
        assert not admit(probe, limit).admitted
