"""Sessions: one row per page view, with its latest score and the detector's running state."""

from __future__ import annotations

import msgspec

from notai.bands import SCORE_BOT
from notai.store.database import Connection, Row
from notai.store.sql import Where


class SessionRecord(msgspec.Struct, kw_only=True):
    """A session row as stored (flags and evidence as JSON text)."""

    integration_id: str
    id: str
    created_at: int
    updated_at: int
    status: str
    bot_score: float
    detection_flags: str
    evidence: str
    page_url: str
    origin: str
    user_agent: str
    user_agent_summary: str
    user_id: str
    user_name: str
    user_url: str
    course_id: str
    event_count: int
    first_event_at: int | None
    last_event_at: int | None
    detector_state: bytes


SESSION_FIELDS: tuple[str, ...] = SessionRecord.__struct_fields__
_COLUMNS = ", ".join(SESSION_FIELDS)
_PUBLIC_FIELDS = tuple(f for f in SESSION_FIELDS if f not in ("detector_state", "evidence"))
_PUBLIC_COLUMNS = ", ".join(_PUBLIC_FIELDS)
_UPDATABLE = [f for f in SESSION_FIELDS if f not in ("integration_id", "id", "created_at")]
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(1, len(SESSION_FIELDS) + 1))
_SETS = ", ".join(f"{name} = ${i}" for i, name in enumerate(_UPDATABLE, start=3))


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    """What the public API shows of a session."""

    id: str
    created_at: int
    updated_at: int
    status: str
    bot_score: float
    detection_flags: str
    page_url: str
    user_agent_summary: str
    user_id: str
    user_name: str
    user_url: str
    first_event_at: int | None
    last_event_at: int | None


# The range `created_at <= $4` is what both planners turn into an index range on
# `sessions_by_user`; the OR only filters the rows that tie on created_at.
USER_SESSIONS_PAGE_SQL = (
    f"SELECT {_PUBLIC_COLUMNS} FROM sessions"
    " WHERE integration_id = $1 AND user_id = $2 AND created_at >= $3"
    " AND created_at <= $4 AND (created_at < $4 OR id < $5)"
    " ORDER BY created_at DESC, id DESC LIMIT $6"
)


def _record(row: Row) -> SessionRecord:
    values = {name: row[name] for name in SESSION_FIELDS}
    values["detector_state"] = bytes(values["detector_state"])
    return SessionRecord(**values)


def _view(row: Row) -> SessionView:
    return SessionView(
        id=row["id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=row["status"],
        bot_score=row["bot_score"],
        detection_flags=row["detection_flags"],
        page_url=row["page_url"],
        user_agent_summary=row["user_agent_summary"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        user_url=row["user_url"],
        first_event_at=row["first_event_at"],
        last_event_at=row["last_event_at"],
    )


async def insert_session_if_new(conn: Connection, record: SessionRecord) -> bool:
    """Insert a fresh session row; return False when the session already existed."""
    inserted = await conn.fetchval(
        f"INSERT INTO sessions ({_COLUMNS}) VALUES ({_PLACEHOLDERS})"
        " ON CONFLICT (integration_id, id) DO NOTHING RETURNING id",
        *(getattr(record, name) for name in SESSION_FIELDS),
    )
    return inserted is not None


async def lock_session(conn: Connection, integration_id: str, session_id: str) -> SessionRecord:
    """Read a session for update; on PostgreSQL the row stays locked until commit.

    SQLite needs no row lock: its write transaction (BEGIN IMMEDIATE) already excludes
    every other writer.
    """
    found = await find_session_for_update(conn, integration_id, session_id, 0, -1)
    if found is None:
        raise LookupError(f"session {session_id} vanished inside its transaction")
    return found[0]


async def find_session_for_update(
    conn: Connection, integration_id: str, session_id: str, low: int, high: int
) -> tuple[SessionRecord, bool] | None:
    """Read a session for update (as `lock_session`), if there is one, and whether any of
    a stored chunk of its events has a seq range that meets [low, high].

    One statement for what a continuing batch needs to know first: its session, and
    whether it may re-send anything (rarely; then `events.overlapping_events` says what).
    """
    lock = " FOR UPDATE" if conn.dialect == "postgresql" else ""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, EXISTS (SELECT 1 FROM event_chunks c WHERE c.integration_id = $1"
        " AND c.session_id = $2 AND c.last_seq >= $3 AND c.first_seq <= $4) AS resent"
        f" FROM sessions WHERE integration_id = $1 AND id = $2{lock}",
        integration_id,
        session_id,
        low,
        high,
    )
    return None if row is None else (_record(row), bool(row["resent"]))


async def update_session(conn: Connection, record: SessionRecord) -> None:
    await conn.execute(
        f"UPDATE sessions SET {_SETS} WHERE integration_id = $1 AND id = $2",
        record.integration_id,
        record.id,
        *(getattr(record, name) for name in _UPDATABLE),
    )


async def get_session(
    conn: Connection, integration_id: str, session_id: str, since_ms: int
) -> SessionView | None:
    """One session of an integration, if it is inside the history window."""
    row = await conn.fetchrow(
        f"SELECT {_PUBLIC_COLUMNS} FROM sessions"
        " WHERE integration_id = $1 AND id = $2 AND created_at >= $3",
        integration_id,
        session_id,
        since_ms,
    )
    return None if row is None else _view(row)


async def get_session_record(
    conn: Connection, integration_id: str, session_id: str
) -> SessionRecord | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM sessions WHERE integration_id = $1 AND id = $2",
        integration_id,
        session_id,
    )
    return None if row is None else _record(row)


async def page_user_sessions(
    conn: Connection,
    integration_id: str,
    user_id: str,
    *,
    since_ms: int,
    before: tuple[int, str] | None,
    limit: int,
) -> list[SessionView]:
    """Up to `limit` sessions of one LMS user, newest first, strictly after the keyset `before`.

    Keyset pagination on (created_at, id) over the `sessions_by_user` index: a deep page
    costs what the first page costs, and sessions that arrive meanwhile (newer) never shift
    the pages still to come.
    """
    after_created, after_id = before if before is not None else (2**62, "")
    rows = await conn.fetch(
        USER_SESSIONS_PAGE_SQL,
        integration_id,
        user_id,
        since_ms,
        after_created,
        after_id,
        limit,
    )
    return [_view(row) for row in rows]


async def busiest_user(conn: Connection, integration_id: str) -> str | None:
    """The LMS user with the most sessions (for examples people can try)."""
    value: str | None = await conn.fetchval(
        "SELECT user_id FROM sessions WHERE integration_id = $1 AND user_id <> ''"
        " GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 1",
        integration_id,
    )
    return value


async def page_sessions(
    conn: Connection,
    integration_id: str,
    *,
    since_ms: int,
    until_ms: int,
    bot_only: bool,
    status: str | None,
    idle_before_ms: int,
    before: tuple[int, str] | None,
    limit: int,
) -> list[SessionView]:
    """A page of an integration's sessions, newest first, keyset after `before`.

    `status` is `active` (no close, a batch within the idle timeout) or `closed`; botOnly
    keeps the literal `bot_score >= 0.7` so both planners use the partial index on bots.
    """
    top_created, top_id = before if before is not None else (until_ms + 1, "")
    where = Where()
    where.add("integration_id = {}", integration_id)
    where.add("created_at >= {}", since_ms)
    top, top_id_param = where.param(top_created), where.param(top_id)
    where.add(f"created_at <= {top} AND (created_at < {top} OR id < {top_id_param})")
    if bot_only:
        where.add(f"bot_score >= {SCORE_BOT}")
    if status == "active":
        where.add("status = 'active' AND updated_at >= {}", idle_before_ms)
    elif status == "closed":
        where.add("(status = 'closed' OR updated_at < {})", idle_before_ms)
    rows = await conn.fetch(
        f"SELECT {_PUBLIC_COLUMNS} FROM sessions WHERE {where.sql()}"
        f" ORDER BY created_at DESC, id DESC LIMIT {where.param(limit)}",
        *where.args,
    )
    return [_view(row) for row in rows]


async def scan_sessions(
    conn: Connection, integration_id: str, after: tuple[int, str], limit: int
) -> list[SessionRecord]:
    """Whole session rows in (created_at, id) order, after a keyset position (for rebuilds)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM sessions WHERE integration_id = $1"
        " AND created_at >= $2 AND (created_at > $2 OR id > $3)"
        " ORDER BY created_at, id LIMIT $4",
        integration_id,
        after[0],
        after[1],
        limit,
    )
    return [_record(row) for row in rows]
