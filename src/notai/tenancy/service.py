"""What the CLI and the API do with integrations and keys."""

from __future__ import annotations

import re
import secrets

import msgspec

from notai.clock import now_ms
from notai.settings import Region, Settings
from notai.store import integrations as repo
from notai.store.database import Database
from notai.tenancy.keys import hash_key, looks_like_key, mint_key
from notai.tenancy.plans import Plan, Tier, parse_tier, plan_for


class Principal(msgspec.Struct, frozen=True):
    """Who a resolved API key speaks for: one integration, in this server's region."""

    integration: repo.IntegrationRecord
    key: repo.KeyRecord
    plan: Plan

    @property
    def integration_id(self) -> str:
        return self.integration.id

    @property
    def tier(self) -> str:
        return self.plan.tier


class NewKey(msgspec.Struct, frozen=True):
    id: str
    integration: str
    key: str
    masked: str


class UnknownIntegration(LookupError):
    pass


async def create_integration(
    db: Database, name: str, tier: Tier, region: Region, history_days: int | None = None
) -> repo.IntegrationRecord:
    """Create an integration with a fresh 8-character public id (its pixel's `data-key`)."""
    async with db.transaction() as conn:
        while True:
            record = repo.IntegrationRecord(
                id=secrets.token_hex(4),
                name=name,
                tier=tier,
                region=region,
                history_days=history_days,
                allowed_origins="[]",
                created_at=now_ms(),
            )
            if await repo.insert_integration(conn, record):
                return record


async def create_key(db: Database, settings: Settings, integration_id: str) -> NewKey:
    """Mint a key for an integration; the plain key exists only in the returned value."""
    minted = mint_key(settings.secret)
    async with db.transaction() as conn:
        integration = await repo.get_integration(conn, integration_id)
        if integration is None:
            raise UnknownIntegration(integration_id)
        record = repo.KeyRecord(
            integration_id=integration.id,
            id=minted.id,
            masked=minted.masked,
            region=integration.region,
            created_at=now_ms(),
            revoked_at=None,
        )
        await repo.insert_key(conn, record, minted.key_hash)
    return NewKey(id=minted.id, integration=integration.id, key=minted.key, masked=minted.masked)


async def revoke_key_by_value(db: Database, settings: Settings, key: str) -> bool:
    """Revoke the key with this value; False when no active key has it."""
    if not looks_like_key(key):
        return False
    async with db.transaction() as conn:
        found = await repo.find_key_id_by_hash(conn, hash_key(settings.secret, key))
        if found is None:
            return False
        return await repo.revoke_key(conn, found[0], found[1], now_ms())


async def revoke_key_by_id(db: Database, integration_id: str, key_id: str) -> bool:
    async with db.transaction() as conn:
        return await repo.revoke_key(conn, integration_id, key_id, now_ms())


async def resolve_key(db: Database, settings: Settings, key: str) -> Principal | None:
    """The principal of a key, or None for any failure: shape, unknown, revoked, region."""
    if not looks_like_key(key):
        return None
    async with db.connection() as conn:
        found = await repo.find_active_key(conn, hash_key(settings.secret, key))
    if found is None:
        return None
    key_record, integration = found
    if key_record.region != settings.region or integration.region != settings.region:
        return None
    return Principal(
        integration=integration,
        key=key_record,
        plan=plan_for(parse_tier(integration.tier), plan_history_days(integration, settings)),
    )


def plan_history_days(integration: repo.IntegrationRecord, settings: Settings) -> int | None:
    if integration.history_days is not None:
        return integration.history_days
    if integration.tier == "enterprise":
        return settings.enterprise_history_days
    return None


class InvalidOrigin(ValueError):
    """Not an origin a browser could send: `scheme://host[:port]`, http or https."""


_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_ORIGIN = re.compile(rf"^https?://(?:\*\.)?{_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?$")


def normalize_origin(text: str) -> str:
    """The origin as browsers send it: lower case, no path, no trailing slash.

    `https://*.example.edu` stands for every subdomain of example.edu (not example.edu itself),
    for LMS hosts such as `school.instructure.com` that an institution runs several of.
    """
    origin = text.strip().lower().rstrip("/")
    if not _ORIGIN.match(origin):
        raise InvalidOrigin(f"{text.strip()!r} is not an origin such as https://lms.example.edu")
    return origin


def parse_allowed_origins(stored: str) -> list[str]:
    """The stored JSON list; anything unreadable allows nothing rather than everything."""
    try:
        value = msgspec.json.decode(stored or "[]", type=list[str])
    except msgspec.MsgspecError:
        return ["invalid:"]
    return value


def origin_allowed(allowed: list[str], origin: str | None) -> bool:
    """Whether a request from `origin` may send data to an integration with this list.

    An empty list allows every origin. Otherwise the request must name its origin (browsers
    always do for WebSocket handshakes and cross-origin POSTs) and match an entry exactly, or
    be a subdomain of a `*.` entry.
    """
    if not allowed:
        return True
    if not origin:
        return False
    origin = origin.strip().lower()
    return any(_matches(entry, origin) for entry in allowed)


def _matches(entry: str, origin: str) -> bool:
    if "://*." not in entry:
        return entry == origin
    scheme, rest = entry.split("://*.", 1)
    if not origin.startswith(scheme + "://"):
        return False
    host = origin[len(scheme) + 3 :]
    return host.endswith("." + rest) and len(host) > len(rest) + 1


async def set_allowed_origins(db: Database, integration_id: str, origins: list[str]) -> list[str]:
    """Replace the origins allowed to send data for an integration; [] allows all.

    Raises `InvalidOrigin` for a malformed entry and `UnknownIntegration` when there is no
    such integration.
    """
    normalized = sorted({normalize_origin(origin) for origin in origins if origin.strip()})
    async with db.transaction() as conn:
        stored = msgspec.json.encode(normalized).decode()
        if not await repo.set_allowed_origins(conn, integration_id, stored):
            raise UnknownIntegration(integration_id)
    return normalized


async def allowed_origins(db: Database, integration_id: str) -> list[str]:
    """The origins allowed for an integration; raises `UnknownIntegration`."""
    async with db.connection() as conn:
        integration = await repo.get_integration(conn, integration_id)
    if integration is None:
        raise UnknownIntegration(integration_id)
    return parse_allowed_origins(integration.allowed_origins)
