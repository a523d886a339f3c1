"""Which web origins may send data for an integration (its `allowed_origins` list).

A `data-key` is public: anyone can copy the script tag onto another site. An integration that
lists its LMS origins has batches and streams from any other origin refused, so a copied tag
cannot pour foreign sessions into its data. Browsers set the `Origin` header themselves on
WebSocket handshakes and cross-origin POSTs; a page cannot forge it.
"""

from __future__ import annotations

from notai.store import integrations as integrations_repo
from notai.store.database import Database
from notai.tenancy.service import origin_allowed, parse_allowed_origins

FORBIDDEN_ORIGIN_MESSAGE = "This integration does not accept data from this origin."


async def origin_refused(db: Database, integration_id: str, origin: str | None) -> bool:
    """True when the integration lists allowed origins and `origin` is not one of them.

    An unknown integration is not refused here: ingest answers it with its own error.
    """
    async with db.connection() as conn:
        integration = await integrations_repo.get_integration(conn, integration_id)
    if integration is None:
        return False
    return not origin_allowed(parse_allowed_origins(integration.allowed_origins), origin)
