"""How a hand moves a pointer, turns a wheel and swipes a screen, as timed samples.

Samples here are absolute: (client ms, x, y). `emit_*` turns them into messages the way
the pixel does, a message every few hundred milliseconds with offsets relative to its `t`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from random import Random

from notai.demo.page import PageView
from notai.events import MAX_SAMPLES, MouseMove, Scroll, Touch

Sample = tuple[int, int, int]

FRAME_MS = 1000 / 60
WHEEL_NOTCH_PX = 100
TREMOR_PX = 2.0
FITTS_A_MS, FITTS_B_MS = 120.0, 140.0
"""Movement time = a + b * log2(distance / width + 1), with the constants people show."""


def hand_path(
    rng: Random, start: tuple[int, int], end: tuple[int, int], at: int, poll_ms: int, width: int
) -> list[Sample]:
    """A reach from `start` to `end`: bell-shaped speed along a slight curve, with tremor,
    sometimes overshooting and coming back, as hands do."""
    distance = math.dist(start, end)
    if distance < 2:
        return [(at, end[0], end[1])]
    index = math.log2(distance / max(width, 8) + 1)
    duration = (FITTS_A_MS + FITTS_B_MS * index) * rng.lognormvariate(0, 0.2)
    aim = end
    if distance > 150 and rng.random() < 0.3:
        overshoot = rng.uniform(0.03, 0.08)
        aim = (
            round(end[0] + (end[0] - start[0]) * overshoot),
            round(end[1] + (end[1] - start[1]) * overshoot),
        )
    samples = _bent_stroke(rng, start, aim, at, duration, poll_ms)
    if aim != end:
        back_at = samples[-1][0] + rng.randint(40, 110)
        samples += _bent_stroke(rng, aim, end, back_at, rng.uniform(120, 220), poll_ms)
    return samples


def _bent_stroke(
    rng: Random, start: tuple[int, int], end: tuple[int, int], at: int, duration: float, poll: int
) -> list[Sample]:
    (x0, y0), (x1, y1) = start, end
    bend = rng.uniform(-0.2, 0.2)
    cx, cy = (x0 + x1) / 2 - (y1 - y0) * bend, (y0 + y1) / 2 + (x1 - x0) * bend
    # The quadratic Bezier through that control point, as x0 + s * (bx + s * ax).
    bx, ax = 2 * (cx - x0), x0 - 2 * cx + x1
    by, ay = 2 * (cy - y0), y0 - 2 * cy + y1
    # Tremor of +-1 px; the 0.5 makes int() round. Plain uniforms: this is the hot loop.
    noise, ox, oy = rng.random, x0 + 0.5 - TREMOR_PX / 2, y0 + 0.5 - TREMOR_PX / 2
    samples, elapsed = [], 0.0
    while elapsed < duration:
        tau = elapsed / duration
        s = tau * tau * tau * (10 - 15 * tau + 6 * tau * tau)  # minimum jerk
        x = ox + s * (bx + s * ax) + TREMOR_PX * noise()
        y = oy + s * (by + s * ay) + TREMOR_PX * noise()
        samples.append((at + int(elapsed), int(x), int(y)))
        elapsed += poll + int(noise() * 3) - 1
    if samples[-1][0] == at + int(duration):
        samples.pop()
    samples.append((at + int(duration), x1, y1))
    return samples


def wheel_scroll(rng: Random, start_y: int, end_y: int, at: int) -> list[Sample]:
    """Wheel notches of 100 px, a short, uneven pause between one and the next."""
    samples: list[Sample] = []
    position = start_y
    while position != end_y:
        target = position + max(-WHEEL_NOTCH_PX, min(WHEEL_NOTCH_PX, end_y - position))
        samples += animate_scroll(rng, position, target, at)
        position = target
        at = samples[-1][0] + int(rng.lognormvariate(math.log(60), 0.6))
    return samples


def animate_scroll(rng: Random, start_y: int, end_y: int, at: int) -> list[Sample]:
    """One smooth scroll as browsers animate a notch or a key: eased out over a few frames,
    enough of them that no frame moves more than ~100 px."""
    distance = end_y - start_y
    frames = max(rng.randint(4, 7), math.ceil(abs(distance) / 50) + 1)
    return [
        (
            at + round(frame * FRAME_MS),
            0,
            start_y + round(distance * (1 - (1 - frame / frames) ** 2)),
        )
        for frame in range(1, frames + 1)
    ]


GLIDE_MAX_PX = 900
"""Longest single flick: further, people flick again (and no frame jumps over ~110 px)."""


def glide_scroll(rng: Random, start_y: int, end_y: int, at: int) -> list[Sample]:
    """Trackpad or finger flicks: each fast at first, then momentum decaying frame by frame."""
    samples: list[Sample] = []
    position = start_y
    while position != end_y:
        step = max(-GLIDE_MAX_PX, min(GLIDE_MAX_PX, end_y - position))
        samples += _flick(rng, position, position + step, at)
        position += step
        at = samples[-1][0] + rng.randint(120, 400)
    return samples


def _flick(rng: Random, start_y: int, end_y: int, at: int) -> list[Sample]:
    samples, position = [], float(start_y)
    distance = end_y - start_y
    frames = max(6, math.ceil(abs(distance) / 45))
    weights = [0.9**frame for frame in range(frames)]
    total = sum(weights)
    for frame, weight in enumerate(weights, start=1):
        position += distance * weight / total
        samples.append((at + round(frame * FRAME_MS) + rng.randint(0, 2), 0, round(position)))
    samples[-1] = (samples[-1][0], 0, end_y)
    return samples


def swipe(rng: Random, x: int, y: int, distance: int, at: int) -> list[Sample]:
    """A finger dragging upwards by `distance` (negative: downwards) over 100-250 ms."""
    duration = rng.randint(100, 250)
    steps = max(2, duration // 16)
    return [
        (at + step * duration // steps, x + round(rng.gauss(0, 2)), y - distance * step // steps)
        for step in range(steps + 1)
    ]


def emit_moves(
    view: PageView, samples: list[Sample], *, trusted: bool = True, hardware: bool = True
) -> None:
    """MouseMove messages as the pixel flushes them: every 100-500 ms of movement.

    A real mouse reports faster than the screen refreshes, so the browser coalesces the
    samples of one frame into one event; events made by automation arrive one by one."""
    for chunk in _chunks(view.rng, samples):
        t = chunk[0][0]
        # Samples come faster than frames, so every frame in the chunk dispatched one event.
        frames = int((chunk[-1][0] - t) / FRAME_MS) + 1
        coalesced = max(0, len(chunk) - frames) if hardware else 0
        moves = [(ms - t, x, y) for ms, x, y in chunk]
        view.emit(
            MouseMove(seq=0, t=t, samples=moves, coalesced=coalesced, trusted=trusted), chunk[-1][0]
        )


def emit_scroll(view: PageView, samples: list[Sample], *, trusted: bool = True) -> None:
    for chunk in _chunks(view.rng, samples):
        t = chunk[0][0]
        positions = [(ms - t, x, y) for ms, x, y in chunk]
        view.emit(Scroll(seq=0, t=t, samples=positions, trusted=trusted), chunk[-1][0])
    if samples:
        view.scroll_y = samples[-1][2]


def emit_touch(view: PageView, samples: list[Sample]) -> None:
    """One touch: start at the first sample, moves while the finger travels, end at the last."""
    first, last = samples[0], samples[-1]
    view.emit(Touch(seq=0, t=first[0], phase="start", samples=[(0, first[1], first[2])]), first[0])
    for chunk in _chunks(view.rng, samples[1:-1]):
        t = chunk[0][0]
        moves = [(ms - t, x, y) for ms, x, y in chunk]
        view.emit(Touch(seq=0, t=t, phase="move", samples=moves), chunk[-1][0])
    view.emit(Touch(seq=0, t=last[0], phase="end", samples=[(0, last[1], last[2])]), last[0])


def _chunks(rng: Random, samples: list[Sample]) -> list[list[Sample]]:
    times = [sample[0] for sample in samples]
    chunks, start = [], 0
    while start < len(samples):
        end = bisect_left(times, times[start] + rng.randint(100, 500), start + 1)
        end = min(end, start + MAX_SAMPLES)
        chunks.append(samples[start:end])
        start = end
    return chunks
