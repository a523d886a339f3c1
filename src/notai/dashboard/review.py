"""One session made readable: its flags explained and placed in time, its pointer and keys.

The detector keeps, for each flag, evidence with example client times (`first_ms`,
`last_ms`, ...; see docs/detection.md). Those times are what put a flag's marks on the
timeline, at the moment a reviewer should look. The replay and the typing chart read the
stored messages themselves: pointer positions, clicks and key timings, never a key's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from notai.dashboard.explain import Explanation, explain
from notai.events import MIN_TIMESTAMP_MS, Init, Keypress, Message, MouseClick, MouseMove
from notai.store.events import EventRecord

_decode_message = msgspec.msgpack.Decoder(Message).decode
_decode_evidence = msgspec.json.Decoder(dict[str, dict[str, Any]]).decode
MAX_PATH_POINTS = 30_000
MAX_KEYS = 5_000


@dataclass(frozen=True)
class Mark:
    """One evidence time of a flag, as a share (0 to 1) of the session's span."""

    name: str
    t_ms: int
    share: float


@dataclass
class FlagReview:
    flag: str
    explanation: Explanation
    evidence: dict[str, Any]
    marks: list[Mark] = field(default_factory=list)

    @property
    def span(self) -> tuple[float, float] | None:
        """From the first to the last mark, when the evidence covers a stretch of time."""
        if len(self.marks) < 2:
            return None
        shares = [m.share for m in self.marks]
        return min(shares), max(shares)


def flag_reviews(
    flags: list[str], evidence_json: str, start_ms: int, end_ms: int
) -> list[FlagReview]:
    """Each flag, strongest first as the detector ordered them, with its marks in time."""
    try:
        evidence = _decode_evidence(evidence_json or "{}")
    except msgspec.DecodeError:
        evidence = {}
    reviews = []
    for flag in flags:
        found = evidence.get(flag, {})
        marks = [
            Mark(name, value, _share(value, start_ms, end_ms))
            for name, value in found.items()
            if _is_moment(name, value)
        ]
        marks.sort(key=lambda m: m.t_ms)
        reviews.append(FlagReview(flag, explain(flag, found), found, marks))
    return reviews


def _is_moment(name: str, value: object) -> bool:
    """`first_ms` is a client time; `silence_ms` (a duration) is too small to be one."""
    return (
        name.endswith("_ms")
        and isinstance(value, int)
        and not isinstance(value, bool)
        and value >= MIN_TIMESTAMP_MS
    )


def _share(t_ms: int, start_ms: int, end_ms: int) -> float:
    if end_ms <= start_ms:
        return 0.0
    return min(1.0, max(0.0, (t_ms - start_ms) / (end_ms - start_ms)))


class ReplayData(msgspec.Struct, frozen=True):
    """What `replay.js` draws: times in ms from the session's start, CSS pixel positions."""

    durationMs: int
    viewport: tuple[int, int]
    moves: list[tuple[int, int, int]]
    clicks: list[tuple[int, int, int, str, bool]]
    """(t, x, y, phase, trusted)."""
    marks: list[tuple[int, str]]
    """(t, flag): the flags' evidence times, shown as the replay passes them."""


@dataclass(frozen=True)
class KeyGap:
    """A keydown and the time since the previous one (modifiers left out, as the detector
    does: Shift leads the letter it capitalises by a few ms)."""

    t_ms: int
    gap_ms: int
    dwell_ms: int | None
    key_class: str


@dataclass
class Recording:
    viewport: tuple[int, int] = (0, 0)
    moves: list[tuple[int, int, int]] = field(default_factory=list)
    clicks: list[tuple[int, int, int, str, bool]] = field(default_factory=list)
    keys: list[tuple[int, int | None, str]] = field(default_factory=list)


def read_recording(records: list[EventRecord], start_ms: int) -> Recording:
    recording = Recording()
    for record in records:
        try:
            message = _decode_message(record.payload)
        except msgspec.DecodeError:
            continue
        _add(recording, message, start_ms)
    recording.moves.sort()
    recording.clicks.sort()
    recording.keys.sort(key=lambda k: k[0])
    return recording


def _add(recording: Recording, message: Message, start_ms: int) -> None:
    base = message.t - start_ms
    if isinstance(message, Init) and message.env.viewport is not None:
        recording.viewport = (message.env.viewport.w, message.env.viewport.h)
    elif isinstance(message, MouseMove) and message.trusted:
        recording.moves.extend((base + dt, x, y) for dt, x, y in message.samples)
    elif isinstance(message, MouseClick):
        recording.clicks.append((base, message.x, message.y, message.phase, message.trusted))
    elif isinstance(message, Keypress):
        recording.keys.extend(
            (base + down, (up - down) if up >= 0 else None, kind) for down, up, kind in message.keys
        )


def replay_data(
    recording: Recording, start_ms: int, duration_ms: int, reviews: list[FlagReview]
) -> ReplayData:
    moves = recording.moves
    if len(moves) > MAX_PATH_POINTS:
        step = len(moves) / MAX_PATH_POINTS
        moves = [moves[int(i * step)] for i in range(MAX_PATH_POINTS)]
    width, height = recording.viewport
    if not width or not height:
        xs = [m[1] for m in moves] + [c[1] for c in recording.clicks] or [0]
        ys = [m[2] for m in moves] + [c[2] for c in recording.clicks] or [0]
        width, height = max(max(xs) + 20, 320), max(max(ys) + 20, 240)
    return ReplayData(
        durationMs=duration_ms,
        viewport=(width, height),
        moves=moves,
        clicks=recording.clicks,
        marks=[(mark.t_ms - start_ms, r.flag) for r in reviews for mark in r.marks],
    )


def key_gaps(recording: Recording) -> list[KeyGap]:
    gaps = []
    previous: int | None = None
    for t, dwell, kind in recording.keys[:MAX_KEYS]:
        if kind == "modifier":
            continue
        if previous is not None:
            gaps.append(KeyGap(t, t - previous, dwell, kind))
        previous = t
    return gaps
