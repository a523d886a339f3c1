"""Ingest: one accepted batch becomes stored events, an updated session and a new score.

Everything a batch changes is written in one transaction, committed before the collector
answers: a batch is stored whole or not at all. Re-sent messages (same seq) are counted as
duplicates and skipped, so a pixel may re-send anything it has no acknowledgement for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import msgspec

from notai import detect
from notai.collect.lms_urls import course_from_url
from notai.collect.protocol import Batch
from notai.collect.states import StoredStates
from notai.collect.tally import Tally
from notai.collect.useragent import browser_name, device_class, summarize_user_agent
from notai.events import TYPE_OF, Close, Identify, Init, LmsContext, Message
from notai.settings import Settings
from notai.store import events as events_repo
from notai.store import rollups
from notai.store import sessions as sessions_repo
from notai.store.database import Connection, Database

_encode_payload = msgspec.msgpack.Encoder().encode
_EPOCH = dt.date(1970, 1, 1)
_cut_payloads = msgspec.msgpack.Decoder(list[msgspec.Raw]).decode


class IngestResult(msgspec.Struct, frozen=True):
    sessionId: str
    accepted: int
    duplicates: int
    botScore: float


class IntegrationNotAccepted(LookupError):
    """No integration with this id serves this region."""


async def ingest_batch(
    db: Database,
    settings: Settings,
    batch: Batch,
    received_at_ms: int,
    tally: Tally | None = None,
) -> IngestResult:
    """Store a decoded batch and re-score its session; return what was accepted.

    With a `tally`, the batch's counters are added to it and its owner flushes them in the
    same transaction (a group commit); without one, they are written before this commits.
    """
    async with db.transaction() as conn:
        own = Tally() if tally is None else tally
        result = await _store(conn, settings, batch, received_at_ms, own)
        if tally is None:
            await own.flush(conn)
    return result


async def _store(
    conn: Connection, settings: Settings, batch: Batch, received_at_ms: int, tally: Tally
) -> IngestResult:
    messages = sorted(batch.events, key=lambda m: m.seq)
    integration = await tally.integration(conn, batch.integration)
    if integration is None or integration.region != settings.region:
        raise IntegrationNotAccepted(batch.integration)
    session, is_new, resent = await _open_session(conn, batch, messages, received_at_ms)
    before = None if is_new else session_facts(session)
    stored = await _stored_overlap(conn, batch, messages) if resent else None
    fresh = messages if stored is None else _not_stored(messages, stored)
    columns = _columns(fresh)
    if fresh:
        await events_repo.insert_events(
            conn, batch.integration, batch.session, columns, replacing=stored
        )
        _apply(session, fresh, received_at_ms)
        await sessions_repo.update_session(conn, session)
        await _update_rollups(conn, tally, session, before, fresh, received_at_ms)
        tally.add_events(batch.integration, session.created_at, len(fresh))
    tally.add_usage(
        batch.integration,
        _day(received_at_ms),
        {
            "Events": len(fresh),
            "Sessions": int(is_new),
            "StorageBytes": sum(map(len, columns.payloads)),
            "BotAnalyses": int(bool(fresh)),
        },
    )
    return IngestResult(
        sessionId=batch.session,
        accepted=len(fresh),
        duplicates=len(messages) - len(fresh),
        botScore=session.bot_score,
    )


async def _open_session(
    conn: Connection, batch: Batch, messages: Sequence[Message], received_at_ms: int
) -> tuple[sessions_repo.SessionRecord, bool, bool]:
    """The session, locked for this transaction; whether this batch created it; and whether
    some of `messages` (sorted by seq) may be stored already.

    Most batches continue a session: it is read (and locked) first, and inserted only when
    missing. If another writer inserts it in between, the insert does nothing and the read
    is repeated. A new session is checked for stored messages all the same: its events
    could outlive its row.
    """
    low, high = messages[0].seq, messages[-1].seq
    found = await sessions_repo.find_session_for_update(
        conn, batch.integration, batch.session, low, high
    )
    if found is not None:
        return found[0], False, found[1]
    is_new = await sessions_repo.insert_session_if_new(conn, _empty_session(batch, received_at_ms))
    session = await sessions_repo.lock_session(conn, batch.integration, batch.session)
    return session, is_new, True


def _empty_session(batch: Batch, received_at_ms: int) -> sessions_repo.SessionRecord:
    return sessions_repo.SessionRecord(
        integration_id=batch.integration,
        id=batch.session,
        created_at=received_at_ms,
        updated_at=received_at_ms,
        status="active",
        bot_score=0.0,
        detection_flags="[]",
        evidence="{}",
        page_url="",
        origin="",
        user_agent="",
        user_agent_summary="",
        user_id="",
        user_name="",
        user_url="",
        course_id="",
        event_count=0,
        first_event_at=None,
        last_event_at=None,
        detector_state=detect.encode_state(detect.new_state()),
    )


async def _stored_overlap(
    conn: Connection, batch: Batch, messages: Sequence[Message]
) -> events_repo.StoredOverlap:
    """The stored messages in chunks that the batch's seq range meets."""
    return await events_repo.overlapping_events(
        conn, batch.integration, batch.session, messages[0].seq, messages[-1].seq
    )


def _not_stored(messages: Sequence[Message], stored: events_repo.StoredOverlap) -> list[Message]:
    seen = stored.seqs()
    return [m for m in messages if m.seq not in seen]


def _columns(messages: Sequence[Message]) -> events_repo.EventColumns:
    """The messages as stored: each payload is the message's own MessagePack encoding, cut
    out of the batch's (one encoder call instead of one per message)."""
    return events_repo.EventColumns(
        [m.seq for m in messages],
        [TYPE_OF[type(m)] for m in messages],
        [m.t for m in messages],
        _cut_payloads(_encode_payload(messages)),
    )


def _apply(
    session: sessions_repo.SessionRecord, fresh: Sequence[Message], received_at_ms: int
) -> None:
    """Fold new messages into the session row: context, status, counters and score."""
    # Exact types (messages are never subclassed): this looks at every message of a batch.
    closed = False
    for message in fresh:
        if type(message) is Init:
            _apply_init(session, message)
        elif type(message) is Identify:
            _apply_lms(session, message.lms)
        elif type(message) is Close:
            closed = True
    session.status = "closed" if closed else "active"
    session.updated_at = received_at_ms
    session.event_count += len(fresh)
    times = [m.t for m in fresh]
    first, last = min(times), max(times)
    session.first_event_at = (
        first if session.first_event_at is None else min(first, session.first_event_at)
    )
    session.last_event_at = (
        last if session.last_event_at is None else max(last, session.last_event_at)
    )
    _rescore(session, fresh)


def _apply_init(session: sessions_repo.SessionRecord, init: Init) -> None:
    # The first init names the page where the session began; a re-sent init changes nothing.
    if not session.page_url:
        session.page_url = init.url
        session.origin = _origin(init.url)
        if not session.course_id and (found := course_from_url(init.url)):
            session.course_id = found[1]
    if init.env.userAgent:
        session.user_agent = init.env.userAgent
        session.user_agent_summary = summarize_user_agent(init.env.userAgent)
    if init.lms is not None:
        _apply_lms(session, init.lms)


def _apply_lms(session: sessions_repo.SessionRecord, lms: LmsContext) -> None:
    if lms.userId:
        if lms.userId != session.user_id:
            session.user_name, session.user_url = "", ""
        session.user_id = lms.userId
    session.user_name = lms.userName or session.user_name
    session.user_url = lms.userUrl or session.user_url
    session.course_id = lms.courseId or session.course_id


_states = StoredStates()


def _rescore(session: sessions_repo.SessionRecord, fresh: Sequence[Message]) -> None:
    key = (session.integration_id, session.id)
    state = _states.take(key, session.detector_state)  # a state of its own: fold in place
    detect.fold(state, fresh)
    assessment = detect.assess(state)
    session.detector_state = detect.encode_state(state)
    _states.keep(key, session.detector_state, state)
    session.bot_score = assessment.bot_score
    session.detection_flags = msgspec.json.encode(list(assessment.flags)).decode()
    session.evidence = msgspec.json.encode(assessment.evidence).decode()


async def _update_rollups(
    conn: Connection,
    tally: Tally,
    session: sessions_repo.SessionRecord,
    before: rollups.SessionFacts | None,
    fresh: Sequence[Message],
    received_at_ms: int,
) -> None:
    integration_id = session.integration_id
    if session.user_id:
        await tally.user_seen(
            conn,
            integration_id,
            session.user_id,
            (session.user_name, session.user_url),
            session.created_at,
            received_at_ms,
        )
    if session.course_id:
        named = [lms for lms in _lms_contexts(fresh) if lms.courseId == session.course_id]
        context = named[-1] if named else LmsContext()
        provider = context.provider or _course_provider(session.page_url)
        await tally.course_seen(
            conn,
            integration_id,
            session.course_id,
            (context.courseName, context.courseUrl, provider),
            session.created_at,
            received_at_ms,
        )
    await rollups.apply_session_change(conn, integration_id, before, session_facts(session))


def session_facts(session: sessions_repo.SessionRecord) -> rollups.SessionFacts:
    """What the roll-ups count of a session."""
    return rollups.SessionFacts(
        created_at=session.created_at,
        score=session.bot_score,
        user_id=session.user_id,
        course_id=session.course_id,
        origin=session.origin,
        device=_device_class(session.user_agent),
        browser=_browser_name(session.user_agent),
        device_summary=session.user_agent_summary,
    )


# Every batch reads its session's facts twice (before and after) from the same user agent:
# the regular expressions run once per distinct user agent instead.
@lru_cache(maxsize=1024)
def _device_class(user_agent: str) -> str:
    return device_class(user_agent) if user_agent else ""


@lru_cache(maxsize=1024)
def _browser_name(user_agent: str) -> str:
    return browser_name(user_agent)


@lru_cache(maxsize=1024)  # a session's page URL, asked again with every batch
def _course_provider(url: str) -> str:
    found = course_from_url(url)
    return found[0] if found else ""


def _lms_contexts(messages: Sequence[Message]) -> list[LmsContext]:
    found = [m.lms for m in messages if type(m) is Init or type(m) is Identify]
    return [lms for lms in found if lms is not None]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _day(ms: int) -> str:
    return _iso_day(rollups.day_of(ms))


@lru_cache(maxsize=64)
def _iso_day(days: int) -> str:
    """A UTC day's ISO date (every batch asks; a group's batches share a day or two)."""
    return (_EPOCH + dt.timedelta(days=days)).isoformat()
