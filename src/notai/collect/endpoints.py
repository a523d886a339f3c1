"""The collector's HTTP endpoint: `POST /collect/v1/batch` with one JSON batch.

Accepts `application/json` and `text/plain` (what `navigator.sendBeacon` sends with a
string body, which needs no CORS preflight). Answers 200 only after the batch is
committed; every refusal uses the same `{"error": {...}}` envelope as the API.
"""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai.clock import now_ms
from notai.collect.ingest import IntegrationNotAccepted, ingest_batch
from notai.collect.origins import FORBIDDEN_ORIGIN_MESSAGE, origin_refused
from notai.collect.protocol import MAX_BATCH_BYTES, MalformedBatch, decode_batch

_encode = msgspec.json.Encoder().encode


class BatchReceipt(msgspec.Struct, frozen=True):
    sessionId: str
    accepted: int
    duplicates: int


_CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type",
    "access-control-max-age": "86400",
}


async def collect_batch(request: Request) -> Response:
    """Store one batch of a page view's event messages and re-score its session."""
    body = await _read_limited(request)
    if body is None:
        return _refuse(413, "PAYLOAD_TOO_LARGE", f"A batch may be at most {MAX_BATCH_BYTES} bytes.")
    try:
        batch = decode_batch(body)
    except MalformedBatch as exc:
        return _refuse(400, "MALFORMED_BATCH", str(exc), exc.field)
    services = request.app.state.services
    if await origin_refused(services.db, batch.integration, request.headers.get("origin")):
        return _refuse(403, "FORBIDDEN_ORIGIN", FORBIDDEN_ORIGIN_MESSAGE, "origin")
    try:
        result = await ingest_batch(services.db, services.settings, batch, now_ms())
    except IntegrationNotAccepted:
        return _refuse(
            404, "UNKNOWN_INTEGRATION", "No integration with this data-key here.", "integration"
        )
    # The page gets what was stored, never the score: page script (an agent's, too) reads it.
    receipt = BatchReceipt(result.sessionId, result.accepted, result.duplicates)
    return Response(_encode(receipt), media_type="application/json", headers=_CORS)


async def collect_preflight(request: Request) -> Response:
    return Response(status_code=204, headers=_CORS)


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None once it passes the batch limit (without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BATCH_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(status: int, code: str, message: str, field: str | None = None) -> Response:
    details = {"field": field} if field else {}
    body = {"error": {"code": code, "message": message, "details": details}}
    return Response(_encode(body), status_code=status, media_type="application/json", headers=_CORS)
