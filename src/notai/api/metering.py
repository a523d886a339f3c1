"""Metering of API calls: every call whose key resolved counts as `ApiCalls` usage.

A write per request would cost a read API more than the read itself (on SQLite every commit
is an fsync), so counts gather in the process and reach `usage_daily` in one transaction
per flush: every second while the app runs, and once more at shutdown. The counters are
additive, so any number of workers may flush into the same rows. A process that crashes
loses at most the counts of its last interval; a flush that fails keeps its counts for the
next one.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from notai.api.ratelimit import Clock
from notai.store import rollups
from notai.store.database import Database

logger = logging.getLogger("notai.api")

API_CALLS = "ApiCalls"


def utc_day(seconds: float) -> str:
    """`YYYY-MM-DD`, the day format of `usage_daily`."""
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


class ApiCallMeter:
    """API calls per integration and UTC day, counted in memory and flushed in batches."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self._db = db
        self._clock = clock
        self._pending: Counter[tuple[str, str]] = Counter()

    @property
    def pending(self) -> int:
        """Calls counted but not yet written."""
        return sum(self._pending.values())

    def count(self, integration_id: str) -> None:
        """One API call of this integration, on today's UTC date."""
        self._pending[(integration_id, utc_day(self._clock()))] += 1

    async def flush(self) -> None:
        """Write the pending counts in one transaction; on failure they wait for the next."""
        if not self._pending:
            return
        # Calls counted while this flush awaits the database go to a fresh counter.
        batch, self._pending = self._pending, Counter()
        try:
            async with self._db.transaction() as conn:
                # A fixed order: workers flushing the same rows lock them in the same order.
                for (integration_id, day), calls in sorted(batch.items()):
                    await rollups.add_usage(conn, integration_id, day, {API_CALLS: calls})
        except BaseException:
            self._pending.update(batch)
            raise
