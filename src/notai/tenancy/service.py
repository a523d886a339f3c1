"""What the CLI and the API do with integrations and keys."""

from __future__ import annotations

import secrets
import time

import msgspec

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


def now_ms() -> int:
    return time.time_ns() // 1_000_000


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
        plan=plan_for(parse_tier(integration.tier), _history_days(integration, settings)),
    )


def _history_days(integration: repo.IntegrationRecord, settings: Settings) -> int | None:
    if integration.history_days is not None:
        return integration.history_days
    if integration.tier == "enterprise":
        return settings.enterprise_history_days
    return None
