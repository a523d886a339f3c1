"""Dashboard accounts: creating people, signing them in and out, resolving a browser's cookie.

A signed-in browser holds a random token in its cookie; the database keeps only the token's
SHA-256 with the person and an expiry. Ten wrong passwords in a row lock an account for
fifteen minutes, which, with scrypt's cost, keeps password guessing slow.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from notai.clock import now_ms
from notai.dashboard.passwords import (
    check_strength,
    hash_password,
    spend_equal_time,
    verify_password,
)
from notai.store import dashboard as repo
from notai.store import integrations as integrations_repo
from notai.store.database import Database
from notai.tenancy.service import UnknownIntegration

SESSION_HOURS = 12
SESSION_MS = SESSION_HOURS * 3_600_000
MAX_FAILED_SIGN_INS = 10
LOCK_MS = 15 * 60_000
ROLE_ADMIN = "admin"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{1,63}$")


class InvalidEmail(ValueError):
    pass


class EmailTaken(ValueError):
    pass


def normalize_email(text: str) -> str:
    email = text.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidEmail(f"{text.strip()!r} is not an e-mail address such as ada@example.edu")
    return email


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_admin(
    db: Database, integration_id: str, email: str, password: str
) -> repo.UserRecord:
    """Create an administrator of one integration.

    Raises `InvalidEmail`, `WeakPassword`, `UnknownIntegration` or `EmailTaken`.
    """
    address = normalize_email(email)
    check_strength(password)
    user = repo.UserRecord(
        integration_id=integration_id,
        id=secrets.token_hex(8),
        email=address,
        password_hash=hash_password(password),
        role=ROLE_ADMIN,
        created_at=now_ms(),
        last_sign_in_at=None,
        failed_sign_ins=0,
        locked_until=None,
    )
    async with db.transaction() as conn:
        if await integrations_repo.get_integration(conn, integration_id) is None:
            raise UnknownIntegration(integration_id)
        if not await repo.insert_user(conn, user):
            raise EmailTaken(f"{address} already has a dashboard account")
    return user


class SignInRefused(Exception):
    """Wrong address or password, or a locked account; the message is safe to show."""


async def sign_in(db: Database, email: str, password: str) -> tuple[str, repo.UserRecord]:
    """Check the password and open a session; return the cookie's token and the person."""
    now = now_ms()
    async with db.connection() as conn:
        user = await repo.find_user_by_email(conn, email.strip().lower())
    if user is None:
        spend_equal_time(password)
        raise SignInRefused("The e-mail address or the password is wrong.")
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused("Too many wrong passwords: try again in fifteen minutes.")
    if not verify_password(password, user.password_hash):
        await _count_failure(db, user, now)
        raise SignInRefused("The e-mail address or the password is wrong.")
    token = secrets.token_urlsafe(32)
    async with db.transaction() as conn:
        await repo.delete_expired_sessions(conn, user.integration_id, now)
        await repo.insert_session(
            conn, user.integration_id, token_hash(token), user.id, now, now + SESSION_MS
        )
        await repo.record_sign_in(conn, user.integration_id, user.id, now)
    return token, user


async def _count_failure(db: Database, user: repo.UserRecord, now: int) -> None:
    locks = user.failed_sign_ins + 1 >= MAX_FAILED_SIGN_INS
    async with db.transaction() as conn:
        await repo.record_failed_sign_in(
            conn, user.integration_id, user.id, now + LOCK_MS if locks else None
        )


async def signed_in(db: Database, token: str) -> repo.SignedInRecord | None:
    """The live session a cookie's token names, or None."""
    if not token or len(token) > 128:
        return None
    async with db.connection() as conn:
        return await repo.find_session(conn, token_hash(token), now_ms())


async def sign_out(db: Database, token: str) -> None:
    async with db.transaction() as conn:
        await repo.delete_session(conn, token_hash(token))


async def set_password(db: Database, user: repo.UserRecord, password: str) -> None:
    """Replace a person's password and sign them out everywhere; raises `WeakPassword`."""
    check_strength(password)
    async with db.transaction() as conn:
        await repo.set_password_hash(conn, user.integration_id, user.id, hash_password(password))
        await repo.delete_user_sessions(conn, user.integration_id, user.id)


async def find_user(db: Database, email: str) -> repo.UserRecord | None:
    async with db.connection() as conn:
        return await repo.find_user_by_email(conn, email.strip().lower())
