"""The schema as SQLAlchemy Core metadata: the source Alembic migrates from.

Every table but `integrations` is keyed by `integration_id` first, so that rows of one
integration sit together and the schema can be sharded by integration without changes.
Times are Unix milliseconds (BIGINT) on both backends: no time-zone conversions, cheap
comparisons, the same values in SQLite and PostgreSQL. Only migrations use this module;
the hot paths use raw SQL in the repositories.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.sql.elements import TextClause

metadata = MetaData()
_BOT: TextClause = text("bot_score >= 0.7")


def _counters() -> list[Column[object]]:
    """Roll-up counters of an LMS user or a course, over all its sessions."""
    return [
        Column("session_count", Integer, nullable=False, server_default="0"),
        Column("bot_sessions", Integer, nullable=False, server_default="0"),
        Column("medium_sessions", Integer, nullable=False, server_default="0"),
        Column("score_sum", Float, nullable=False, server_default="0"),
        Column("max_score", Float, nullable=False, server_default="0"),
        # Distinct members: a user's devices, a course's users.
        Column("member_count", Integer, nullable=False, server_default="0"),
        Column("last_bot_at", BigInteger, nullable=True),
    ]


def _previous_times() -> list[Column[object]]:
    """The last times as they were before the row's latest write (NULL: a new row).

    Each write that may move `last_seen` or `last_bot_at` copies the old value here in the
    same statement and returns both, so the last-visit days (`entity_last_days`) learn of a
    move without another read. Nothing else reads them.
    """
    return [
        Column("previous_last_seen", BigInteger, nullable=True),
        Column("previous_last_bot", BigInteger, nullable=True),
    ]


integrations = Table(
    "integrations",
    metadata,
    Column("id", String(8), primary_key=True),
    Column("name", Text, nullable=False),
    Column("tier", String(16), nullable=False),
    Column("region", String(2), nullable=False),
    Column("history_days", Integer, nullable=True),
    Column("allowed_origins", Text, nullable=False, server_default="[]"),
    Column("created_at", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("id", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("masked", String(64), nullable=False),
    Column("region", String(2), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("integration_id", "id"),
    Index("api_keys_by_hash", "key_hash", unique=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("id", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("status", String(8), nullable=False),
    Column("bot_score", Float, nullable=False),
    Column("detection_flags", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("page_url", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("user_agent", Text, nullable=False),
    Column("user_agent_summary", Text, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("user_url", Text, nullable=False),
    Column("course_id", Text, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("first_event_at", BigInteger, nullable=True),
    Column("last_event_at", BigInteger, nullable=True),
    Column("detector_state", LargeBinary, nullable=False),
    PrimaryKeyConstraint("integration_id", "id"),
    # Keyset pagination: newest first, ties broken by id.
    Index("sessions_by_user", "integration_id", "user_id", "created_at", "id"),
    Index("sessions_by_time", "integration_id", "created_at", "id"),
    Index("sessions_by_course", "integration_id", "course_id", "created_at"),
    # botOnly pages read this partial index; the predicate is a literal so planners match it.
    Index(
        "sessions_bots_by_time",
        "integration_id",
        "created_at",
        "id",
        sqlite_where=_BOT,
        postgresql_where=_BOT,
    ),
)

event_chunks = Table(
    # One row per stored batch: its messages packed in `body` (see store/events.py).
    "event_chunks",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("session_id", String(64), nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("first_seq", Integer, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("types", Integer, nullable=False),
    Column("first_ts", BigInteger, nullable=False),
    Column("last_ts", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    PrimaryKeyConstraint("integration_id", "session_id", "last_seq"),
)

lms_users = Table(
    "lms_users",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("user_url", Text, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    *_counters(),
    *_previous_times(),
    PrimaryKeyConstraint("integration_id", "user_id"),
    Index("lms_users_by_first_seen", "integration_id", "first_seen", "user_id"),
    Index("lms_users_by_last_seen", "integration_id", "last_seen"),
    # Stats and analytics count users flagged since a time: few, found by range.
    Index("lms_users_by_last_bot", "integration_id", "last_bot_at"),
)

courses = Table(
    "courses",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("course_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("provider", String(16), nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    *_counters(),
    *_previous_times(),
    PrimaryKeyConstraint("integration_id", "course_id"),
    Index("courses_by_first_seen", "integration_id", "first_seen", "course_id"),
)

entity_daily = Table(
    "entity_daily",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("kind", String(1), nullable=False),  # u: LMS user, c: course
    Column("entity_id", Text, nullable=False),
    Column("day", Integer, nullable=False),  # days since 1970-01-01 UTC
    Column("sessions", Integer, nullable=False),
    Column("bot_sessions", Integer, nullable=False),
    Column("medium_sessions", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    PrimaryKeyConstraint("integration_id", "kind", "entity_id", "day"),
    # On SQLite, rows in key order: a user's days share a page (migration 0006).
    sqlite_with_rowid=False,
)

# How many users or courses have their last visit (`seen`: last_seen) or their last bot session
# (`bot`: last_bot_at) on each UTC day: "users seen since t" sums the days after t's day
# instead of counting every active user. Kept at ingest, where only a move to another day
# writes here (store/rollups.py), and recounted from the entity rows by a rebuild.
entity_last_days = Table(
    "entity_last_days",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("kind", String(1), nullable=False),  # u: LMS users, c: courses
    Column("marker", String(4), nullable=False),  # seen, bot
    Column("day", Integer, nullable=False),  # days since 1970-01-01 UTC
    Column("entities", Integer, nullable=False),
    PrimaryKeyConstraint("integration_id", "kind", "marker", "day"),
    sqlite_with_rowid=False,
)

entity_members = Table(
    "entity_members",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("kind", String(1), nullable=False),  # u: a user's devices, c: a course's users
    Column("entity_id", Text, nullable=False),
    Column("member", Text, nullable=False),
    PrimaryKeyConstraint("integration_id", "kind", "entity_id", "member"),
)

integration_buckets = Table(
    "integration_buckets",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("grain", String(1), nullable=False),  # h: hours, d: days since 1970-01-01 UTC
    Column("bucket", Integer, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("high", Integer, nullable=False),
    Column("medium", Integer, nullable=False),
    Column("low", Integer, nullable=False),
    Column("human", Integer, nullable=False),
    Column("matched", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
    PrimaryKeyConstraint("integration_id", "grain", "bucket"),
)

dimension_daily = Table(
    "dimension_daily",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("day", Integer, nullable=False),
    Column("dimension", String(16), nullable=False),  # origin, device, browser
    Column("value", Text, nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("bot_sessions", Integer, nullable=False),
    PrimaryKeyConstraint("integration_id", "day", "dimension", "value"),
)

usage_daily = Table(
    "usage_daily",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("day", String(10), nullable=False),
    Column("metric", String(16), nullable=False),
    Column("value", BigInteger, nullable=False),
    PrimaryKeyConstraint("integration_id", "day", "metric"),
)

# Hits per API key per second over the last minute: the rate limiter's window on PostgreSQL,
# shared by every worker. Migration 0003 makes it UNLOGGED there; SQLite deployments keep
# the window in memory and leave this table empty.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("second", BigInteger, nullable=False),  # Unix seconds
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("integration_id", "key_id", "second"),
)

# --- the dashboard's accounts (migration 0004) ---------------------------------------------

# People who sign in to the dashboard, each belonging to one integration. An e-mail address
# names one account on the server (the sign-in form asks for nothing else), hence the index
# on it alone, as `api_keys_by_hash` is on the key alone.
dashboard_users = Table(
    "dashboard_users",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("id", String(16), nullable=False),
    Column("email", Text, nullable=False),  # lower case
    Column("password_hash", Text, nullable=False),  # scrypt$n$r$p$salt$hash
    Column("role", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_sign_in_at", BigInteger, nullable=True),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("locked_until", BigInteger, nullable=True),
    PrimaryKeyConstraint("integration_id", "id"),
    Index("dashboard_users_by_email", "email", unique=True),
)

# Signed-in browsers: only a SHA-256 of the cookie's random token is stored, so a copy of the
# table cannot be replayed as cookies.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("integration_id", String(8), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("user_id", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("integration_id", "token_hash"),
    Index("dashboard_sessions_by_token", "token_hash", unique=True),
)
