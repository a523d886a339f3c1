"""What the pixel does with the messages a page view queues: numbers them, keeps the session
alive with heartbeats while nothing happens, and flushes them in batches.

It flushes on a five-second timer, and at once (by beacon) for `init`, for the page being
hidden and for `close`, so that a session is announced promptly and its end is not lost.
"""

from __future__ import annotations

import msgspec

from notai.collect.protocol import MAX_MESSAGES_PER_BATCH
from notai.events import Close, Focus, Heartbeat, Init, Message

FLUSH_INTERVAL_MS = 5_000
HEARTBEAT_MS = 15_000
HIDDEN_HEARTBEAT_MS = 60_000
"""Browsers run a background tab's timers about once a minute."""

Queued = tuple[int, Message]


def flush_batches(queued: list[Queued]) -> list[tuple[int, list[Message]]]:
    """The batches the pixel sends, each with the client time at which it sends them."""
    timeline = _with_heartbeats(sorted(queued, key=lambda item: item[0]))
    numbered = [
        (at, msgspec.structs.replace(message, seq=seq))
        for seq, (at, message) in enumerate(timeline)
    ]
    return _split_large(_flush(numbered))


def _with_heartbeats(timeline: list[Queued]) -> list[Queued]:
    beating: list[Queued] = []
    hidden = False
    for at, message in timeline:
        if beating:
            interval = HIDDEN_HEARTBEAT_MS if hidden else HEARTBEAT_MS
            beat = beating[-1][0] + interval
            while beat < at:
                beating.append((beat, Heartbeat(seq=0, t=beat)))
                beat += interval
        if isinstance(message, Focus) and message.kind in ("hidden", "visible"):
            hidden = message.kind == "hidden"
        beating.append((at, message))
    return beating


def _sends_at_once(message: Message) -> bool:
    return isinstance(message, Init | Close) or (
        isinstance(message, Focus) and message.kind == "hidden"
    )


def _flush(timeline: list[Queued]) -> list[tuple[int, list[Message]]]:
    batches: list[tuple[int, list[Message]]] = []
    pending: list[Message] = []
    tick = timeline[0][0] + FLUSH_INTERVAL_MS if timeline else 0
    for at, message in timeline:
        if pending and at > tick:
            batches.append((tick, pending))
            pending = []
        while tick < at:
            tick += FLUSH_INTERVAL_MS
        pending.append(message)
        if _sends_at_once(message):
            batches.append((at, pending))
            pending = []
    if pending:
        batches.append((tick, pending))
    return batches


def _split_large(batches: list[tuple[int, list[Message]]]) -> list[tuple[int, list[Message]]]:
    return [
        (at, messages[start : start + MAX_MESSAGES_PER_BATCH])
        for at, messages in batches
        for start in range(0, len(messages), MAX_MESSAGES_PER_BATCH)
    ]
