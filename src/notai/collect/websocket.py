"""The collector's live stream: `GET /collect/v1/ws`, binary frames (see `collect.binary`).

One connection carries one session. The pixel opens with HELLO; the collector checks the
integration, its region and the page's origin, and answers WELCOME or an ERROR and a close.
Then each EVENTS frame is stored (several connections' frames share a commit, see
`groupcommit`) and answered with an ACK of the seqs now durable, or an ERROR that names the
frame and the reason. A frame the collector cannot use is refused on its own: the
connection, the session and what was stored before are untouched. Only a frame of another
protocol version, an oversized frame, or a failure of the database ends the connection; the
pixel then reconnects and re-sends whatever was not acknowledged.
"""

from __future__ import annotations

import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from notai.clock import now_ms
from notai.collect.binary import (
    Events,
    Hello,
    MalformedFrame,
    ack_frame,
    decode_client_frame,
    error_frame,
    welcome_frame,
)
from notai.collect.groupcommit import GroupCommit
from notai.collect.ingest import IntegrationNotAccepted
from notai.collect.origins import FORBIDDEN_ORIGIN_MESSAGE
from notai.collect.protocol import PROTOCOL_VERSION, Batch
from notai.settings import Settings
from notai.store import integrations as integrations_repo
from notai.store.database import Database, DatabaseUnavailable
from notai.tenancy.service import origin_allowed, parse_allowed_origins

logger = logging.getLogger("notai.collect")

# WebSocket close codes (RFC 6455): the pixel reads them to decide whether to come back.
CLOSE_POLICY = 1008
"""Refused for good (unknown integration, origin, region): the pixel does not reconnect."""
CLOSE_PROTOCOL = 1002
CLOSE_TOO_BIG = 1009
CLOSE_UNAVAILABLE = 1013
"""Try again later: the pixel reconnects with backoff and re-sends what is unacknowledged."""
CLOSE_INTERNAL = 1011


class _Refusal(Exception):
    """End the connection after telling the pixel why."""

    def __init__(self, code: str, message: str, close_code: int, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code
        self.field = field


async def collect_stream(websocket: WebSocket) -> None:
    """Receive one page view's messages as binary frames; acknowledge each once stored."""
    await websocket.accept()
    try:
        hello = await _open(websocket)
        await _stream(websocket, hello)
    except WebSocketDisconnect:
        return
    except _Refusal as refusal:
        await _close(websocket, 0, refusal)
    except DatabaseUnavailable:
        await _close(
            websocket,
            0,
            _Refusal("SERVICE_UNAVAILABLE", "The database is unavailable.", CLOSE_UNAVAILABLE),
        )
    except Exception:
        logger.exception("collector stream failed")
        await _close(
            websocket, 0, _Refusal("INTERNAL_ERROR", "The collector failed.", CLOSE_INTERNAL)
        )


async def _open(websocket: WebSocket) -> Hello:
    try:
        hello = _decode(await _receive(websocket))
    except MalformedFrame as exc:
        raise _Refusal(exc.code, str(exc), CLOSE_PROTOCOL, exc.field) from None
    if not isinstance(hello, Hello):
        raise _Refusal(
            "MALFORMED_FRAME", "The first frame must be a HELLO.", CLOSE_PROTOCOL, "kind"
        )
    services = websocket.app.state.services
    await _check_hello(services.db, services.settings, hello, websocket.headers.get("origin"))
    await _send(websocket, welcome_frame(hello.session))
    return hello


async def _check_hello(db: Database, settings: Settings, hello: Hello, origin: str | None) -> None:
    if hello.region and hello.region != settings.region:
        raise _Refusal(
            "WRONG_REGION",
            f"This collector serves region {settings.region}, not {hello.region}.",
            CLOSE_POLICY,
            "region",
        )
    async with db.connection() as conn:
        integration = await integrations_repo.get_integration(conn, hello.integration)
    if integration is None or integration.region != settings.region:
        raise _Refusal(
            "UNKNOWN_INTEGRATION",
            "No integration with this data-key here.",
            CLOSE_POLICY,
            "integration",
        )
    if not origin_allowed(parse_allowed_origins(integration.allowed_origins), origin):
        raise _Refusal("FORBIDDEN_ORIGIN", FORBIDDEN_ORIGIN_MESSAGE, CLOSE_POLICY, "origin")


async def _stream(websocket: WebSocket, hello: Hello) -> None:
    last_number = 0
    while True:
        data = await _receive(websocket)
        try:
            frame = _decode(data)
            if isinstance(frame, Hello):
                raise MalformedFrame(
                    "MALFORMED_FRAME", "HELLO was already received", number=0, field="kind"
                )
            if frame.number <= last_number:
                raise MalformedFrame(
                    "OUT_OF_ORDER_FRAME",
                    f"frame {frame.number} after frame {last_number}: numbers must increase",
                    number=frame.number,
                    field="number",
                )
        except MalformedFrame as exc:
            await _send(websocket, error_frame(exc.number, exc.code, str(exc), exc.field))
            continue
        last_number = frame.number
        await _store(websocket, hello, frame)


async def _store(websocket: WebSocket, hello: Hello, frame: Events) -> None:
    batch = Batch(
        v=PROTOCOL_VERSION,
        integration=hello.integration,
        session=hello.session,
        events=frame.messages,
    )
    try:
        result = await _group_commit(websocket).ingest(batch, now_ms())
    except IntegrationNotAccepted:
        raise _Refusal(
            "UNKNOWN_INTEGRATION",
            "No integration with this data-key here.",
            CLOSE_POLICY,
            "integration",
        ) from None
    seqs = [message.seq for message in frame.messages]
    await _send(websocket, ack_frame(frame.number, seqs, result.accepted, result.duplicates))


def _group_commit(websocket: WebSocket) -> GroupCommit:
    """The app's one group commit (created on first use, on the app's event loop)."""
    state = websocket.app.state
    found: GroupCommit | None = getattr(state, "group_commit", None)
    if found is None:
        services = state.services
        found = GroupCommit(services.db, services.settings)
        state.group_commit = found
    return found


def _decode(data: bytes) -> Hello | Events:
    try:
        return decode_client_frame(data)
    except MalformedFrame as exc:
        if not exc.fatal:
            raise
        close = CLOSE_TOO_BIG if exc.code == "PAYLOAD_TOO_LARGE" else CLOSE_PROTOCOL
        raise _Refusal(exc.code, str(exc), close, exc.field) from None


async def _receive(websocket: WebSocket) -> bytes:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    data = message.get("bytes")
    if data is None:
        raise _Refusal(
            "MALFORMED_FRAME", "Frames are binary; text frames are not read.", CLOSE_PROTOCOL
        )
    return bytes(data)


async def _send(websocket: WebSocket, frame: bytes) -> None:
    """Send a frame; a pixel that left meanwhile (its page closed) ends the stream quietly."""
    try:
        await websocket.send_bytes(frame)
    except Exception as exc:  # each server reports a closed socket its own way
        raise WebSocketDisconnect(1006) from exc


async def _close(websocket: WebSocket, number: int, refusal: _Refusal) -> None:
    if websocket.application_state != WebSocketState.CONNECTED:
        return
    try:
        await websocket.send_bytes(
            error_frame(number, refusal.code, refusal.message, refusal.field)
        )
        await websocket.close(refusal.close_code, refusal.code)
    except (WebSocketDisconnect, RuntimeError, OSError):
        return
