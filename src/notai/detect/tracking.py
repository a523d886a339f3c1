"""Keeping the evidence of the behavioural signals in `detect.behaviour`, message by message.

Called from `detect.observe` in `seq` order. Every update costs work proportional to the
message's own samples plus a handful of pending findings, never to the session so far.

The pixel sends key timings in batches that close 1.5 s after the last key, so keys can
arrive after later clicks and scrolls. Findings that an earlier key (or any earlier event)
would explain are therefore kept as *pending* for a while: a late message whose time falls
in a pending finding's window withdraws it. At most `MAX_PENDING` are kept; older ones
become final.
"""

from __future__ import annotations

import math
import zlib
from operator import itemgetter
from typing import Any, cast

from notai.detect.behaviour import (
    CENTRE,
    COALESCED,
    COLD,
    PACE,
    PASTE_SUBMIT,
    SCROLL_JUMP,
    TELEPORT,
    centre_chance,
)
from notai.detect.keys import DWELL, UNIFORM
from notai.detect.signals import DETACHED, TYPING_CADENCE
from notai.detect.state import UNRELEASED, DetectorState
from notai.events import (
    Clipboard,
    Focus,
    FormSubmit,
    Input,
    Keypress,
    KeySample,
    Message,
    MouseClick,
    MouseMove,
    Scroll,
    Touch,
)

MAX_PENDING = 8
COLD_CLICK = 0
SCROLL_JUMP_KIND = 1


# --- activity runs and late messages ---------------------------------------------------------


_SAMPLED: frozenset[type[Message]] = frozenset({MouseMove, Scroll, Touch})
"""Messages whose every sample is an act."""
_MOMENTARY: frozenset[type[Message]] = frozenset({MouseClick, Input, Clipboard, Focus, FormSubmit})
"""Messages that are one act at the message's time."""
_AT_MESSAGE_TIME: list[tuple[int, int, Any]] = [(0, 0, None)]
"""A momentary message's one act, shaped like a sample: offset 0. Never changed."""

Acts = list[tuple[int, int, Any]]
"""Samples or keys: index 0 of each is an offset from the message's time. A list, as the
messages hold them, so that the compiled loop walks it without Python's iterator calls."""


def note_activity(state: DetectorState, message: Message) -> None:
    """Advance the activity runs; let earlier-timed activity withdraw pending findings.

    The acts are found by exact type, not `isinstance`, which is slower on Struct classes
    (messages are never subclassed), and here rather than in a function of their own: this
    runs for every message.
    """
    kind = type(message)
    # Cast to one type, so that compiled code reads each act as a tuple and not as any of
    # the message types' samples.
    acts: Acts
    if kind in _SAMPLED:
        acts = cast(Acts, cast("MouseMove | Scroll | Touch", message).samples)
    elif kind is Keypress:
        acts = cast(Acts, cast(Keypress, message).keys)
    elif kind in _MOMENTARY:
        acts = _AT_MESSAGE_TIME
    else:
        return  # housekeeping: no act of a person or a tool
    activity = state.activity
    moving = 1 if type(message) is MouseMove and message.trusted else 0
    # The last time and the run's moves are locals, written back once: this loop runs for
    # every sample and key of the session.
    t, last_t, run_moves = message.t, activity.last_t, activity.run_moves
    silence_ms = COLD.silence_ms
    for act in acts:
        at = t + act[0]
        if at < last_t:
            if activity.pending:  # nothing to withdraw is the common case
                _withdraw(state, at, _explains_jumps(message))
            continue
        if not last_t or at - last_t >= silence_ms:
            pointer = state.pointer
            activity.run_start_t, run_moves = at, 0
            activity.rest_known = pointer.known
            activity.rest_x, activity.rest_y = pointer.x, pointer.y
        run_moves += moving
        last_t = at
    activity.last_t, activity.run_moves = last_t, run_moves


def _explains_jumps(message: Message) -> bool:
    """Whether a late act of this message explains a scroll jump after it (keys, a finger, a
    mouse press can all move a page); any act explains a cold click."""
    if type(message) is MouseClick:
        return message.phase == "down"
    return type(message) is Keypress or type(message) is Touch


def _withdraw(state: DetectorState, at: int, explains_jumps: bool) -> None:
    kept = []
    for start, end, kind in state.activity.pending:
        if start < at <= end and (kind == COLD_CLICK or explains_jumps):
            _undo(state, kind)
        else:
            kept.append((start, end, kind))
    state.activity.pending = tuple(kept)


def _undo(state: DetectorState, kind: int) -> None:
    if kind == COLD_CLICK:
        state.clicks.cold -= 1
        if not state.clicks.cold:
            state.clicks.cold_first_t = state.clicks.cold_last_t = 0
    else:
        state.scroll.jumps -= 1
        if not state.scroll.jumps:
            state.scroll.first_t = state.scroll.last_t = 0


def _hold(state: DetectorState, start: int, end: int, kind: int) -> None:
    pending = (*state.activity.pending, (start, end, kind))
    state.activity.pending = pending[-MAX_PENDING:]


# --- pointer -----------------------------------------------------------------------------------


def note_move(state: DetectorState, message: MouseMove) -> None:
    """Judge a trusted move message for coalesced samples."""
    if len(message.samples) < COALESCED.min_samples:
        return
    moves = state.moves
    moves.judged += 1
    if message.coalesced == 0:
        moves.uncoalesced += 1
        moves.first_t = moves.first_t or message.t


def note_far_sample(state: DetectorState, message: MouseMove) -> None:
    """Keep a move message's first sample if it is far from the last press: which was it?

    Called before the samples move the pointer state on. The next position (this message's
    second sample, the next message's first, or a mouse press or release) tells whether the
    pointer went there or was seen there while another pointer went on (see
    `signals.detached_pointer`). Only a run's first sample can be alone like that: the
    pixel starts a run after every other message.
    """
    samples = message.samples
    _, x, y = samples[0]
    note_pointer_position(state, x, y)
    pointer, detached = state.pointer, state.detached
    if not (pointer.known and pointer.from_click):
        return  # judged from a press only: a pointer that left the page comes back anywhere
    if _apart(pointer.x, pointer.y, x, y) < DETACHED.jump_px:
        return
    detached.open = True
    detached.from_x, detached.from_y = pointer.x, pointer.y
    detached.spot_x, detached.spot_y, detached.spot_t = x, y, message.t
    if len(samples) > 1:
        note_pointer_position(state, samples[1][1], samples[1][2])


def note_pointer_position(state: DetectorState, x: int, y: int) -> None:
    """The pointer's next position after a far sample, if one is waiting."""
    d = state.detached
    if not d.open:
        return
    d.open = False
    if _apart(d.spot_x, d.spot_y, x, y) < DETACHED.jump_px:
        return  # the pointer did go there
    if _apart(d.from_x, d.from_y, x, y) > DETACHED.return_px:
        return
    d.returns += 1
    if d.returns == 1:
        d.first_x, d.first_y, d.first_t = d.spot_x, d.spot_y, d.spot_t
    if _apart(d.first_x, d.first_y, d.spot_x, d.spot_y) <= DETACHED.return_px:
        d.at_first_spot += 1
    d.last_t = d.spot_t


def _apart(x1: int, y1: int, x2: int, y2: int) -> int:
    return max(abs(x1 - x2), abs(y1 - y2))


def note_press(state: DetectorState, message: MouseClick) -> None:
    """Judge a trusted main-button mouse press: centring, last step, approach out of silence.

    Called before the press moves the pointer state on.
    """
    state.activity.last_press_t = max(state.activity.last_press_t, message.t)
    if message.button != 0:
        return
    state.clicks.presses += 1
    _judge_centre(state, message)
    _judge_step(state, message)
    _judge_cold(state, message)


def _judge_centre(state: DetectorState, message: MouseClick) -> None:
    box, clicks = message.target, state.clicks
    if box is None or min(box.w, box.h) < CENTRE.min_side_px:
        return
    if max(box.w, box.h) > CENTRE.max_side_px:
        return
    clicks.sized += 1
    off_x = abs(message.x - (box.x + box.w / 2))
    off_y = abs(message.y - (box.y + box.h / 2))
    if off_x <= CENTRE.tolerance_px and off_y <= CENTRE.tolerance_px:
        clicks.centred += 1
        clicks.centred_log10_chance += math.log10(max(1e-12, centre_chance(box.w, box.h)))
        clicks.centred_first_t = clicks.centred_first_t or message.t
        clicks.centred_last_t = max(clicks.centred_last_t, message.t)


def _judge_step(state: DetectorState, message: MouseClick) -> None:
    pointer, clicks = state.pointer, state.clicks
    if not pointer.known or pointer.from_click:
        return
    if message.t - pointer.t > TELEPORT.approach_window_ms:
        return
    step = math.dist((message.x, message.y), (pointer.x, pointer.y))
    if step <= COLD.same_spot_px:
        if not clicks.prev_known:
            return
        step = math.dist((pointer.x, pointer.y), (clicks.prev_x, clicks.prev_y))
    clicks.approached += 1
    if step >= TELEPORT.min_step_px:
        clicks.teleports += 1
        clicks.teleport_max_px = max(clicks.teleport_max_px, round(step))
        clicks.teleport_first_t = clicks.teleport_first_t or message.t
        clicks.teleport_last_t = max(clicks.teleport_last_t, message.t)


def _judge_cold(state: DetectorState, message: MouseClick) -> None:
    activity, clicks = state.activity, state.clicks
    if not activity.rest_known or message.t - activity.run_start_t > COLD.approach_ms:
        return
    if activity.run_moves > COLD.max_approach_samples:
        return  # the pointer travelled, however briefly
    rest = (activity.rest_x, activity.rest_y)
    if math.dist(rest, (message.x, message.y)) <= COLD.same_spot_px:
        return  # the pointer was already resting on what it pressed
    clicks.cold += 1
    clicks.cold_first_t = clicks.cold_first_t or message.t
    clicks.cold_last_t = max(clicks.cold_last_t, message.t)
    start = activity.run_start_t
    _hold(state, start - COLD.silence_ms, start - 1, COLD_CLICK)


# --- keys --------------------------------------------------------------------------------------


def note_keys(state: DetectorState, message: Keypress) -> None:
    """Non-modifier keys in keydown order: runs of fast keys, how long each key was held,
    and the gaps between keys.

    This runs for every key of the session, so it is one pass: the fields it updates live
    in locals until the end, the thresholds are read once, and comparisons stand in for
    max().
    """
    typing, keys, activity = state.typing, state.key_timing, state.activity
    t = message.t
    max_run_gap, min_run_keys = TYPING_CADENCE.max_gap_ms, TYPING_CADENCE.min_run_keys
    max_even_gap, even_share, even_ms = UNIFORM.max_gap_ms, UNIFORM.even_share, UNIFORM.even_ms
    short_ms = DWELL.short_ms
    last_down_t, last_class, last_up_t = typing.last_down_t, typing.last_class, typing.last_up_t
    run_keys, run_start_t, longest_run = typing.run_keys, typing.run_start_t, typing.longest_run
    last_key_t = activity.last_key_t
    measured, short = keys.dwell_measured, keys.dwell_short
    gaps, gap_sum, gap_sumsq = keys.gaps, keys.gap_sum, keys.gap_sumsq
    pairs, even_pairs, last_gap = keys.pairs, keys.even_pairs, keys.last_gap
    gap_first_t = keys.gap_first_t
    for down_offset, up_offset, key_class in _in_keydown_order(message.keys):
        if key_class == "modifier":  # Shift/Ctrl lead other keys by a few ms when people type
            continue
        down = t + down_offset
        up = t + up_offset if up_offset >= 0 else UNRELEASED
        # Runs of fast keys. A held key auto-repeats about every 30 ms: same key class,
        # never released between.
        same_class = key_class == last_class
        gap = down - last_down_t
        held = same_class and (last_up_t == UNRELEASED or last_up_t > down)
        if last_down_t and 0 <= gap < max_run_gap and not held:
            run_keys += 1
        else:
            run_keys, run_start_t = 1, down
        if run_keys == min_run_keys:
            typing.fast_runs += 1
            typing.first_run_t = typing.first_run_t or run_start_t
        if run_keys > longest_run:
            longest_run, typing.longest_run_t = run_keys, run_start_t
        # Auto-repeat leaves the earlier keydowns unreleased, so its gaps say nothing about
        # cadence; rollover keys have their own keyup.
        cadence = last_down_t and not (same_class and last_up_t == UNRELEASED)
        last_down_t, last_class, last_up_t = down, key_class, up
        # Dwell and the evenness of gaps.
        last_key_t = down if down > last_key_t else last_key_t
        if up >= down:
            measured += 1
            if up - down < short_ms:
                short += 1
                keys.dwell_first_t = keys.dwell_first_t or down
        if not cadence or not 0 <= gap < max_even_gap:
            last_gap = -1  # a pause: the next gap starts a new run of pairs
            continue
        gaps += 1
        gap_sum += gap
        gap_sumsq += gap * gap  # exact: gaps are under UNIFORM.max_gap_ms
        gap_first_t = gap_first_t or down
        if last_gap >= 0:
            # Even: the two gaps differ by at most 10% of the wider one (or 3 ms).
            # Written out with the types apart, so that compiled code compares machine
            # numbers (exactly: gaps are small integers).
            pairs += 1
            apart = gap - last_gap if gap > last_gap else last_gap - gap
            slack = even_share * (gap if gap > last_gap else last_gap)
            if apart <= (slack if slack > even_ms else float(even_ms)):
                even_pairs += 1
        last_gap = gap
    typing.last_down_t, typing.last_class, typing.last_up_t = last_down_t, last_class, last_up_t
    typing.run_keys, typing.run_start_t, typing.longest_run = run_keys, run_start_t, longest_run
    activity.last_key_t = last_key_t
    keys.dwell_measured, keys.dwell_short = measured, short
    keys.gaps, keys.gap_sum, keys.gap_sumsq = gaps, gap_sum, gap_sumsq
    keys.pairs, keys.even_pairs, keys.last_gap = pairs, even_pairs, last_gap
    keys.gap_first_t = gap_first_t


def _in_keydown_order(keys: list[KeySample]) -> list[KeySample]:
    """The keys sorted by keydown (stable). The pixel sends them in that order, so they are
    checked first and sorted only when they are not."""
    previous = keys[0][0] if keys else 0
    for down, _, _ in keys:
        if down < previous:
            return sorted(keys, key=_key_down)
        previous = down
    return keys


_key_down = itemgetter(0)
"""A key sample's keydown offset."""


# --- scrolling ---------------------------------------------------------------------------------


def note_scroll(state: DetectorState, message: Scroll) -> None:
    """Count steps of a trusted scroll run, and jumps that nothing before explains."""
    scroll, activity = state.scroll, state.activity
    # Keys and presses cannot happen inside one scroll message: one explanation for all.
    explained = max(activity.last_key_t, activity.last_press_t)
    min_jump_px, explained_ms = SCROLL_JUMP.min_jump_px, SCROLL_JUMP.explained_ms
    # The position and the step count run in locals (this loop runs for every scroll sample);
    # a jump is rare and writes its own fields.
    known, sx, sy, steps, t = scroll.known, scroll.x, scroll.y, scroll.steps, message.t
    for offset, x, y in message.samples:
        if known:
            dx, dy = abs(x - sx), abs(y - sy)
            step = dx if dx > dy else dy
            steps += 1
            if step >= min_jump_px and t + offset - explained > explained_ms:
                _count_jump(state, t + offset, step)
        known, sx, sy = True, x, y
    scroll.known, scroll.x, scroll.y, scroll.steps = known, sx, sy, steps


def _count_jump(state: DetectorState, at: int, step: int) -> None:
    scroll = state.scroll
    scroll.jumps += 1
    scroll.max_jump_px = max(scroll.max_jump_px, step)
    scroll.first_t = scroll.first_t or at
    scroll.last_t = max(scroll.last_t, at)
    _hold(state, at - SCROLL_JUMP.explained_ms, at, SCROLL_JUMP_KIND)


def note_touch(state: DetectorState, message: Touch) -> None:
    # A finger on the screen explains what the page does next (flings, taps on links), and
    # says an on-screen keyboard may be typing.
    state.activity.last_press_t = max(state.activity.last_press_t, message.t)
    if message.trusted:
        state.facts.touch_device = True


# --- pace: answers, paste, submit ----------------------------------------------------------------


def note_page_start(state: DetectorState, t: int, *, reset: bool) -> None:
    """A page loaded (reset) or the pixel's init arrived (only if nothing started the page)."""
    pace = state.pace
    if reset:
        pace.start_t, pace.fields = t, ()
        state.scroll.known = False
    elif not pace.start_t:
        pace.start_t = t


def note_answer(state: DetectorState, message: Input) -> None:
    pace = state.pace
    field = zlib.crc32(message.field.encode())
    if field not in pace.fields and len(pace.fields) < PACE.max_fields:
        pace.fields = (*pace.fields, field)


def note_paste(state: DetectorState, message: Clipboard) -> None:
    pace = state.pace
    if message.action == "paste" and message.length >= PASTE_SUBMIT.min_length:
        pace.paste_t, pace.paste_length = message.t, message.length
        pace.keys_at_paste = state.typing.keys


def note_submit(state: DetectorState, message: FormSubmit) -> None:
    pace = state.pace
    answered, elapsed = len(pace.fields), message.t - pace.start_t
    fast = pace.start_t and elapsed < PACE.min_ms_per_field * answered
    if answered >= PACE.min_fields and fast:
        pace.fast_submits += 1
        pace.first_t = pace.first_t or message.t
        if answered > pace.fastest_answered:
            pace.fastest_answered, pace.fastest_elapsed_ms = answered, max(0, elapsed)
    recent_paste = pace.paste_t and 0 <= message.t - pace.paste_t <= PASTE_SUBMIT.within_ms
    if recent_paste and state.typing.keys - pace.keys_at_paste <= PASTE_SUBMIT.max_keys_after:
        pace.paste_submits += 1
        pace.paste_submit_t = pace.paste_submit_t or message.t
