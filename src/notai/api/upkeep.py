"""Work the API does beside requests while the app runs: flush metering, sweep rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from notai.api.metering import ApiCallMeter
from notai.api.ratelimit import RateLimiter

logger = logging.getLogger("notai.api")

FLUSH_EVERY_SECONDS = 1.0
SWEEP_EVERY_SECONDS = 60.0


@contextlib.asynccontextmanager
async def api_upkeep(
    meter: ApiCallMeter,
    limiter: RateLimiter,
    flush_every: float = FLUSH_EVERY_SECONDS,
    sweep_every: float = SWEEP_EVERY_SECONDS,
) -> AsyncIterator[None]:
    """Run the upkeep while the block runs; at its end, flush the meter one last time."""
    stop = asyncio.Event()
    task = asyncio.create_task(_keep_up(meter, limiter, stop, flush_every, sweep_every))
    try:
        yield
    finally:
        # Stopped, not cancelled: a flush is never interrupted between commit and return.
        stop.set()
        await task
        await _logged("final API-call metering flush", meter.flush)


async def _keep_up(
    meter: ApiCallMeter,
    limiter: RateLimiter,
    stop: asyncio.Event,
    flush_every: float,
    sweep_every: float,
) -> None:
    loop = asyncio.get_running_loop()
    next_sweep = loop.time() + sweep_every
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), flush_every)
        await _logged("API-call metering flush", meter.flush)
        if loop.time() >= next_sweep:
            await _logged("rate-limit sweep", limiter.sweep)
            next_sweep = loop.time() + sweep_every


async def _logged(what: str, work: Callable[[], Awaitable[None]]) -> None:
    """A failed round (the database is down) is logged; the next round tries again."""
    try:
        await work()
    except Exception as exc:
        logger.warning("%s failed: %s", what, exc)
