"""The detector states this process stored last, so that a session's next batch need not
decode its state from the row again.

A live session sends a batch every few seconds, mostly to the same worker (its WebSocket
stays on one). Decoding a state builds its fourteen evidence objects, about a sixth of the
compiled detector's work per batch. A kept state is handed out only when the row's bytes
are exactly the bytes it was stored as, and decoding those bytes gives an equal state (the
stored form round-trips: tests/unit/detect/test_detect_properties.py). So a batch whose
transaction failed, a row another worker or a rebuild wrote, or anything else this process
did not store simply misses and decodes: the cache can make a batch cheaper, never its
verdict different.
"""

from __future__ import annotations

from collections import OrderedDict

from notai import detect

CAPACITY = 2048
"""Sessions kept per process: the most recently stored. A state is a few kilobytes."""


class StoredStates:
    """States by (integration, session), each with the bytes it was stored as."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._kept: OrderedDict[tuple[str, str], tuple[bytes, detect.DetectorState]] = OrderedDict()

    def take(self, key: tuple[str, str], stored: bytes) -> detect.DetectorState:
        """The state `stored` decodes to, for the caller to update in place.

        The kept state is removed as it is handed out: if the update fails half-way, the
        half-updated object is never handed out again.
        """
        kept = self._kept.pop(key, None)
        if kept is not None and kept[0] == stored:
            return kept[1]
        return detect.decode_state(stored)

    def keep(self, key: tuple[str, str], stored: bytes, state: detect.DetectorState) -> None:
        """Remember that `state` was stored as `stored`; the caller no longer changes it."""
        self._kept[key] = (stored, state)
        if len(self._kept) > self._capacity:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
