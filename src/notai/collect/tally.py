"""What the batches stored in one transaction share: integration look-ups, summed counters
and the users and courses they saw.

A group commit stores a few hundred batches in one transaction (see `groupcommit`). Each
batch needs its integration, and adds to the same few counter rows (the day's usage, the
hour's and day's event counts); read and written per batch, those rows cost several
statements per frame. A `Tally` reads each integration once per transaction and sums the
counters, and `flush` writes the sums in the same transaction just before it commits: the
stored values are the same, and a batch is still stored whole or not at all.

Users and courses likewise: a class taking a quiz together sends frames of one course in
every group. The first sighting of a user or course in a transaction is written at once (the
session roll-ups that follow update its row, so it must exist); later ones are merged, as
the upsert itself merges them, and written once by `flush`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from notai.store import integrations as integrations_repo
from notai.store import rollups
from notai.store.database import Connection

_Usage = dict[tuple[str, str], Counter[str]]
_EntityKey = tuple[str, str, str]
"""(kind, integration id, entity id); kind `u` for users, `c` for courses."""


@dataclass
class _Sighting:
    """One user's or course's sightings in a transaction, merged as the upsert merges them."""

    details: tuple[str, ...]
    """User: name, URL. Course: name, URL, provider. A later non-empty value wins."""
    first_seen: int
    last_seen: int
    unwritten: bool = False

    def merge(self, details: tuple[str, ...], first_seen: int, last_seen: int) -> None:
        self.details = tuple(new or old for new, old in zip(details, self.details, strict=True))
        self.first_seen = min(self.first_seen, first_seen)
        self.last_seen = max(self.last_seen, last_seen)
        self.unwritten = True


class Tally:
    """Counters and integrations for one transaction; `flush` before it commits."""

    def __init__(self) -> None:
        self._integrations: dict[str, integrations_repo.IntegrationRecord | None] = {}
        self._usage: _Usage = {}
        self._events: Counter[tuple[str, int]] = Counter()
        self._seen: dict[_EntityKey, _Sighting] = {}

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

    async def user_seen(
        self,
        conn: Connection,
        integration_id: str,
        user_id: str,
        details: tuple[str, str],
        first_seen: int,
        last_seen: int,
    ) -> None:
        """A user (name, URL) was seen: upserted now the first time, by `flush` after that."""
        await self._see(conn, ("u", integration_id, user_id), details, first_seen, last_seen)

    async def course_seen(
        self,
        conn: Connection,
        integration_id: str,
        course_id: str,
        details: tuple[str, str, str],
        first_seen: int,
        last_seen: int,
    ) -> None:
        """A course (name, URL, provider) was seen: upserted now the first time, by `flush`
        after that."""
        await self._see(conn, ("c", integration_id, course_id), details, first_seen, last_seen)

    async def _see(
        self,
        conn: Connection,
        key: _EntityKey,
        details: tuple[str, ...],
        first_seen: int,
        last_seen: int,
    ) -> None:
        sighting = self._seen.get(key)
        if sighting is not None:
            sighting.merge(details, first_seen, last_seen)
            return
        self._seen[key] = sighting = _Sighting(details, first_seen, last_seen)
        await _upsert(conn, key, sighting)

    async def flush(self, conn: Connection) -> None:
        """Write the merged sightings and summed counters (in key order, so that writers lock
        rows in one order)."""
        for key, sighting in sorted(self._seen.items()):
            if sighting.unwritten:
                await _upsert(conn, key, sighting)
        for (integration_id, day), counts in sorted(self._usage.items()):
            await rollups.add_usage(conn, integration_id, day, dict(counts))
        for (integration_id, hour), count in sorted(self._events.items()):
            await rollups.add_events(conn, integration_id, hour * rollups.HOUR_MS, count)
        self._seen.clear()
        self._usage.clear()
        self._events.clear()


async def _upsert(conn: Connection, key: _EntityKey, sighting: _Sighting) -> None:
    kind, integration_id, entity_id = key
    first, last = sighting.first_seen, sighting.last_seen
    if kind == "u":
        name, url = sighting.details
        await rollups.upsert_lms_user(conn, integration_id, entity_id, name, url, first, last)
    else:
        name, url, provider = sighting.details
        await rollups.upsert_course(
            conn, integration_id, entity_id, name, url, provider, first, last
        )
    sighting.unwritten = False
