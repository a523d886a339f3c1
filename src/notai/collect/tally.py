"""What the batches stored in one transaction share: integration look-ups and summed counters.

A group commit stores a few hundred batches in one transaction (see `groupcommit`). Each
batch needs its integration, and adds to the same few counter rows (the day's usage, the
hour's and day's event counts); read and written per batch, those rows cost several
statements per frame. A `Tally` reads each integration once per transaction and sums the
counters, and `flush` writes the sums in the same transaction just before it commits: the
stored values are the same, and a batch is still stored whole or not at all.
"""

from __future__ import annotations

from collections import Counter

from notai.store import integrations as integrations_repo
from notai.store import rollups
from notai.store.database import Connection

_Usage = dict[tuple[str, str], Counter[str]]


class Tally:
    """Counters and integrations for one transaction; `flush` before it commits."""

    def __init__(self) -> None:
        self._integrations: dict[str, integrations_repo.IntegrationRecord | None] = {}
        self._usage: _Usage = {}
        self._events: Counter[tuple[str, int]] = Counter()

    async def integration(
        self, conn: Connection, integration_id: str
    ) -> integrations_repo.IntegrationRecord | None:
        """The integration as this transaction first read it."""
        if integration_id not in self._integrations:
            found = await integrations_repo.get_integration(conn, integration_id)
            self._integrations[integration_id] = found
        return self._integrations[integration_id]

    def add_usage(self, integration_id: str, day: str, counts: dict[str, int]) -> None:
        self._usage.setdefault((integration_id, day), Counter()).update(counts)

    def add_events(self, integration_id: str, created_at: int, count: int) -> None:
        """Events of sessions created at `created_at`; summed per hour of creation."""
        hour = created_at // rollups.HOUR_MS
        self._events[integration_id, hour] += count

    async def flush(self, conn: Connection) -> None:
        """Write the summed counters (in key order, so that writers lock rows in one order)."""
        for (integration_id, day), counts in sorted(self._usage.items()):
            await rollups.add_usage(conn, integration_id, day, dict(counts))
        for (integration_id, hour), count in sorted(self._events.items()):
            await rollups.add_events(conn, integration_id, hour * rollups.HOUR_MS, count)
        self._usage.clear()
        self._events.clear()
