"""Rebuilding an integration's roll-ups from its sessions: the catch-up path.

Ingest keeps the roll-ups current in each batch's transaction. This rebuilds them from the
sessions table alone, with the same facts and bands as ingest: after a bulk load that
skipped ingest (benchmarks, imports), or after sessions were re-scored offline. A test
holds the two paths equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from notai.bands import SCORE_BOT, band_of, bucket_of
from notai.collect.ingest import session_facts
from notai.collect.lms_urls import course_from_url
from notai.store import rebuild as rebuild_repo
from notai.store import sessions as sessions_repo
from notai.store.database import Database
from notai.store.rollups import HOUR_MS, SessionFacts, day_of

CHUNK = 20_000


@dataclass
class _Counts:
    sessions: int = 0
    bots: int = 0
    mediums: int = 0
    score_sum: float = 0.0
    max_score: float = 0.0
    last_bot_at: int | None = None

    def add(self, facts: SessionFacts) -> None:
        band = band_of(facts.score)
        self.sessions += 1
        self.bots += band == "bot"
        self.mediums += band == "medium"
        self.score_sum += facts.score
        self.max_score = max(self.max_score, facts.score)
        if band == "bot":
            self.last_bot_at = max(self.last_bot_at or facts.created_at, facts.created_at)


@dataclass
class _Totals:
    entities: dict[tuple[str, str], _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    entity_days: dict[tuple[str, str, int], _Counts] = field(
        default_factory=lambda: defaultdict(_Counts)
    )
    members: set[tuple[str, str, str]] = field(default_factory=set)
    buckets: dict[tuple[str, int], dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    dimensions: dict[tuple[int, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    users: dict[str, rebuild_repo.NamedEntity] = field(default_factory=dict)
    courses: dict[str, rebuild_repo.NamedEntity] = field(default_factory=dict)


async def rebuild_rollups(db: Database, integration_id: str) -> int:
    """Recompute every roll-up of one integration from its sessions; return the count."""
    totals = _Totals()
    count = 0
    async for session in _sessions(db, integration_id):
        _add(totals, session)
        count += 1
    async with db.transaction() as conn:
        await rebuild_repo.clear(conn, integration_id)
        await rebuild_repo.write_entities(conn, integration_id, totals.users, totals.courses)
        await rebuild_repo.write_counts(
            conn, integration_id, _entity_counts(totals), _daily_counts(totals)
        )
        await rebuild_repo.write_members(conn, integration_id, sorted(totals.members))
        await rebuild_repo.write_buckets(conn, integration_id, _bucket_rows(totals))
        await rebuild_repo.write_dimensions(conn, integration_id, _dimension_rows(totals))
        await rebuild_repo.write_last_days(conn, integration_id)
    return count


async def _sessions(
    db: Database, integration_id: str
) -> AsyncIterator[sessions_repo.SessionRecord]:
    after: tuple[int, str] = (-1, "")
    while True:
        async with db.connection() as conn:
            chunk = await sessions_repo.scan_sessions(conn, integration_id, after, CHUNK)
        for session in chunk:
            yield session
        if len(chunk) < CHUNK:
            return
        after = (chunk[-1].created_at, chunk[-1].id)


def _add(totals: _Totals, session: sessions_repo.SessionRecord) -> None:
    facts = session_facts(session)
    if facts.user_id:
        _name(totals.users, facts.user_id, session, session.user_name, session.user_url, "")
        _count_entity(totals, "u", facts.user_id, facts)
        if facts.device_summary:
            totals.members.add(("u", facts.user_id, facts.device_summary))
    if facts.course_id:
        found = course_from_url(session.page_url)
        _name(totals.courses, facts.course_id, session, "", "", found[0] if found else "")
        _count_entity(totals, "c", facts.course_id, facts)
        if facts.user_id:
            totals.members.add(("c", facts.course_id, facts.user_id))
    for grain, bucket in (("h", facts.created_at // HOUR_MS), ("d", day_of(facts.created_at))):
        row = totals.buckets[(grain, bucket)]
        row["sessions"] += 1
        row["events"] += session.event_count
        row[bucket_of(facts.score)] += 1
        row["matched"] += bool(facts.user_id)
        row["score_sum"] += facts.score
    for dimension in ("origin", "device", "browser"):
        value = getattr(facts, dimension)
        if value:
            cell = totals.dimensions[(day_of(facts.created_at), dimension, value)]
            cell[0] += 1
            cell[1] += facts.score >= SCORE_BOT


def _name(
    named: dict[str, rebuild_repo.NamedEntity],
    key: str,
    session: sessions_repo.SessionRecord,
    name: str,
    url: str,
    provider: str,
) -> None:
    known = named.get(key)
    first = min(known.first_seen, session.created_at) if known else session.created_at
    last = max(known.last_seen, session.updated_at) if known else session.updated_at
    newer = known is None or session.created_at >= known.first_seen
    named[key] = rebuild_repo.NamedEntity(
        id=key,
        name=(name if newer and name else (known.name if known else name)),
        url=(url if newer and url else (known.url if known else url)),
        provider=provider or (known.provider if known else ""),
        first_seen=first,
        last_seen=last,
    )


def _count_entity(totals: _Totals, kind: str, key: str, facts: SessionFacts) -> None:
    totals.entities[(kind, key)].add(facts)
    totals.entity_days[(kind, key, day_of(facts.created_at))].add(facts)


def _entity_counts(totals: _Totals) -> list[rebuild_repo.EntityCounts]:
    return [
        rebuild_repo.EntityCounts(
            kind, key, c.sessions, c.bots, c.mediums, c.score_sum, c.max_score, c.last_bot_at
        )
        for (kind, key), c in totals.entities.items()
    ]


def _daily_counts(totals: _Totals) -> list[tuple[str, str, int, int, int, int, float, float]]:
    return [
        (kind, key, day, c.sessions, c.bots, c.mediums, c.score_sum, c.max_score)
        for (kind, key, day), c in totals.entity_days.items()
    ]


def _bucket_rows(totals: _Totals) -> list[tuple[str, int, dict[str, float]]]:
    return [(grain, bucket, dict(row)) for (grain, bucket), row in totals.buckets.items()]


def _dimension_rows(totals: _Totals) -> list[tuple[int, str, str, int, int]]:
    return [
        (day, dim, value, n, bots) for (day, dim, value), (n, bots) in totals.dimensions.items()
    ]
