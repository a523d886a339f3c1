"""Keystroke timings of people and of scripts, and the messages the pixel makes of them.

A person's keydown-to-keydown gaps are log-normal around their usual pace, with longer
pauses between words and while thinking, and typos corrected with Backspace. A script's
gaps are a few milliseconds, all alike. Neither ever reveals which key was pressed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

from notai.demo.page import PageView
from notai.events import Clipboard, Input, KeyClass, Keypress, KeySample

KEYS_PER_MESSAGE = 24
KEY_FLUSH_MS = 1_000
"""The pixel sends held-back key timings once a second, or sooner when many pile up."""
TYPO_RATE = 0.04
THINKING_RATE = 0.05
SENTENCE_END_RATE = 0.1
GAP_SPREAD = 0.45
"""Log-normal sigma of a person's gaps: a coefficient of variation near 0.5."""


@dataclass(frozen=True, slots=True)
class Keystroke:
    down: int
    up: int
    key: KeyClass
    change: int
    """How the focused field's length changes: +1 typed, -1 deleted, 0 none."""


def human_keystrokes(rng: Random, at: int, chars: int, median_gap_ms: float) -> list[Keystroke]:
    """Typing `chars` characters of prose, starting at `at`."""
    strokes: list[Keystroke] = []
    typed, word_left, sentence_start = 0, _word_length(rng), True
    down = at
    while typed < chars:
        down += _human_gap(rng, median_gap_ms)
        if word_left == 0:
            if rng.random() < SENTENCE_END_RATE and typed + 2 < chars:
                strokes.append(_press(rng, down, "other", 1))  # a full stop
                typed, sentence_start = typed + 1, True
                down += _human_gap(rng, median_gap_ms)
            strokes.append(_press(rng, down, "space", 1))
            typed, word_left = typed + 1, _word_length(rng)
            continue
        if rng.random() < TYPO_RATE:
            strokes.append(_press(rng, down, "letter", 1))
            down += int(rng.uniform(250, 600))  # noticing the slip takes a moment
            strokes.append(_press(rng, down, "backspace", -1))
            down += _human_gap(rng, median_gap_ms)
        if sentence_start:
            strokes.append(_shift_for(rng, down))
        key: KeyClass = "digit" if rng.random() < 0.03 else "letter"
        strokes.append(_press(rng, down, key, 1))
        typed, word_left, sentence_start = typed + 1, word_left - 1, False
    return strokes


def _human_gap(rng: Random, median_ms: float) -> int:
    gap = median_ms * math.exp(rng.gauss(0, GAP_SPREAD))
    if rng.random() < THINKING_RATE:
        gap += rng.lognormvariate(math.log(900), 0.5)
    return max(35, int(gap))


def _press(rng: Random, down: int, key: KeyClass, change: int) -> Keystroke:
    dwell = 60 + int(40 * (rng.random() + rng.random()))  # 60-140 ms, most near 100
    return Keystroke(down, down + dwell, key, change)


def _shift_for(rng: Random, down: int) -> Keystroke:
    # Shift goes down just before the letter and comes up just after it.
    return Keystroke(down - rng.randint(25, 60), down + rng.randint(110, 180), "modifier", 0)


def _word_length(rng: Random) -> int:
    return max(1, min(12, int(rng.lognormvariate(math.log(4.5), 0.45))))


def scripted_keystrokes(
    rng: Random, at: int, chars: int, gap_ms: tuple[int, int], dwell_ms: tuple[int, int]
) -> list[Keystroke]:
    """What `keyboard.type` or `send_keys` produces: even, inhumanly short gaps."""
    strokes, down = [], at
    for index in range(chars):
        down += rng.randint(*gap_ms)
        key: KeyClass = "space" if index % 6 == 5 else "letter"
        strokes.append(Keystroke(down, down + rng.randint(*dwell_ms), key, 1))
    return strokes


def emit_keystrokes(
    view: PageView, field: str, strokes: list[Keystroke], length: int, *, trusted: bool = True
) -> int:
    """Queue the input message of every key that changes the field, and the key timings in
    batches; returns the field's new length."""
    for stroke in strokes:
        if stroke.change:
            length += stroke.change
            kind = "insertText" if stroke.change > 0 else "deleteContentBackward"
            view.emit(
                Input(
                    seq=0,
                    t=stroke.down + 1,
                    field=field,
                    inputType=kind,
                    delta=stroke.change,
                    length=length,
                    trusted=trusted,
                ),
                stroke.down + 1,
            )
    for chunk in _key_chunks(sorted(strokes, key=lambda stroke: stroke.down)):
        _emit_key_timings(view, chunk, trusted)
    return length


def _key_chunks(strokes: list[Keystroke]) -> list[list[Keystroke]]:
    chunks: list[list[Keystroke]] = []
    for stroke in strokes:
        current = chunks[-1] if chunks else None
        if (
            current
            and len(current) < KEYS_PER_MESSAGE
            and stroke.down - current[0].down < KEY_FLUSH_MS
        ):
            current.append(stroke)
        else:
            chunks.append([stroke])
    return chunks


def _emit_key_timings(view: PageView, chunk: list[Keystroke], trusted: bool) -> None:
    t = chunk[0].down
    keys: list[KeySample] = [(s.down - t, s.up - t, s.key) for s in chunk]
    untrusted = 0 if trusted else len(chunk)
    view.emit(Keypress(seq=0, t=t, keys=keys, untrusted=untrusted), max(s.up for s in chunk) + 1)


def emit_paste(view: PageView, field: str, chars: int, length: int) -> int:
    """Ctrl/Cmd+V of a short text: the shortcut's keys, the clipboard event, the input."""
    down = view.now
    shortcut = [
        Keystroke(down, down + 190, "modifier", 0),
        Keystroke(down + 70, down + 150, "letter", 0),
    ]
    _emit_key_timings(view, shortcut, trusted=True)
    view.emit(Clipboard(seq=0, t=down + 71, action="paste", length=chars, field=field), down + 71)
    view.emit(
        Input(
            seq=0,
            t=down + 72,
            field=field,
            inputType="insertFromPaste",
            delta=chars,
            length=length + chars,
        ),
        down + 72,
    )
    view.wait(200)
    return length + chars
