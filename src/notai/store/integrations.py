"""Integrations and their API keys."""

from __future__ import annotations

import msgspec

from notai.store.database import Connection, Row


class IntegrationRecord(msgspec.Struct, frozen=True):
    id: str
    name: str
    tier: str
    region: str
    history_days: int | None
    allowed_origins: str
    created_at: int


class KeyRecord(msgspec.Struct, frozen=True):
    integration_id: str
    id: str
    masked: str
    region: str
    created_at: int
    revoked_at: int | None


_INTEGRATION_COLUMNS = "id, name, tier, region, history_days, allowed_origins, created_at"


def _integration(row: Row) -> IntegrationRecord:
    return IntegrationRecord(
        id=row["id"],
        name=row["name"],
        tier=row["tier"],
        region=row["region"],
        history_days=row["history_days"],
        allowed_origins=row["allowed_origins"],
        created_at=row["created_at"],
    )


async def insert_integration(conn: Connection, record: IntegrationRecord) -> bool:
    """Insert unless the id is taken; return whether it was inserted."""
    inserted = await conn.fetchval(
        f"INSERT INTO integrations ({_INTEGRATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (id) DO NOTHING RETURNING id",
        record.id,
        record.name,
        record.tier,
        record.region,
        record.history_days,
        record.allowed_origins,
        record.created_at,
    )
    return inserted is not None


async def get_integration(conn: Connection, integration_id: str) -> IntegrationRecord | None:
    row = await conn.fetchrow(
        f"SELECT {_INTEGRATION_COLUMNS} FROM integrations WHERE id = $1", integration_id
    )
    return None if row is None else _integration(row)


async def insert_key(conn: Connection, record: KeyRecord, key_hash: str) -> None:
    await conn.execute(
        "INSERT INTO api_keys (integration_id, id, key_hash, masked, region, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        record.integration_id,
        record.id,
        key_hash,
        record.masked,
        record.region,
        record.created_at,
    )


async def find_active_key(
    conn: Connection, key_hash: str
) -> tuple[KeyRecord, IntegrationRecord] | None:
    """The unrevoked key with this hash and its integration."""
    row = await conn.fetchrow(
        "SELECT k.integration_id, k.id AS key_id, k.masked, k.region AS key_region,"
        " k.created_at AS key_created_at, i.id, i.name, i.tier, i.region, i.history_days,"
        " i.allowed_origins, i.created_at"
        " FROM api_keys k JOIN integrations i ON i.id = k.integration_id"
        " WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        key_hash,
    )
    if row is None:
        return None
    key = KeyRecord(
        integration_id=row["integration_id"],
        id=row["key_id"],
        masked=row["masked"],
        region=row["key_region"],
        created_at=row["key_created_at"],
        revoked_at=None,
    )
    return key, _integration(row)


async def revoke_key(conn: Connection, integration_id: str, key_id: str, now_ms: int) -> bool:
    """Revoke one key of one integration; return whether an active key was revoked."""
    revoked = await conn.fetchval(
        "UPDATE api_keys SET revoked_at = $3"
        " WHERE integration_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id",
        integration_id,
        key_id,
        now_ms,
    )
    return revoked is not None


async def find_key_id_by_hash(conn: Connection, key_hash: str) -> tuple[str, str] | None:
    """(integration id, key id) of a key, revoked or not."""
    row = await conn.fetchrow(
        "SELECT integration_id, id FROM api_keys WHERE key_hash = $1", key_hash
    )
    return None if row is None else (row["integration_id"], row["id"])


async def list_keys(conn: Connection, integration_id: str) -> list[KeyRecord]:
    rows = await conn.fetch(
        "SELECT integration_id, id, masked, region, created_at, revoked_at FROM api_keys"
        " WHERE integration_id = $1 ORDER BY created_at, id",
        integration_id,
    )
    return [
        KeyRecord(
            integration_id=row["integration_id"],
            id=row["id"],
            masked=row["masked"],
            region=row["region"],
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
        )
        for row in rows
    ]


async def newest_active_key_mask(conn: Connection, integration_id: str) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT masked FROM api_keys WHERE integration_id = $1 AND revoked_at IS NULL"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        integration_id,
    )
    return value


async def set_allowed_origins(conn: Connection, integration_id: str, origins_json: str) -> bool:
    """Replace an integration's allowed origins (a JSON list); False when it does not exist."""
    updated = await conn.fetchval(
        "UPDATE integrations SET allowed_origins = $2 WHERE id = $1 RETURNING id",
        integration_id,
        origins_json,
    )
    return updated is not None
