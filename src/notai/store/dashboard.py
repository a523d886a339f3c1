"""The dashboard's accounts: people who sign in, and the browsers they signed in from.

Every statement names the integration, except the two lookups a sign-in starts from (an
e-mail address, a cookie's token hash), which read a unique index and return the
integration with the row.
"""

from __future__ import annotations

import msgspec

from notai.store.database import Connection, Row


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    integration_id: str
    id: str
    email: str
    password_hash: str
    role: str
    created_at: int
    last_sign_in_at: int | None
    failed_sign_ins: int
    locked_until: int | None


class SignedInRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A live dashboard session and the person it belongs to."""

    user: UserRecord
    created_at: int
    expires_at: int


_USER_COLUMNS = (
    "integration_id, id, email, password_hash, role, created_at, last_sign_in_at,"
    " failed_sign_ins, locked_until"
)


def _user(row: Row) -> UserRecord:
    return UserRecord(
        integration_id=row["integration_id"],
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        role=row["role"],
        created_at=row["created_at"],
        last_sign_in_at=row["last_sign_in_at"],
        failed_sign_ins=row["failed_sign_ins"],
        locked_until=row["locked_until"],
    )


async def insert_user(conn: Connection, user: UserRecord) -> bool:
    """Insert unless the e-mail address is taken; return whether it was inserted."""
    inserted = await conn.fetchval(
        f"INSERT INTO dashboard_users ({_USER_COLUMNS})"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (email) DO NOTHING RETURNING id",
        user.integration_id,
        user.id,
        user.email,
        user.password_hash,
        user.role,
        user.created_at,
        user.last_sign_in_at,
        user.failed_sign_ins,
        user.locked_until,
    )
    return inserted is not None


async def find_user_by_email(conn: Connection, email: str) -> UserRecord | None:
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM dashboard_users WHERE email = $1", email
    )
    return None if row is None else _user(row)


async def list_users(conn: Connection, integration_id: str) -> list[UserRecord]:
    rows = await conn.fetch(
        f"SELECT {_USER_COLUMNS} FROM dashboard_users WHERE integration_id = $1"
        " ORDER BY created_at, id",
        integration_id,
    )
    return [_user(row) for row in rows]


async def record_sign_in(conn: Connection, integration_id: str, user_id: str, now: int) -> None:
    await conn.execute(
        "UPDATE dashboard_users SET last_sign_in_at = $3, failed_sign_ins = 0,"
        " locked_until = NULL WHERE integration_id = $1 AND id = $2",
        integration_id,
        user_id,
        now,
    )


async def record_failed_sign_in(
    conn: Connection, integration_id: str, user_id: str, locked_until: int | None
) -> None:
    await conn.execute(
        "UPDATE dashboard_users SET failed_sign_ins = failed_sign_ins + 1,"
        " locked_until = COALESCE($3, locked_until) WHERE integration_id = $1 AND id = $2",
        integration_id,
        user_id,
        locked_until,
    )


async def set_password_hash(
    conn: Connection, integration_id: str, user_id: str, password_hash: str
) -> None:
    await conn.execute(
        "UPDATE dashboard_users SET password_hash = $3, failed_sign_ins = 0, locked_until = NULL"
        " WHERE integration_id = $1 AND id = $2",
        integration_id,
        user_id,
        password_hash,
    )


async def insert_session(
    conn: Connection,
    integration_id: str,
    token_hash: str,
    user_id: str,
    created_at: int,
    expires_at: int,
) -> None:
    await conn.execute(
        "INSERT INTO dashboard_sessions (integration_id, token_hash, user_id, created_at,"
        " expires_at) VALUES ($1, $2, $3, $4, $5)",
        integration_id,
        token_hash,
        user_id,
        created_at,
        expires_at,
    )


async def find_session(conn: Connection, token_hash: str, now: int) -> SignedInRecord | None:
    """The unexpired session with this token hash and its user."""
    columns = ", ".join(f"u.{name.strip()}" for name in _USER_COLUMNS.split(","))
    row = await conn.fetchrow(
        f"SELECT {columns}, s.created_at AS signed_in_at, s.expires_at FROM dashboard_sessions s"
        " JOIN dashboard_users u ON u.integration_id = s.integration_id AND u.id = s.user_id"
        " WHERE s.token_hash = $1 AND s.expires_at > $2",
        token_hash,
        now,
    )
    if row is None:
        return None
    return SignedInRecord(
        user=_user(row), created_at=row["signed_in_at"], expires_at=row["expires_at"]
    )


async def delete_session(conn: Connection, token_hash: str) -> None:
    await conn.execute("DELETE FROM dashboard_sessions WHERE token_hash = $1", token_hash)


async def delete_expired_sessions(conn: Connection, integration_id: str, now: int) -> None:
    await conn.execute(
        "DELETE FROM dashboard_sessions WHERE integration_id = $1 AND expires_at <= $2",
        integration_id,
        now,
    )


async def delete_user_sessions(conn: Connection, integration_id: str, user_id: str) -> None:
    """Sign a person out everywhere (after a password change)."""
    await conn.execute(
        "DELETE FROM dashboard_sessions WHERE integration_id = $1 AND user_id = $2",
        integration_id,
        user_id,
    )
